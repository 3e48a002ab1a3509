"""Import faq.csv: the shop's own answers, one row per question, matched on (language, question).

FAQ files are small (tens to a few thousand rows), so rows are compared one by one; an
entry whose content changed gets a new `updated_at`, which is what tells the running
assistant to rebuild its index (shop.faq.retrieval.FaqLibrary).
"""

from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import Connection, insert, select, update

from shop.csvio.base import ImportOptions, ImportResult
from shop.csvio.bulk import Progress
from shop.csvio.fields import Cells, Parsed, objects
from shop.csvio.formats import FORMATS, Kind
from shop.csvio.problems import Problems
from shop.csvio.reading import Sheet
from shop.csvio.upsert import Counts
from shop.faq.entries import MAX_ANSWER, MAX_QUESTION, split_variants
from shop.models import FaqEntry

YES = ("yes", "true", "1", "y")
NO = ("no", "false", "0", "n")
LANGUAGE = r"[a-z]{2,3}(-[a-z0-9]{2,8})?"
CONTENT = ("variants", "answer", "tags", "enabled")


def import_faq(
    connection: Connection, sheet: Sheet, options: ImportOptions, progress: Progress,
) -> ImportResult:
    problems = Problems()
    cells = Cells(sheet.frame, problems, required=FORMATS[Kind.faq].required)
    rows = pd.DataFrame(index=sheet.frame.index)
    rows["question"] = cells.text("question", max_length=MAX_QUESTION)
    rows["answer"] = cells.text("answer", max_length=MAX_ANSWER)
    rows["variants"] = _variants(cells.text("variants", max_length=5000)) if "variants" in cells \
        else cells.absent()
    rows["tags"] = cells.text("tags", max_length=200) if "tags" in cells else cells.absent()
    language = cells.check("language", _language) if "language" in cells else cells.absent()
    rows["language"] = objects([v or "en" for v in language], rows.index)
    enabled = cells.check("enabled", _yes_no) if "enabled" in cells else cells.absent()
    rows["enabled"] = objects([True if v is None else v for v in enabled], rows.index)
    cells.duplicates(rows[["language", "question"]], "question", what="this question")
    sheet.check(problems)

    table = FaqEntry.__table__
    existing = {(r.language, r.question): r for r in connection.execute(select(
        table.c.id, table.c.language, table.c.question, *(table.c[c] for c in CONTENT)))}
    counts, new = Counts(), []
    for record in rows.to_dict("records"):
        old = existing.get((record["language"], record["question"]))
        if old is None:
            new.append({**record, "created_at": options.now, "updated_at": options.now})
            counts.inserted += 1
        elif any(getattr(old, c) != record[c] for c in CONTENT if c in _given(sheet, c)):
            changed = {c: record[c] for c in CONTENT if c in _given(sheet, c)}
            connection.execute(update(table).where(table.c.id == old.id)
                               .values(**changed, updated_at=options.now))
            counts.updated += 1
        else:
            counts.unchanged += 1
    if new:
        connection.execute(insert(table), new)
    progress(len(rows))
    return ImportResult(Kind.faq, len(rows), counts)


def _given(sheet: Sheet, column: str) -> tuple[str, ...]:
    """`column` if the file has it (a column left out is never changed), else nothing."""
    return (column,) if column in sheet.frame or column == "answer" else ()


def _variants(parsed: pd.Series) -> pd.Series:
    """Variants typed as "a | b" or one per line, stored one per line."""
    return objects([("\n".join(split_variants(v)) or None) if v else None for v in parsed],
                   parsed.index)


def _language(cell: str) -> Parsed:
    lowered = cell.lower()
    if not re.fullmatch(LANGUAGE, lowered):
        return None, "not a language code such as en, de or pt-br"
    return lowered, None


def _yes_no(cell: str) -> Parsed:
    lowered = cell.lower()
    if lowered in YES:
        return True, None
    if lowered in NO:
        return False, None
    return None, "must be yes or no"
