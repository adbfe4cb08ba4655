"""Mapping adoption times (years, dates, period labels) to integer periods."""

from __future__ import annotations

import datetime as _dt
import re
from typing import Literal

import numpy as np
import pandas as pd

from policydiffusion._spelling import option_hint

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


class TimeError(ValueError):
    """A time cell that cannot be read; the message says why and what to write."""


#: the default plausible window of years; a time outside it is refused (``years=``)
YEARS: tuple[int, int] = (1000, 2100)

# year first is unambiguous: 2001-03-04, 2001/03/04, optionally with a clock time
_ISO_DATE = re.compile(r"^\d{4}([-/])\d{1,2}\1\d{1,2}([T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?)?$")
# day and month in either order: 03/04/2001, 04.03.2001, 3-4-01
_AMBIGUOUS_DATE = re.compile(r"^\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}$")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d*)?$")
_STEPS = {"quarter": 4, "month": 12}


def parse_time(value: object, granularity: str, *, date_format: str | None = None) -> int | None:
    """Parse one time cell to an integer period, or ``None`` if it cannot be read.

    The same rules as :func:`read_time` (which says why a cell cannot be read),
    without the window of plausible years.

    Examples
    --------
    >>> parse_time("2016-05-03", "year"), parse_time(1999.0, "year"), parse_time("19x9", "year")
    (2016, 1999, None)
    """
    try:
        return read_time(value, granularity, date_format=date_format, years=None)
    except TimeError:
        return None


def read_time(value: object, granularity: str, *, date_format: str | None = None,
              years: tuple[int, int] | None = YEARS) -> int:
    """Read one time cell as an integer period; raise :class:`TimeError` saying why not.

    Integers (and integral floats or digit strings) are years when the granularity
    is ``year`` and period numbers when it is ``period``; with ``quarter`` or
    ``month`` a plain year is ambiguous and refused. A fractional year (``1990.5``)
    is refused unless the granularity makes it a whole quarter or month. Dates,
    datetimes, year-first dates (``2016-05-03``, ``2016/05/03``), ``2016Q2`` and
    ``2016-05`` are read at any granularity; dates whose day and month could be in
    either order (``03/04/2001``) and compact digits (``20010304``) need
    ``date_format`` (a :func:`datetime.datetime.strptime` format such as
    ``"%d/%m/%Y"``), which every text cell must then match. Outside ``period``
    granularity, a year outside ``years`` (inclusive) is refused.

    Examples
    --------
    >>> read_time("2016Q2", "quarter"), read_time(1990.25, "quarter")
    (8065, 7961)
    >>> read_time("04.03.2001", "month", date_format="%d.%m.%Y") == read_time("2001-03", "month")
    True
    >>> read_time(20010304, "year")
    Traceback (most recent call last):
    ...
    policydiffusion.study._periods.TimeError: compact digits are not a year; write the date as \
2001-03-04 or set date_format='%Y%m%d'
    """
    per = _read_period(value, granularity, date_format)
    if years is not None and granularity != "period":
        year = per // _STEPS.get(granularity, 1)
        if not years[0] <= year <= years[1]:
            raise TimeError(f"year {year} is outside the plausible window {years[0]}-{years[1]} "
                            f"(widen it with {option_hint('years')})")
    return per


def _read_period(value: object, granularity: str, date_format: str | None) -> int:
    if value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        raise TimeError("missing time")
    if isinstance(value, (pd.Timestamp, _dt.datetime, _dt.date)):
        return period_of_date(value, granularity)
    if isinstance(value, (np.datetime64,)):
        return period_of_date(pd.Timestamp(value), granularity)
    if isinstance(value, (bool, np.bool_)):
        raise TimeError(f"not a time; {time_hint(granularity)}")
    if date_format is not None:
        return _formatted(value, granularity, date_format)
    if isinstance(value, (int, np.integer)):
        return _whole(int(value), granularity)
    if isinstance(value, (float, np.floating)):
        return _fractional(float(value), granularity)
    text = str(value).strip()
    if not text:
        raise TimeError("missing time")
    if _NUMBER.match(text):
        return _fractional(float(text), granularity) if "." in text else _whole(int(text), granularity)
    m = _QUARTER.match(text)
    if m:
        year, q = int(m.group(1)), int(m.group(2))
        return period_of_date(_dt.date(year, 3 * (q - 1) + 1, 1), granularity)
    m = _YEAR_MONTH.match(text)
    if m and "." not in text and 1 <= int(m.group(2)) <= 12:
        return period_of_date(_dt.date(int(m.group(1)), int(m.group(2)), 1), granularity)
    if _ISO_DATE.match(text):
        try:
            return period_of_date(pd.Timestamp(text.replace("/", "-")), granularity)
        except (ValueError, TypeError, OverflowError):
            raise TimeError(f"not a valid date; {time_hint(granularity)}") from None
    if _AMBIGUOUS_DATE.match(text) or (m and "." in text):
        raise TimeError("ambiguous date: day and month (or year and month) could be read either "
                        "way; write it year first (2001-03-04) or set "
                        f"{option_hint('date_format')}")
    raise TimeError(f"unreadable time; {time_hint(granularity)}")


def _whole(n: int, granularity: str) -> int:
    if granularity == "period":
        return n
    if len(str(abs(n))) in (6, 8):
        iso = f"{str(n)[:4]}-{str(n)[4:6]}" + (f"-{str(n)[6:]}" if len(str(n)) == 8 else "")
        fmt = "%Y%m%d" if len(str(n)) == 8 else "%Y%m"
        raise TimeError(f"compact digits are not a year; write the date as {iso} or set "
                        f"{option_hint('date_format', fmt)}")
    if granularity == "year":
        return n
    raise TimeError(time_hint(granularity))


def _fractional(x: float, granularity: str) -> int:
    if x.is_integer():
        return _whole(int(x), granularity)
    steps = _STEPS.get(granularity)
    if steps is not None:
        year = int(np.floor(x))
        k = (x - year) * steps
        if abs(k - round(k)) < 1e-6:
            return year * steps + int(round(k))
        raise TimeError(f"fractional year {x} is not a whole {granularity}; write a date such as "
                        "2016-05")
    raise TimeError(f"fractional year {x}: at {granularity} granularity a time is a whole "
                    "number; write a date (1990-07) with a finer granularity, or a whole year")


def _formatted(value: object, granularity: str, date_format: str) -> int:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        value = int(value)
    text = str(value).strip()
    if not text:
        raise TimeError("missing time")
    try:
        return period_of_date(_dt.datetime.strptime(text, date_format), granularity)
    except ValueError:
        raise TimeError(f"does not match date_format {date_format!r} (every date in a file must "
                        "be written the same way)") from None


def time_hint(granularity: str) -> str:
    """What a valid time cell looks like at this granularity (for error messages)."""
    if granularity in ("year", "period"):
        return "expected a whole number such as 1999 or a date such as 1999-07-01"
    return "expected a date such as 2016-05-03, 2016-05 or 2016Q2 (a bare year is ambiguous here)"
