"""Numbers as text: the one formatter behind summaries, tables and report sentences."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["fmt_num"]


def fmt_num(x: object, digits: int = 3, *, missing: str = "", grouping: bool = False,
            tiny: float | None = None, significant: bool = False, whole: bool = True) -> str:
    """A number as text: integers as such, floats with ``digits`` decimals, ``missing``
    for None, NA and NaN, anything else as ``str``.

    A whole float of 1000 or more prints without decimals (a count, a year) unless
    ``whole=False`` (a column of estimates keeps its decimals).
    ``grouping`` separates thousands (``1,234.500``); ``tiny`` prints a nonzero float
    smaller than it in scientific notation rather than as ``0.0000``; ``significant``
    makes ``digits`` significant digits (``0.123``, ``1.23e+04``) for a short label,
    with every whole float printed without decimals.

    Examples
    --------
    >>> fmt_num(0.12345), fmt_num(2017.0), fmt_num(7), fmt_num(float("nan")), fmt_num("x")
    ('0.123', '2017', '7', '', 'x')
    >>> fmt_num(1234.5, 3, grouping=True), fmt_num(2e-6, 4, tiny=1e-4), fmt_num(None, missing="NA")
    ('1,234.500', '2.000e-06', 'NA')
    >>> fmt_num(-1234.0, 2, grouping=True), fmt_num(-1234.0, 2, grouping=True, whole=False)
    ('-1,234', '-1,234.00')
    >>> fmt_num(3.0, 3, significant=True), fmt_num(0.123456, 3, significant=True)
    ('3', '0.123')
    """
    if x is None or x is pd.NA:
        return missing
    if isinstance(x, bool):
        return str(int(x))
    if isinstance(x, (int, np.integer)):
        return f"{x:,}" if grouping else str(x)
    try:
        v = float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(x)
    if math.isnan(v):
        return missing
    sep = "," if grouping else ""
    if significant:
        return f"{int(v):{sep}}" if v.is_integer() else f"{v:{sep}.{digits}g}"
    if whole and v.is_integer() and abs(v) >= 1000:
        return f"{int(v):{sep}}"
    if tiny is not None and 0 < abs(v) < tiny:
        return f"{v:.3e}"
    return f"{v:{sep}.{digits}f}"
