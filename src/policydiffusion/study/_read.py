"""Reading tables from CSV, Parquet, Excel and Stata files, or taking DataFrames."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import pandas as pd
import polars as pl

from policydiffusion._spelling import option_hint
from policydiffusion.errors import Problem, StudyDataError
from policydiffusion.study._cells import MISSING_CODES, replace_missing_codes

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
    #: the cells as written (text files only), for reading dates with a date_format
    raw: pd.DataFrame | None = field(default=None, compare=False, repr=False)

    def row_of(self, position: int) -> int:
        return int(position) + 2 if self.from_file else int(position)


def read_table(source: TableLike, *, argument: str, missing_values: tuple[str, ...] = MISSING_CODES,
               encoding: str | None = None) -> Table:
    """Read ``source`` (a path or a DataFrame) into a :class:`Table`.

    Text columns are kept as text (CSV cells are read as strings where they are not
    clean numbers), so a bad year cell is reported rather than silently turned into
    a missing value. Cells equal to one of ``missing_values`` (``NA``, ``.``, ...) are
    missing. CSV files are UTF-8 (a byte-order mark is allowed) unless ``encoding``
    says otherwise; a file in another encoding is refused with the one it looks like,
    and a row with more or fewer fields than the header is refused with both counts.

    Examples
    --------
    >>> import pandas as pd
    >>> t = read_table(pd.DataFrame({"a": [1]}), argument="adoptions")
    >>> t.label, t.row_of(0)
    ('adoptions (DataFrame)', 0)
    """
    if isinstance(source, (pl.DataFrame, pd.DataFrame)):
        frame = source.to_pandas() if isinstance(source, pl.DataFrame) else source
        frame, coded = replace_missing_codes(frame.reset_index(drop=True), missing_values)
        if coded:  # a column that held codes may now be all numbers
            frame[coded] = _numeric_where_clean(frame[coded])
        return Table(frame, f"{argument} (DataFrame)", False)
    path = Path(source)
    label = path.name
    if not path.exists():
        raise StudyDataError([Problem(str(path), None, None, None,
                                      f"file not found (given as {argument})")])
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        raise StudyDataError([Problem(label, None, None, None,
                                      "unknown file type; use .csv, .tsv, .parquet, .xlsx, .xls or .dta")])
    raw = None
    try:
        if kind in ("csv", "tsv"):
            sep = "," if kind == "csv" else "\t"
            text = _decoded(path, label, encoding)
            _check_field_counts(text, sep, label)
            frame = raw = pd.read_csv(io.StringIO(text), sep=sep, dtype=str,
                                      keep_default_na=False, na_values=[""])
        elif kind == "parquet":
            frame = pd.read_parquet(path)
        elif kind == "excel":
            frame = pd.read_excel(path)
        else:
            frame = pd.read_stata(path, convert_categoricals=True)
    except StudyDataError:
        raise
    except Exception as exc:  # the reader's own message is the useful part
        raise StudyDataError([Problem(label, None, None, None, f"could not be read: {exc}")]) from exc
    frame, _ = replace_missing_codes(frame, missing_values)
    if kind in ("csv", "tsv"):
        raw = frame  # the text as written, codes already missing: one pass is enough
        frame = _numeric_where_clean(frame)
    return Table(frame.reset_index(drop=True), label, True, raw)


def _decoded(path: Path, label: str, encoding: str | None) -> str:
    """The file's text; a decoding failure names the line and the encoding it looks like."""
    data = path.read_bytes()
    try:
        return data.decode(encoding or "utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        guess = _guess_encoding(data)
        hint = (f"the file is not {encoding or 'UTF-8'} text (byte 0x{data[exc.start]:02x})"
                + (f"; it reads as {guess}: pass {option_hint('encoding', guess)}"
                   if guess else f"; pass its encoding with {option_hint('encoding')}"))
        raise StudyDataError([Problem(label, line, None, None, hint)]) from None


def _guess_encoding(data: bytes) -> str | None:
    """The encoding a non-UTF-8 file most likely has: GB18030 for Chinese text."""
    for enc in ("gb18030", "cp1252"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if enc == "gb18030" and not any("\u4e00" <= ch <= "\u9fff" for ch in text):
            continue  # decodes, but not as Chinese: more likely a Western code page
        return enc
    return None


def _check_field_counts(text: str, sep: str, label: str) -> None:
    """Refuse rows whose number of fields differs from the header's (a ragged file)."""
    records = csv.reader(io.StringIO(text), delimiter=sep)
    header = next(records, None)
    if header is None:
        return
    problems = [Problem(label, i, None, None, f"the row has {len(rec)} fields; the header has "
                        f"{len(header)} (a missing or extra separator, or an unquoted {sep!r})")
                for i, rec in enumerate(records, start=2)
                if rec and len(rec) != len(header)]
    if problems:
        raise StudyDataError(problems)


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
#: how each role's column is named: the flat keyword and its field of the table's mapping
_NAMED_BY = {
    "policy": "policy_col= or AdoptionColumns(policy=...)",
    "unit": "unit_col= or AdoptionColumns(unit=...)",
    "time": "time_col= or AdoptionColumns(time=...)",
    "units_id": "units_id_col= or UnitColumns(id=...)",
    "policies_id": "policies_id_col= or PolicyColumns(id=...)",
    "covariates_unit": "covariates_unit_col= or CovariateColumns(unit=...)",
    "covariates_time": "covariates_time_col= or CovariateColumns(time=...)",
    "source": "the relation's source column (RelationSpec / RelationColumns(source=...))",
    "target": "the relation's target column (RelationSpec / RelationColumns(target=...))",
    "weight": "the relation's weight column (RelationSpec / RelationColumns(weight=...))",
    "period": "the relation's period column (RelationSpec / RelationColumns(period=...))",
}
_FIXED = {"event", "start"}  # the events table's columns have fixed names


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
                    + (f"Rename that column to {col!r}." if role in _FIXED else
                       f"Name the right one with {_NAMED_BY.get(role, role + '_col=')}"
                       + _CLI_HINT.get(role, "") + "."))
            for role, col in missing
        ]
        raise StudyDataError(problems)
    if len(table.frame) == 0:
        raise StudyDataError([Problem(table.label, None, None, None, "the table has no rows")])
