"""Tooling over the Rasa NLU training data and models: load, evaluate, compare.

It stands apart from the assistant and never imports rasa (Rasa lives in .venv-rasa on
Python 3.10); it shells out to `.venv-rasa/bin/rasa` and reads the JSON reports Rasa
writes. Run it as `python -m nlu --help`.

Annotation conventions shared by data/nlu/ and the held-out files under tests/nlu/ (the
first file, the English wide/ and one folder per other language: de/, ru/, zh/):

- order_id: the digits only, whatever surrounds them: `#[1042](order_id)`,
  `order no. [1042](order_id)`, `order-[1042](order_id)`, `Bestellung [1042](order_id)`,
  `заказ №[1042](order_id)`, `订单[1042](order_id)`; a number written in digit groups whole,
  its value the digits (what OrderIdFilter gives): `order [10 425](order_id:10425)`,
  `Bestellnummer [58.213](order_id:58213)`.
- rating: the digit or the word, words mapped to a digit: `[4](rating) stars`,
  `[five](rating:5) out of five`, `[2](rating)/5`.
- metric: the words naming the metric, mapped to its canonical name (data/nlu/synonyms.yml):
  `[customer satisfaction](metric:csat)`; one message may name several.
- period: the whole time expression including its leading preposition, kept as text for
  the action side: `[last quarter](period)`, `[since March](period)`,
  `[in October vs September](period)`, `[from 2026-01-01 to 2026-02-15](period)`,
  `[im letzten Quartal](period)`, `[в прошлом месяце](period)`, `[上个月](period)`.
  Only owners' metric questions annotate periods.
"""
