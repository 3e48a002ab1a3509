"""Whether an order word names a number as an order: "order 20554", "orders/58213",
"?order_id=66017", "order no. 1042", "Bestellung Nr. 1042", "заказ №1042", "订单号：10425".

Plain Python with no imports beyond `re`, so that both sides use one rule: Rasa's OrderIdFilter
(rasa_runtime/components/order_id_filter.py, which keeps such a number in a message read as
out_of_scope) and the action server's fallback (actions/handoff.py, which does not remember a
number no order word names from a message it did not understand).
"""

from __future__ import annotations

import re

# An order word in the four languages, then at most a link's or a label's marks before the
# number, not a sentence's ("DROP TABLE orders; -- 1042" names no order).
NAMED_AS_ORDER = re.compile(
    r"(?:order|parcel|package|bestell|auftrag|paket|sendung|заказ|посылк|订单|单号|包裹)"
    r"[^\s;,()<>\[\]{}'\"]{0,12}[\s#:=/?.№-]*(?:(?:id|no|nr|num|number|nummer|номер)\b[\s#:=/?.№-]*)?$",
    re.IGNORECASE)
REACH = 40  # characters before the number that are looked at


def named_as_order(text: str, start: object) -> bool:
    """Whether an order word names the number that begins at `start` in `text`."""
    if not isinstance(start, int) or isinstance(start, bool):
        return False
    return NAMED_AS_ORDER.search(text[max(0, start - REACH):start]) is not None
