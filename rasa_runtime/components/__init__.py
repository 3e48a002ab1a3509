"""Our own Rasa pipeline components, named in config.yml by their module path.

Rasa imports them from the project root (PYTHONPATH); they are part of every model's
cache key (nlu.rasa_run.model_key, scripts/train-model), so a change retrains.
"""
