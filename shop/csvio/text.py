"""Free-text cells (names, e-mails, addresses, ...): what a spreadsheet would misread in them.

A spreadsheet runs a cell that starts with = + - @, a tab or a carriage return as a
formula, so a customer named =HYPERLINK(...) would run when the owner opens an export
(CSV injection). Exports put a ' in front of such text, as spreadsheets themselves do, and
imports take it off again. Text that already starts with quotes before one of those
characters gets one more, so export -> import gives back exactly what was stored.
"""

from __future__ import annotations

import re

FORMULA = re.compile(r"'*[=+\-@\t\r]")  # with any quotes already in front of it


def quote_formula(text: str) -> str:
    """`text` as an exported cell: with a ' in front if a spreadsheet would run it."""
    return "'" + text if FORMULA.match(text) else text


def unquote_formula(cell: str) -> str:
    """An imported cell as the text it stands for (undoes `quote_formula`)."""
    return cell[1:] if cell.startswith("'") and FORMULA.match(cell, 1) else cell

