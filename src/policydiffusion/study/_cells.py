"""Reading cells: missing-value codes, numbers in numeric columns, 'never adopted' codes.

The options of this stage travel together as :class:`ReadOptions`, so every table
of a study is read by the same rules.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np
import pandas as pd

from policydiffusion._spelling import option_hint
from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.study._periods import YEARS

if TYPE_CHECKING:  # pragma: no cover
    from policydiffusion.study._read import Table

#: cells read as missing (after trimming spaces); pass ``missing_values=`` to change
MISSING_CODES: tuple[str, ...] = ("NA", "N/A", "n/a", "na", "#N/A", "NaN", "nan", ".", "NULL",
                                  "null", "None", "-", "--")
#: wide-layout cells that mean "not adopted" (compared without case); ``never=`` changes them
NEVER_CODES: tuple[str, ...] = ("0", "never", "not adopted", "no")
DUPLICATES = ("error", "sum", "max")
_NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
# 1,234,567 or 12.5%: numbers a spreadsheet formatted, which would otherwise be text
_FORMATTED = re.compile(r"^\s*[+-]?(\d{1,3}(,\d{3})+(\.\d+)?|\d+(\.\d+)?\s*%)\s*$")


@dataclass(frozen=True)
class ReadOptions:
    """How cells are read: missing-value codes, date format, plausible years, 'never'
    codes of the wide layout and the text encoding of CSV files.

    Examples
    --------
    >>> ReadOptions(years=(1900, 2030)).years
    (1900, 2030)
    >>> ReadOptions(years=(2030, 1900))
    Traceback (most recent call last):
    ...
    policydiffusion.errors.InvalidOptionError: years must be [FIRST, LAST] with FIRST <= LAST; got (2030, 1900).
    """

    missing_values: tuple[str, ...] = MISSING_CODES
    date_format: str | None = None
    years: tuple[int, int] | None = YEARS
    never: tuple[str, ...] = NEVER_CODES
    encoding: str | None = None

    def __post_init__(self) -> None:
        y = self.years
        if y is not None and (len(y) != 2 or not all(isinstance(v, (int, np.integer)) for v in y)
                              or y[0] > y[1]):
            raise InvalidOptionError(f"years must be [FIRST, LAST] with FIRST <= LAST; got {y!r}.")
        if self.date_format is not None and "%" not in str(self.date_format):
            raise InvalidOptionError(f"date_format {self.date_format!r} has no % directive; "
                                     'write e.g. "%d/%m/%Y" or "%Y%m%d".')
        if self.encoding is not None:
            import codecs

            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise InvalidOptionError(f"unknown encoding {self.encoding!r}; e.g. 'utf-8', "
                                         "'gb18030', 'latin-1'.") from None


def check_duplicates_option(value: str) -> None:
    """Refuse a ``duplicates`` option other than ``error``, ``sum`` or ``max``."""
    check_choice("duplicates", value, DUPLICATES)


def replace_missing_codes(frame: pd.DataFrame, codes: Sequence[str]) -> tuple[pd.DataFrame, list]:
    """Text cells equal to a missing-value code (after trimming) become missing.

    Returns the new frame and the columns where a code was found.

    Examples
    --------
    >>> f, cols = replace_missing_codes(pd.DataFrame({"x": ["1", "NA", " . "]}), MISSING_CODES)
    >>> f["x"].tolist(), cols
    (['1', nan, nan], ['x'])
    """
    if not codes:
        return frame, []
    known = set(codes)
    out, changed = frame.copy(), []
    for col in frame.columns:
        s = frame[col]
        if not _texty(s):
            continue
        hit = s.map(lambda v: isinstance(v, str) and v.strip() in known)
        if hit.any():
            out[col] = s.where(~hit, np.nan)
            changed.append(col)
    return out, changed


def is_never(value: object, codes: Sequence[str]) -> bool:
    """Whether a wide-layout cell says "not adopted" (``0``, ``never``, ...).

    Examples
    --------
    >>> is_never(0, NEVER_CODES), is_never(" Never ", NEVER_CODES), is_never(1999, NEVER_CODES)
    (True, True, False)
    """
    if isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool):
        text = str(int(value)) if float(value).is_integer() else str(value)
    else:
        text = str(value).strip()
    return text.lower() in {c.lower() for c in codes}


def check_numeric_columns(table: "Table", columns: Sequence[str],
                          add: Callable[["Table", int, str, object, str], None]) -> None:
    """Refuse text cells in columns that are otherwise numbers, naming row and value.

    A column is numeric when most of its filled cells are numbers; its text cells
    are then typing slips or undeclared missing-value codes, which would otherwise
    turn the column into a factor with one level per value. Numbers formatted by a
    spreadsheet (``1,234``, ``12.5%``) are refused even when every cell is one.
    """
    for col in columns:
        s = table.frame[col]
        if not _texty(s):
            continue
        filled = [(pos, v) for pos, v in enumerate(s)
                  if not (v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v))
                          or (isinstance(v, str) and not v.strip()))]
        text = [(pos, v) for pos, v in filled if isinstance(v, str) and not _NUMBER.match(v)]
        formatted = [(pos, v) for pos, v in text if _FORMATTED.match(v)]
        if formatted and len(text) - len(formatted) < len(filled) / 2:
            for pos, v in formatted:
                add(table, pos, str(col), v, "a formatted number (thousands separator or %); "
                    "write the plain number (1234567, 0.125)")
        elif text and len(text) < len(filled) / 2:
            for pos, v in text:
                add(table, pos, str(col), v,
                    "text in a numeric column; write a number, leave the cell empty, or declare "
                    f"the code with {option_hint('missing_values')}")


def _texty(s: pd.Series) -> bool:
    """Whether a column can hold text cells (object or string dtype)."""
    return pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s)
