"""Reading tables from CSV, Parquet, Excel and Stata files, or taking DataFrames."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Union

import pandas as pd
import polars as pl

from policydiffusion.errors import Problem, StudyDataError

TableLike = Union[str, Path, pd.DataFrame, pl.DataFrame]

_READERS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "excel",
    ".xls": "excel",
    ".xlsm": "excel",
    ".dta": "stata",
}


@dataclass(frozen=True)
class Table:
    """A table read for the Study, with what is needed to point at its rows.

    ``label`` is the file name (or ``"<argument> (DataFrame)"``); ``row_of(i)`` turns
    a 0-based position into the row number a person sees: the spreadsheet row for
    files with a header (position + 2), the position itself for DataFrames.
    """

    frame: pd.DataFrame
    label: str
    from_file: bool

    def row_of(self, position: int) -> int:
        return int(position) + 2 if self.from_file else int(position)


def read_table(source: TableLike, *, argument: str) -> Table:
    """Read ``source`` (a path or a DataFrame) into a :class:`Table`.

    Text columns are kept as text (CSV cells are read as strings where they are not
    clean numbers), so a bad year cell is reported rather than silently turned into
    a missing value.

    Examples
    --------
    >>> import pandas as pd
    >>> t = read_table(pd.DataFrame({"a": [1]}), argument="adoptions")
    >>> t.label, t.row_of(0)
    ('adoptions (DataFrame)', 0)
    """
    if isinstance(source, pl.DataFrame):
        return Table(source.to_pandas(), f"{argument} (DataFrame)", False)
    if isinstance(source, pd.DataFrame):
        return Table(source.reset_index(drop=True).copy(), f"{argument} (DataFrame)", False)
    path = Path(source)
    label = path.name
    if not path.exists():
        raise StudyDataError([Problem(str(path), None, None, None,
                                      f"file not found (given as {argument})")])
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        raise StudyDataError([Problem(label, None, None, None,
                                      "unknown file type; use .csv, .tsv, .parquet, .xlsx, .xls or .dta")])
    try:
        if kind == "csv":
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
        elif kind == "tsv":
            frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, na_values=[""])
        elif kind == "parquet":
            frame = pd.read_parquet(path)
        elif kind == "excel":
            frame = pd.read_excel(path)
        else:
            frame = pd.read_stata(path, convert_categoricals=True)
    except Exception as exc:  # the reader's own message is the useful part
        raise StudyDataError([Problem(label, None, None, None, f"could not be read: {exc}")]) from exc
    if kind in ("csv", "tsv"):
        frame = _numeric_where_clean(frame)
    return Table(frame.reset_index(drop=True), label, True)


def _numeric_where_clean(frame: pd.DataFrame) -> pd.DataFrame:
    """Turn string columns whose every non-empty cell is a number into numbers."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        conv = pd.to_numeric(s, errors="coerce")
        # codes with leading zeros (FIPS "01") are identifiers: keep them as written
        coded = s.dropna().astype(str).str.match(r"^0\d").any()
        if not coded and conv.notna().sum() == s.notna().sum() and s.notna().any():
            if (conv.dropna() % 1 == 0).all():
                out[col] = conv.astype("Int64")
            else:
                out[col] = conv
        else:
            out[col] = s
    return pd.DataFrame(out, index=frame.index)


# the roles the command line can rename (the options of `policydiffusion validate`)
_CLI_HINT = {r: f" (on the command line --{r}-col)" for r in ("policy", "unit", "time")}


def require_columns(table: Table, columns: dict[str, str]) -> None:
    """Raise a StudyDataError naming every required column that is missing.

    ``columns`` maps the role (e.g. ``"unit"``) to the column name expected.
    """
    missing = [(role, col) for role, col in columns.items() if col not in table.frame.columns]
    if missing:
        have = ", ".join(repr(c) for c in table.frame.columns)
        problems = [
            Problem(table.label, None, col, None,
                    f"no such column (needed as the {role} column); the table has {have}. "
                    f"Name the right one with {role}_col=" + _CLI_HINT.get(role, "") + ".")
            for role, col in missing
        ]
        raise StudyDataError(problems)
    if len(table.frame) == 0:
        raise StudyDataError([Problem(table.label, None, None, None, "the table has no rows")])
