"""Output safety: spreadsheet cells that cannot run as formulas, file names that stay put.

Unit and policy names come from the user's data and end up in CSV files and in file
names. A cell such as ``=HYPERLINK("http://x")`` runs as a formula when the CSV is
opened in a spreadsheet (CSV injection), and a policy id such as ``a/b`` or ``..``
would write outside the output folder. Every CSV writer and every generated file
name goes through this module.

Examples
--------
>>> neutralise_cell('=HYPERLINK("http://x")'), neutralise_cell("-0.25"), neutralise_cell("Ohio")
('\\'=HYPERLINK("http://x")', '-0.25', 'Ohio')
>>> safe_filename("a/b: c?"), safe_filename("..")
('a_b_ c_', '_')
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pandas as pd
import polars as pl

__all__ = ["neutralise_cell", "neutralise_frame", "neutralise_polars", "write_csv",
           "safe_filename", "FORMULA_START"]

#: a cell starting with one of these may run as a formula (OWASP, CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# numbers keep their sign: -0.25, +3, -1.2e-5, and table cells such as -0.123** or -1,234
_NUMBER = r"^[+-]?(\d[\d,]*\.?\d*|\.\d+)([eE][+-]?\d+)?\**$"
_TRIGGER = r"^[=+\-@\t\r]"
_NUMBER_RE = re.compile(_NUMBER)
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
             *(f"LPT{i}" for i in range(1, 10))}


def neutralise_cell(value: Any) -> Any:
    """A text cell that would start a formula, prefixed with ``'`` (numbers are kept).

    The apostrophe is the OWASP remedy: spreadsheets show the text and do not run it.
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER_RE.match(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names cannot start a formula.

    Examples
    --------
    >>> neutralise_frame(pd.DataFrame({"unit": ["@SUM(A1)", "OH"], "b": [-1.0, 2.0]})).to_dict("list")
    {'unit': ["'@SUM(A1)", 'OH'], 'b': [-1.0, 2.0]}
    """
    out = frame.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            out[col] = s.map(neutralise_cell)
    out.columns = [neutralise_cell(str(c)) if isinstance(c, str) else c for c in out.columns]
    return out


def neutralise_polars(frame: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame | pl.LazyFrame:
    """The polars version of :func:`neutralise_frame` (lazy frames stay lazy).

    Examples
    --------
    >>> neutralise_polars(pl.DataFrame({"u": ["=1+2", "-3"]}))["u"].to_list()
    ["'=1+2", '-3']
    """
    schema = frame.collect_schema() if isinstance(frame, pl.LazyFrame) else frame.schema
    exprs = []
    for name, dtype in schema.items():
        if dtype in (pl.Utf8, pl.Categorical) or isinstance(dtype, (pl.Categorical, pl.Enum)):
            c = pl.col(name).cast(pl.Utf8)
            risky = c.str.contains(_TRIGGER) & ~c.str.contains(_NUMBER)
            exprs.append(pl.when(risky).then(pl.lit("'") + c).otherwise(c).alias(name))
    out = frame.with_columns(exprs) if exprs else frame
    renames = {n: neutralise_cell(n) for n in schema if neutralise_cell(n) != n}
    return out.rename(renames) if renames else out


def write_csv(frame: pd.DataFrame | pl.DataFrame, path: Any) -> None:
    """Write ``frame`` as CSV (no index) with its cells neutralised.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_csv(pd.DataFrame({"unit": ["+1-555"]}), p)
    >>> p.read_text()
    "unit\\n'+1-555\\n"
    """
    if isinstance(frame, pl.DataFrame):
        neutralise_polars(frame).write_csv(path)  # type: ignore[union-attr]
    else:
        neutralise_frame(frame).to_csv(path, index=False)


def safe_filename(name: str, *, max_length: int = 120, taken: set[str] | None = None) -> str:
    """``name`` made safe as one file name on every system.

    Path separators, ``: * ? " < > |`` and control characters become ``_``; leading
    dots and spaces (hidden files, ``..``) and trailing dots and spaces go; Windows
    device names get a ``_``; the result is at most ``max_length`` characters. Text in
    any script (Chinese policy ids) is kept. With ``taken`` (the names already used,
    updated here), two names that sanitise alike get ``_2``, ``_3``... rather than one
    file overwriting the other.

    Examples
    --------
    >>> taken = set()
    >>> safe_filename("a/b", taken=taken), safe_filename("a_b", taken=taken)
    ('a_b', 'a_b_2')
    """
    text = unicodedata.normalize("NFC", str(name))
    text = _UNSAFE_NAME.sub("_", text).strip(" ").lstrip(".").rstrip(". ") or "_"
    if text.split(".")[0].upper() in _RESERVED:
        text = "_" + text
    text = text[:max_length]
    if taken is not None:
        base, k = text, 1
        while text in taken:
            k += 1
            text = f"{base}_{k}"
        taken.add(text)
    return text
