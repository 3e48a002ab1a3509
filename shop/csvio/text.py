"""Free-text cells (names, e-mails, addresses, ...): what a spreadsheet or a database would
misread in them.

A spreadsheet runs a cell that starts with = + - @, a tab or a carriage return as a
formula, so a customer named =HYPERLINK(...) would run when the owner opens an export
(CSV injection). Exports put a ' in front of such text, as spreadsheets themselves do, and
imports take it off again. Text that already starts with quotes before one of those
characters gets one more, so export -> import gives back exactly what was stored.

Control characters other than tab and line breaks are refused on import: none belongs in
a name or an address, and PostgreSQL can't store NUL in text at all, so SQLite would
take a file that PostgreSQL refuses with a traceback.
"""

from __future__ import annotations

import re

FORMULA = re.compile(r"'*[=+\-@\t\r]")  # with any quotes already in front of it
# C0 and C1 control characters and DEL; tab, line feed and carriage return are text
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def quote_formula(text: str) -> str:
    """`text` as an exported cell: with a ' in front if a spreadsheet would run it."""
    return "'" + text if FORMULA.match(text) else text


def unquote_formula(cell: str) -> str:
    """An imported cell as the text it stands for (undoes `quote_formula`)."""
    return cell[1:] if cell.startswith("'") and FORMULA.match(cell, 1) else cell


def control_character(text: str) -> str | None:
    """Why `text` can't be stored (a control character, named), or None if it can."""
    found = CONTROL.search(text)
    if found is None:
        return None
    return (f"contains a control character (U+{ord(found.group()):04X} at character "
            f"{found.start() + 1}); remove it")
