# Rasa validates its graph by comparing the annotations of connected components, which
# spell them with typing's List/Dict/Text: the old spellings stay here.
# ruff: noqa: UP006, UP035, UP019, UP045
"""A second intent classifier beside DIET: a logistic regression on word and character
n-grams, whose probabilities are averaged with DIET's.

DIET learns dense layers and a transformer from a few thousand examples; it fits them
closely and is very sure of itself on text unlike them. A linear model on the same kind of
evidence (which words and pieces of words a message holds) generalises differently: it
gives weight to every n-gram an intent's examples share, and its probabilities spread
when a message is ambiguous. On 3-fold cross-validation of the training data
(docs/nlu-epochs.md) the average of the two refused fewer good messages and accepted fewer
wrong ones than either alone: against DIET alone, each at its cheapest thresholds, cost
2534 -> 2238 (2 x a wrong intent accepted + 1 x a good message refused), macro-F1
0.776 -> 0.813, in every language.

The model: TF-IDF of character n-grams (1-4, within words, seen in at least two examples)
and of words and word pairs, of the text lower-cased with every run of digits one symbol
(as the out-of-domain filter compares it, Chinese spaced at the tokenizer's word
boundaries), and scikit-learn's LogisticRegression (fitted with SAGA, seeded). It runs
after DIET and before the FallbackClassifier, which then judges the averaged confidence: a
message's intent is the one with the highest (1 - weight) x DIET's + weight x this model's
probability, and the ranking is re-sorted the same way.
"""

from __future__ import annotations

import pickle
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
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
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from rasa_runtime.components.out_of_domain import fold, spaced

MODEL_FILE = "linear.pkl"
RANKING_LENGTH = 10


class LinearModel:
    """TF-IDF of character and word n-grams, and a logistic regression over them."""

    def __init__(self, *, c: float, char_ngrams: tuple[int, int], char_min_df: int,
                 word_ngrams: tuple[int, int], seed: int) -> None:
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=char_ngrams,
                                     min_df=char_min_df, sublinear_tf=True)
        self.words = TfidfVectorizer(analyzer="word", ngram_range=word_ngrams, sublinear_tf=True,
                                     token_pattern=r"(?u)\b\w+\b")
        # SAGA, not the default L-BFGS: 8 s of CPU against 30 on the whole training data, for
        # probabilities within 0.006 of L-BFGS's on every training example. SAGA visits the
        # examples in a random order: its seed is the config's `random_seed`, as DIET's is.
        self.classifier = LogisticRegression(C=c, solver="saga", tol=1e-3, max_iter=3000,
                                             random_state=seed)

    def fit(self, texts: List[str], intents: List[str]) -> LinearModel:
        folded = [fold(t) for t in texts]
        features = hstack([self.chars.fit_transform(folded), self.words.fit_transform(folded)])
        self.classifier.fit(features.tocsr(), intents)
        return self

    def probabilities(self, text: str) -> Dict[str, float]:
        folded = [fold(text)]
        features = hstack([self.chars.transform(folded), self.words.transform(folded)]).tocsr()
        row = self.classifier.predict_proba(features)[0]
        return {str(name): float(p) for name, p in zip(self.classifier.classes_, row, strict=True)}


def averaged(diet: List[Dict[str, Any]], linear: Dict[str, float], weight: float) -> List[Dict[str, Any]]:
    """The intents by (1 - weight) x DIET's confidence + weight x the linear model's, best
    first; an intent outside DIET's ranking counts 0 there."""
    confidences = {r[INTENT_NAME_KEY]: float(r.get(PREDICTED_CONFIDENCE_KEY) or 0.0) for r in diet
                   if r.get(INTENT_NAME_KEY) not in (None, DEFAULT_NLU_FALLBACK_INTENT_NAME)}
    names = set(confidences) | set(linear)
    mixed = {n: (1.0 - weight) * confidences.get(n, 0.0) + weight * linear.get(n, 0.0) for n in names}
    ranked = sorted(mixed.items(), key=lambda item: (-item[1], item[0]))
    return [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: round(c, 6)} for n, c in ranked]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LinearIntentClassifier(GraphComponent):
    """Averages a logistic regression's intent probabilities with DIET's."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "C": 100.0,  # inverse regularisation of the logistic regression
            "weight": 0.6,  # the linear model's share of the average; DIET has the rest
            "min_ngram": 1,
            "max_ngram": 4,
            "min_df": 2,
            "max_word_ngram": 2,
            "random_seed": 42,
        }

    def __init__(self, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
                 model: Optional[LinearModel] = None) -> None:
        self.config = config
        self.model_storage = model_storage
        self.resource = resource
        self.model = model

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> LinearIntentClassifier:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [m for m in training_data.intent_examples if m.get(TEXT)]
        if len({m.get(INTENT) for m in examples}) >= 2:
            self.model = LinearModel(
                c=float(self.config["C"]),
                char_ngrams=(int(self.config["min_ngram"]), int(self.config["max_ngram"])),
                char_min_df=int(self.config["min_df"]),
                word_ngrams=(1, int(self.config["max_word_ngram"])),
                seed=int(self.config["random_seed"]),
            ).fit([spaced(m.get(TEXT), m.get(TOKENS_NAMES[TEXT])) for m in examples],
                  [m.get(INTENT) for m in examples])
            with self.model_storage.write_to(self.resource) as directory:
                (directory / MODEL_FILE).write_bytes(pickle.dumps(self.model))
        return self.resource

    @classmethod
    def load(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> LinearIntentClassifier:
        try:
            with model_storage.read_from(resource) as directory:
                model = pickle.loads((directory / MODEL_FILE).read_bytes())  # noqa: S301 - our own model
        except (ValueError, FileNotFoundError):  # trained without NLU data (or one intent)
            model = None
        return cls(config, model_storage, resource, model)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            self._average(message)
        return messages

    def _average(self, message: Message) -> None:
        text = message.get(TEXT)
        ranking = message.get(INTENT_RANKING_KEY)
        if self.model is None or not text or text.startswith("/") or not ranking:
            return  # no model, no text, a button's intent payload, or nothing from DIET
        linear = self.model.probabilities(spaced(text, message.get(TOKENS_NAMES[TEXT])))
        mixed = averaged(ranking, linear, float(self.config["weight"]))
        message.set(INTENT, dict(mixed[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, mixed[:RANKING_LENGTH], add_to_output=True)

