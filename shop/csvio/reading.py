"""Reading an owner's CSV file: encoding, emptiness and header first, then pandas.

Everything is read as text (dtype=str, no NA guessing) and validated by the importers,
so "00123" stays "00123" and "NA" stays a name.
"""

from __future__ import annotations

import csv
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from shop.csvio.formats import Format
from shop.csvio.problems import ImportFailed, Problem, Problems

BOM = b"\xef\xbb\xbf"
BLOCK_BYTES = 1 << 20
UTF8_FIX = "save the file as UTF-8 (in Excel: Save As > 'CSV UTF-8'; in LibreOffice: " \
    "character set 'Unicode (UTF-8)')"


@dataclass
class Sheet:
    """The rows of one file as text, with the file line each row starts on (on demand)."""

    path: Path
    frame: pd.DataFrame
    _lines: np.ndarray | None = field(default=None, repr=False)

    def lines(self) -> np.ndarray:
        if self._lines is None:
            self._lines = _record_lines(self.path)
        return self._lines

    def check(self, problems: Problems) -> None:
        """Refuse the file, listing every problem found, if there is any."""
        if problems:
            raise ImportFailed(problems.resolve(self.lines(), self.frame.columns))


def read_sheet(path: Path, fmt: Format) -> Sheet:
    """Read `path` as a file of format `fmt`, or raise ImportFailed saying what to fix."""
    _check_text(path)
    header_line, names = _read_header(path)
    _check_header(names, fmt, header_line)
    try:
        with warnings.catch_warnings():
            # a too-long first row only warns (and would lose values): make it an error
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                                index_col=False)
    except (pd.errors.ParserError, pd.errors.ParserWarning) as exc:
        raise ImportFailed(_unclosed_quote(path, names) or _wide_rows(path, len(names)) or [
            Problem(header_line, "", "", f"cannot read the file as CSV: {str(exc).strip()}")
        ]) from None
    frame.columns = [_column_name(n) for n in names]
    for column in frame.columns:
        frame[column] = frame[column].fillna("")
    return Sheet(path, frame.reset_index(drop=True))


def _column_name(raw: str) -> str:
    return raw.strip().lower()


def _check_text(path: Path) -> None:
    """Refuse an empty file, or one that is not UTF-8 (naming the line and byte offset)."""
    offset, line, carry, has_text = 0, 1, b"", False
    with path.open("rb") as file:
        while block := file.read(BLOCK_BYTES):
            data = carry + block
            if offset == 0 and data.startswith(BOM):
                data, offset = data[len(BOM):], len(BOM)
            try:
                text, carry = data.decode("utf-8"), b""
            except UnicodeDecodeError as exc:
                truncated = exc.reason == "unexpected end of data"
                if not truncated:
                    _raise_not_utf8(data, exc.start, offset, line)
                text, carry = data[: exc.start].decode("utf-8"), data[exc.start :]
            has_text = has_text or bool(text.strip())
            done = len(data) - len(carry)
            line += data.count(b"\n", 0, done)
            offset += done
    if carry:
        _raise_not_utf8(carry, 0, offset, line)
    if not has_text:
        raise ImportFailed([Problem(1, "", "", "the file is empty")])


def _raise_not_utf8(data: bytes, start: int, offset: int, line: int) -> None:
    line += data.count(b"\n", 0, start)
    raise ImportFailed([Problem(
        line, "", f"byte 0x{data[start]:02X}",
        f"not UTF-8 text at byte offset {offset + start}: {UTF8_FIX}",
    )])


def _is_blank(record: list[str]) -> bool:
    """A line pandas skips: empty, or nothing but spaces."""
    return not record or (len(record) == 1 and not record[0].strip())


def _read_header(path: Path) -> tuple[int, list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        previous = 0
        for record in reader:
            if not _is_blank(record):
                return previous + 1, record
            previous = reader.line_num
    raise ImportFailed([Problem(1, "", "", "the file is empty")])


def _check_header(names: list[str], fmt: Format, line: int) -> None:
    problems, seen = [], set()
    for raw in names:
        name = _column_name(raw)
        if not name:
            problems.append(Problem(line, "", raw, "a column without a name (a stray comma?)"))
        elif name in seen:
            problems.append(Problem(line, name, raw, "this column appears twice"))
        elif name not in fmt.columns:
            problems.append(Problem(
                line, name, raw, f"unknown column; the columns are: {', '.join(fmt.columns)}",
            ))
        seen.add(name)
    problems += [
        Problem(line, name, "", "required column is missing")
        for name in fmt.required if name not in seen
    ]
    if problems:
        raise ImportFailed(problems)


def _unclosed_quote(path: Path, names: list[str]) -> list[Problem]:
    """Where a quoted value begins that no quote ever closes (it swallows the rest of the file).

    Follows the reader's rules: a quote opens a value only as its first character, "" is a
    quote inside it, and after the closing quote the value goes on to the next comma.
    """
    inside, field, opened = False, 0, (0, 0, "")  # opened: line, field, text from the quote
    with path.open(encoding="utf-8-sig", newline="") as file:
        for number, line in enumerate(file, start=1):
            if not inside:
                field = 0  # a new record
            pos = 0
            while pos < len(line):
                if inside:
                    end = line.find('"', pos)
                    if end < 0:
                        break
                    if line.startswith('"', end + 1):
                        pos = end + 2
                        continue
                    inside, pos = False, end + 1
                elif line[pos] == '"':
                    inside, opened = True, (number, field, line[pos:].rstrip("\r\n"))
                    pos += 1
                    continue
                comma = line.find(",", pos)
                if comma < 0:
                    break
                pos, field = comma + 1, field + 1
    if not inside:
        return []
    line_number, field, text = opened
    return [Problem(
        line_number, _column_name(names[field]) if field < len(names) else "", text[:100],
        f'a quoted field opened on line {line_number} is never closed: end it with a " '
        '(and write a " inside a value as "")',
    )]


def _wide_rows(path: Path, width: int) -> list[Problem]:
    """Rows with more values than the header has columns."""
    problems = []
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        previous = 0
        for record in reader:
            if len(record) > width:
                problems.append(Problem(previous + 1, "", ",".join(record), (
                    f"{len(record)} values where the header has {width}; "
                    "put values that contain commas in double quotes"
                )))
            previous = reader.line_num
    return problems


def _record_lines(path: Path) -> np.ndarray:
    """The line each data row starts on, counted as pandas reads rows."""
    starts = []
    with path.open(encoding="utf-8-sig", newline="") as file:
        reader = csv.reader(file)
        previous, header_seen = 0, False
        for record in reader:
            if not _is_blank(record):
                if header_seen:
                    starts.append(previous + 1)
                header_seen = True
            previous = reader.line_num
    return np.asarray(starts, dtype=np.int64)
