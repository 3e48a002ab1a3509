# Rasa validates its graph by comparing the annotations of connected components, which
# spell them with typing's List/Dict/Text: the old spellings stay here.
# ruff: noqa: UP006, UP035, UP019, UP045
"""A second opinion on DIET's intent: is the message anything like what that intent was
trained on? Messages far from every training example of their predicted intent become
`nlu_fallback`, as the FallbackClassifier does for low confidence.

DIET spreads its confidence over the intents it knows, so a question about the weather or
a line of HTML is still given a shop intent, often with high confidence. Distance from the
training examples catches what confidence does not: the component keeps a character
n-gram TF-IDF index of the training examples and scores a message by its cosine similarity
to the nearest examples of the predicted intent (the mean of the best `neighbours`).
Digits are folded to one symbol first, so "order 77310" is as close to "order 1042" as
"order 58213" is.

It runs inside Rasa (.venv-rasa) and is named in config.yml after the FallbackClassifier.
Every parse carries its score as `out_of_domain` (similarity, intent scored, threshold,
rejected), which nlu/ reads to choose the threshold by cross-validation; a threshold of
0 only records the score.
"""

from __future__ import annotations

import pickle
import re
from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from sklearn.feature_extraction.text import TfidfVectorizer

OUTPUT_KEY = "out_of_domain"
INDEX_FILE = "index.pkl"
DIGITS = re.compile(r"\d+")


def fold(text: str) -> str:
    """What the index compares: lower case, every run of digits one symbol."""
    return DIGITS.sub("0", text.lower())


class NeighbourIndex:
    """Training texts by intent, and the similarity of a new text to an intent's nearest ones."""

    def __init__(self, texts: List[str], intents: List[str], *, ngram_range: tuple[int, int],
                 neighbours: int) -> None:
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range,
                                          sublinear_tf=True, min_df=1)
        self.matrix = self.vectorizer.fit_transform([fold(t) for t in texts])
        self.intents = np.asarray(intents)
        self.neighbours = neighbours

    def similarity(self, text: str, intent: str) -> float:
        """Mean cosine similarity to the `neighbours` closest training examples of `intent`
        (0.0 for an intent with no examples)."""
        rows = self.matrix[self.intents == intent]
        if rows.shape[0] == 0:
            return 0.0
        scores = (rows @ self.vectorizer.transform([fold(text)]).T).toarray().ravel()
        best = np.sort(scores)[-self.neighbours:]
        return float(best.mean())


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class OutOfDomainFilter(GraphComponent):
    """Turns a confident intent on a message unlike its training examples into nlu_fallback."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "threshold": 0.3,  # similarity below which a message is out of domain; 0: record only
            "neighbours": 3,
            "min_ngram": 2,
            "max_ngram": 5,
            # predictions that are a refusal already, or that need no domain to be right
            "exempt_intents": ["out_of_scope"],
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 index: Optional[NeighbourIndex] = None) -> None:
        self.config = config
        self.model_storage = model_storage
        self.resource = resource
        self.index = index

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> OutOfDomainFilter:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        self.index = NeighbourIndex(
            [m.get(TEXT) for m in examples], [m.get(INTENT) for m in examples],
            ngram_range=(self.config["min_ngram"], self.config["max_ngram"]),
            neighbours=self.config["neighbours"])
        with self.model_storage.write_to(self.resource) as directory:
            (directory / INDEX_FILE).write_bytes(pickle.dumps(self.index))
        return self.resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> OutOfDomainFilter:
        try:
            with model_storage.read_from(resource) as directory:
                index = pickle.loads((directory / INDEX_FILE).read_bytes())  # noqa: S301 - our own model
        except ValueError:  # trained without NLU data: nothing to compare with
            index = None
        return cls(config, model_storage, resource, index)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._judge(message)
        return messages

    def _judge(self, message: Message) -> None:
        intent = message.get(INTENT) or {}
        ranking = message.get(INTENT_RANKING_KEY) or []
        # The intent DIET chose, also when the FallbackClassifier already replaced it.
        scored = next((r.get(INTENT_NAME_KEY) for r in ranking
                       if r.get(INTENT_NAME_KEY) != DEFAULT_NLU_FALLBACK_INTENT_NAME),
                      intent.get(INTENT_NAME_KEY))
        text = message.get(TEXT)
        if self.index is None or not scored or not text or text.startswith("/"):
            return  # no model, no intent, or a button's intent payload: nothing to judge
        similarity = self.index.similarity(text, scored)
        threshold = float(self.config["threshold"])
        rejected = (intent.get(INTENT_NAME_KEY) not in (DEFAULT_NLU_FALLBACK_INTENT_NAME, None)
                    and scored not in self.config["exempt_intents"]
                    and similarity < threshold)
        message.set(OUTPUT_KEY, {"similarity": round(similarity, 4), "intent": scored,
                                 "threshold": threshold, "rejected": rejected}, add_to_output=True)
        if rejected:
            fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                        PREDICTED_CONFIDENCE_KEY: 1.0 - similarity}
            message.data[INTENT] = fallback
            message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, dict(fallback))
