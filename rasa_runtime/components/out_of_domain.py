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

Four languages in one model (issue 17). Character n-grams do not cross scripts, so a
message's nearest examples are those of its own language without asking for it (and a
German message may still find an English "ok" or "Status" near it, which helps; keeping
neighbours within one script was measured to change nothing for Russian and Chinese and to
cost German a little). Two things do depend on the script:
- Chinese has no spaces: a whole sentence was one "word" to the char_wb analyzer, and its
  long n-grams made every Chinese message look far from every other (leave-one-out: 94%
  of Chinese training examples under the threshold, against 12% of English ones). The
  text is compared with spaces at the tokenizer's word boundaries inside Chinese
  ("我 的 订单 1042 在 哪里"), which brings Chinese to where German and Russian are.
- Languages with fewer or more varied examples sit further from their neighbours
  (leave-one-out medians: English 0.48, Russian and Chinese 0.35). With
  `calibrate_scripts`, training measures each script's median similarity of an example to
  its intent's nearest others, and a message's similarity is divided by its script's
  median relative to Latin's: Latin text (English, German) is scored exactly as before,
  and one threshold means the same closeness in Cyrillic and Chinese.

It runs inside Rasa (.venv-rasa) and is named in config.yml after the FallbackClassifier.
Every parse carries its score as `out_of_domain` (similarity, intent scored, threshold,
rejected, and the raw similarity and script), which nlu/ reads to choose the threshold by
cross-validation; a threshold of 0 only records the score.
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
from sklearn.feature_extraction.text import TfidfVectorizer

OUTPUT_KEY = "out_of_domain"
INDEX_FILE = "index.pkl"
DIGITS = re.compile(r"\d+")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")
REFERENCE_SCRIPT = "latin"
MIN_CALIBRATION_EXAMPLES = 30  # a script with fewer examples keeps the reference scale


def fold(text: str) -> str:
    """What the index compares: lower case, every run of digits one symbol."""
    return DIGITS.sub("0", text.lower())


def script_of(text: str) -> str:
    """"han", "cyrillic" or "latin": the script most of the letters are written in
    (latin for a text without letters)."""
    counts = {"han": len(HAN.findall(text)), "cyrillic": len(CYRILLIC.findall(text)),
              REFERENCE_SCRIPT: len(LATIN.findall(text))}
    best = max(counts, key=lambda name: counts[name])
    return best if counts[best] else REFERENCE_SCRIPT


def spaced(text: str, tokens: Optional[List[Any]]) -> str:
    """`text` with a space at each token boundary next to a Chinese character, so that the
    char_wb analyzer sees Chinese words as it sees words elsewhere; other text unchanged."""
    if not tokens or not HAN.search(text):
        return text
    cuts = {t.start for t in tokens} | {t.end for t in tokens}
    out = []
    for i, char in enumerate(text):
        if (i in cuts and i > 0 and not char.isspace() and not text[i - 1].isspace()
                and (HAN.match(char) or HAN.match(text[i - 1]))):
            out.append(" ")
        out.append(char)
    return "".join(out)


class NeighbourIndex:
    """Training texts by intent, and the similarity of a new text to an intent's nearest ones."""

    def __init__(self, texts: List[str], intents: List[str], *, ngram_range: tuple[int, int],
                 neighbours: int, calibrate: Optional[List[str]] = None) -> None:
        """`calibrate`: the intents whose examples measure each script's scale (none: every
        script has scale 1)."""
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=ngram_range,
                                          sublinear_tf=True, min_df=1)
        self.matrix = self.vectorizer.fit_transform([fold(t) for t in texts])
        self.intents = np.asarray(intents)
        self.neighbours = neighbours
        self.scales: Dict[str, float] = self._scales(texts, calibrate) if calibrate else {}

    def _scales(self, texts: List[str], intents: List[str]) -> Dict[str, float]:
        """Each script's median leave-one-out similarity (an example to the nearest others of
        its intent), relative to Latin's."""
        scripts = np.asarray([script_of(t) for t in texts])
        found: Dict[str, List[float]] = {}
        for intent in intents:
            rows = np.flatnonzero(self.intents == intent)
            if len(rows) <= self.neighbours:
                continue
            block = (self.matrix[rows] @ self.matrix[rows].T).toarray()
            np.fill_diagonal(block, -1.0)
            best = np.sort(block, axis=1)[:, -self.neighbours:].mean(axis=1)
            for script, value in zip(scripts[rows], best, strict=True):
                found.setdefault(str(script), []).append(float(value))
        reference = found.get(REFERENCE_SCRIPT, [])
        if len(reference) < MIN_CALIBRATION_EXAMPLES:
            return {}
        median = float(np.median(reference))
        return {script: float(np.clip(np.median(values) / median, 0.5, 1.5))
                for script, values in found.items() if len(values) >= MIN_CALIBRATION_EXAMPLES}

    def scale(self, text: str) -> float:
        """How close examples of `text`'s script are to each other, relative to Latin (1.0)."""
        return getattr(self, "scales", {}).get(script_of(text), 1.0)

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
            # divide a message's similarity by its script's scale (see the module docstring)
            "calibrate_scripts": True,
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
        intents = [m.get(INTENT) for m in examples]
        calibrate = (sorted(set(intents) - set(self.config["exempt_intents"]))
                     if self.config.get("calibrate_scripts") else None)
        self.index = NeighbourIndex(
            [spaced(m.get(TEXT), m.get(TOKENS_NAMES[TEXT])) for m in examples], intents,
            ngram_range=(self.config["min_ngram"], self.config["max_ngram"]),
            neighbours=self.config["neighbours"], calibrate=calibrate)
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
        compared = spaced(text, message.get(TOKENS_NAMES[TEXT]))
        raw = self.index.similarity(compared, scored)
        similarity = raw / self.index.scale(compared)
        threshold = float(self.config["threshold"])
        rejected = (intent.get(INTENT_NAME_KEY) not in (DEFAULT_NLU_FALLBACK_INTENT_NAME, None)
                    and scored not in self.config["exempt_intents"]
                    and similarity < threshold)
        message.set(OUTPUT_KEY, {"similarity": round(similarity, 4), "intent": scored,
                                 "threshold": threshold, "rejected": rejected,
                                 "raw_similarity": round(raw, 4), "script": script_of(text)},
                    add_to_output=True)
        if rejected:
            fallback = {INTENT_NAME_KEY: DEFAULT_NLU_FALLBACK_INTENT_NAME,
                        PREDICTED_CONFIDENCE_KEY: 1.0 - similarity}
            message.data[INTENT] = fallback
            message.data.setdefault(INTENT_RANKING_KEY, []).insert(0, dict(fallback))
