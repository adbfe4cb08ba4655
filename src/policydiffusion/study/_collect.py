"""What every table reader shares: the problem collector, the reader's result, and
reading ids and times out of cells."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion._suggest import did_you_mean
from policydiffusion.errors import Problem, StudyDataError
from policydiffusion.study._cells import ReadOptions
from policydiffusion.study._periods import TimeError, read_time
from policydiffusion.study._read import Table, TableLike, read_table
from policydiffusion.study._study import Exclusion

__all__ = ["TableRead"]


@dataclass(frozen=True)
class TableRead:
    """What a table reader returns; unpacks as ``frame, problems``.

    ``problems`` are the data problems found (file, row, column, value, hint), not yet
    raised, so that every table's problems can be raised together; ``label`` names the
    table (its file name), ``sources`` holds choices to record in ``study.sources``
    (a recognised unit column), ``exclusions`` what was left out and why, and
    ``columns`` the columns as read (with any recognised name filled in).

    Examples
    --------
    >>> import polars as pl
    >>> frame, problems = TableRead(pl.DataFrame({"unit": ["A"]}), (), "units.csv")
    >>> frame.height, problems
    (1, ())
    >>> TableRead(frame, (Problem("units.csv", 3, "unit", None, "empty unit id"),),
    ...           "units.csv").raise_if_any()
    Traceback (most recent call last):
    ...
    policydiffusion.errors.StudyDataError: 1 problem in the study data:
      units.csv row 3, column 'unit': empty unit id
    """

    frame: pl.DataFrame
    problems: tuple[Problem, ...]
    label: str
    sources: Mapping[str, str] = field(default_factory=dict)
    exclusions: tuple[Exclusion, ...] = ()
    columns: Any = None

    def __iter__(self) -> Iterator[Any]:
        return iter((self.frame, self.problems))

    def raise_if_any(self) -> "TableRead":
        """Raise the problems as one StudyDataError; else return the result itself."""
        if self.problems:
            raise StudyDataError(list(self.problems))
        return self


def _suggest(value: str, known: Sequence[str]) -> str:
    return did_you_mean(value, known, style="clause")


def _is_missing(v: object) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, float) and np.isnan(v)


def _text(v: object) -> str:
    """Id cells as text: 1.0 -> '1' so numeric codes read from Excel still match."""
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, table: Table, pos: int | None, column: str | None, value: object, hint: str) -> None:
        row = table.row_of(pos) if pos is not None else None
        self.problems.append(Problem(table.label, row, column, value, hint))


def _read(source: TableLike, argument: str, opts: ReadOptions) -> Table:
    return read_table(source, argument=argument, missing_values=opts.missing_values,
                      encoding=opts.encoding)


def _time_cells(table: Table, col: str, opts: ReadOptions) -> list:
    """A time column's cells; as written when a date_format reads them (numbers lose
    the zeros of 2016.10 and the order of 04.03.2001 is the format's to decide)."""
    src = table.raw if opts.date_format and table.raw is not None else table.frame
    return list(src[col]) if col in src.columns else list(table.frame[col])


def _period(table: Table, pos: int, col: str, value: object, granularity: str, opts: ReadOptions,
            bad: _Collector, *, what: str = "time") -> int | None:
    """One time cell as a period; a problem (and None) when it cannot be read."""
    if _is_missing(value) or (isinstance(value, str) and not value.strip()):
        bad.add(table, pos, col, None, f"missing {what}")
        return None
    try:
        return read_time(value, granularity, date_format=opts.date_format, years=opts.years)
    except TimeError as exc:
        bad.add(table, pos, col, value, str(exc))
        return None


def _time_column(table: Table, col: str | None, granularity: str, bad: _Collector,
                 required: bool, opts: ReadOptions = ReadOptions()) -> list[int | None]:
    if col is None or col not in table.frame.columns:
        return [None] * len(table.frame)
    out: list[int | None] = []
    for pos, v in enumerate(_time_cells(table, col, opts)):
        if _is_missing(v) or (isinstance(v, str) and not v.strip()):
            if required:
                bad.add(table, pos, col, None, "missing time")
            out.append(None)
            continue
        out.append(_period(table, pos, col, v, granularity, opts, bad))
    return out


def _plain(f: pd.DataFrame) -> pd.DataFrame:
    """Nullable pandas dtypes to plain ones polars understands."""
    out = {}
    for c in f.columns:
        s = f[c]
        if str(s.dtype) == "Int64":
            out[c] = s.astype("float64") if s.isna().any() else s.astype("int64")
        elif str(s.dtype) in ("category",):
            out[c] = s.astype(str).where(s.notna(), None)
        else:
            out[c] = s
    return pd.DataFrame(out)
