"""Mapping adoption times (years, dates, period labels) to integer periods."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Literal

import numpy as np
import pandas as pd

Granularity = Literal["year", "quarter", "month", "period"]
GRANULARITIES: tuple[str, ...] = ("year", "quarter", "month", "period")

_QUARTER = re.compile(r"^\s*(\d{4})\s*[-_ ]?[Qq]([1-4])\s*$")
_YEAR_MONTH = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})\s*$")


def period_of_date(d: _dt.date, granularity: str) -> int:
    """Integer period of a date: the year, ``year*4 + quarter-1`` or ``year*12 + month-1``.

    Examples
    --------
    >>> import datetime as dt
    >>> period_of_date(dt.date(2016, 5, 3), "quarter"), period_of_date(dt.date(2016, 5, 3), "month")
    (8065, 24196)
    """
    if granularity == "quarter":
        return d.year * 4 + (d.month - 1) // 3
    if granularity == "month":
        return d.year * 12 + d.month - 1
    return d.year


def period_label(period: int, granularity: str) -> str:
    """Human label of an integer period: ``2016``, ``2016Q2`` or ``2016-05``.

    Examples
    --------
    >>> period_label(8065, "quarter"), period_label(24196, "month"), period_label(1999, "year")
    ('2016Q2', '2016-05', '1999')
    """
    if granularity == "quarter":
        return f"{period // 4}Q{period % 4 + 1}"
    if granularity == "month":
        return f"{period // 12}-{period % 12 + 1:02d}"
    return str(period)


def parse_time(value: object, granularity: str) -> int | None:
    """Parse one time cell to an integer period, or ``None`` if it cannot be read.

    Integers (and integral floats or digit strings) are taken as years when the
    granularity is ``year`` and as period numbers when it is ``period``; with
    ``quarter`` or ``month`` a plain year is ambiguous and rejected. Dates, datetimes,
    ISO date strings, ``2016Q2`` and ``2016-05`` are accepted at any granularity.

    Examples
    --------
    >>> parse_time("2016-05-03", "year"), parse_time(1999.0, "year"), parse_time("19x9", "year")
    (2016, 1999, None)
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        return period_of_date(value, granularity)
    if isinstance(value, (np.datetime64,)):
        return period_of_date(pd.Timestamp(value), granularity)
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value) if granularity in ("year", "period") else None
    if isinstance(value, (float, np.floating)):
        if float(value).is_integer() and granularity in ("year", "period"):
            return int(value)
        return None
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"[+-]?\d+(\.0+)?", text):
        return int(float(text)) if granularity in ("year", "period") else None
    m = _QUARTER.match(text)
    if m:
        year, q = int(m.group(1)), int(m.group(2))
        month = 3 * (q - 1) + 1
        return period_of_date(_dt.date(year, month, 1), granularity)
    m = _YEAR_MONTH.match(text)
    if m and 1 <= int(m.group(2)) <= 12:
        return period_of_date(_dt.date(int(m.group(1)), int(m.group(2)), 1), granularity)
    try:
        ts = pd.Timestamp(text)
    except (ValueError, TypeError, OverflowError):
        return None
    if ts is pd.NaT:
        return None
    return period_of_date(ts, granularity)


def time_hint(granularity: str) -> str:
    """What a valid time cell looks like at this granularity (for error messages)."""
    if granularity in ("year", "period"):
        return "expected a whole number such as 1999 or a date such as 1999-07-01"
    return "expected a date such as 2016-05-03, 2016-05 or 2016Q2 (a bare year is ambiguous here)"
