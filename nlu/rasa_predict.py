"""Parse every message of a Rasa NLU file with a trained model; one JSON line per message.

Runs in .venv-rasa (it imports rasa, unlike the rest of nlu/): nlu.rasa_run starts it as
`.venv-rasa/bin/python -m nlu.rasa_predict MODEL TEST_FILE OUT`. Unlike `rasa test nlu` it
keeps the whole parse, so the out-of-domain filter's score (rasa_runtime/out_of_domain.py)
reaches the evaluation beside DIET's confidence, and both thresholds can be priced after
one training.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path


async def predict(model: str, test_file: str, out: str) -> None:
    from rasa.core.agent import Agent
    from rasa.shared.nlu.training_data.loading import load_data

    agent = Agent.load(model)
    examples = load_data(test_file).intent_examples
    with Path(out).open("w", encoding="utf-8") as lines:  # noqa: ASYNC230 - a one-shot script
        for example in examples:
            text = example.get("text")
            parsed = await agent.parse_message(text)
            record = {
                "text": text,
                "intent": example.get("intent"),
                "ranking": [(r["name"], r["confidence"]) for r in parsed.get("intent_ranking") or []],
                "entities": [(e["entity"], str(e["value"])) for e in parsed.get("entities") or []],
                "out_of_domain": parsed.get("out_of_domain"),
            }
            lines.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    asyncio.run(predict(*sys.argv[1:4]))
