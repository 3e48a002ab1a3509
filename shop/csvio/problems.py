"""What is wrong with an imported file, cell by cell, so the owner can fix it in one go."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Problem:
    line: int  # line of the file, the header being line 1
    column: str
    value: str
    reason: str


class ImportFailed(Exception):
    """The file was refused as a whole; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = "; ".join(f"line {p.line} {p.column}: {p.reason}" for p in problems[:3])
        super().__init__(f"{len(problems)} problem(s) in the file, nothing was imported: "
                         f"{first}{' ...' if len(problems) > 3 else ''}")


@dataclass(frozen=True)
class _Found:
    rows: np.ndarray  # positions in the frame
    column: str
    values: list[str]
    reason: str
    refer: np.ndarray | None  # rows whose line goes into "{line}" in the reason


class Problems:
    """Row problems collected column by column as index arrays.

    Line numbers are only worked out when there is something to report, because that
    needs a second pass over the file (quoted values may span lines).
    """

    def __init__(self) -> None:
        self._found: list[_Found] = []

    def __bool__(self) -> bool:
        return bool(self._found)

    def add(
        self, mask: pd.Series, column: str, values: pd.Series, reason: str,
        *, refer: pd.Series | None = None,
    ) -> None:
        """Record `reason` for the rows where `mask` is true.

        `reason` may contain "{line}", filled with the line of the row that `refer`
        gives for each of them (e.g. where a duplicate key was first seen).
        """
        mask = mask.fillna(False).astype(bool)
        if not mask.any():
            return
        rows = np.flatnonzero(mask.to_numpy())
        self._found.append(_Found(
            rows=rows,
            column=column,
            values=values.iloc[rows].astype(str).tolist(),
            reason=reason,
            refer=None if refer is None else refer.iloc[rows].to_numpy(),
        ))

    def resolve(self, lines: np.ndarray, columns: Sequence[str]) -> list[Problem]:
        """The problems with file line numbers (`lines[row]`), by line and then by column."""
        problems = []
        for found in self._found:
            file_lines = lines[found.rows].tolist()
            refers = lines[found.refer].tolist() if found.refer is not None else None
            for i, (line, value) in enumerate(zip(file_lines, found.values, strict=True)):
                reason = found.reason.format(line=refers[i]) if refers else found.reason
                problems.append(Problem(line, found.column, value, reason))
        rank = {name: i for i, name in enumerate(columns)}
        problems.sort(key=lambda p: (p.line, rank.get(p.column, -1)))
        return problems
