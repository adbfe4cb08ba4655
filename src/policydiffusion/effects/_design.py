"""Event-time indicators from adoption records: the design of an event study."""

from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError, Problem, StudyDataError

__all__ = ["normalise_bins", "adoption_columns", "bin_name", "event_time_indicators", "event_times", "as_pandas",
           "period_numbers"]

Bin = tuple[int, int]


def as_pandas(df: object, what: str) -> pd.DataFrame:
    """A pandas copy of a pandas or polars table (polars has ``to_pandas``)."""
    if isinstance(df, pd.DataFrame):
        return df.copy()
    to_pandas = getattr(df, "to_pandas", None)
    if callable(to_pandas):
        return to_pandas()
    raise InvalidOptionError(f"{what} must be a pandas or polars DataFrame; got {type(df).__name__}.")


def normalise_bins(bins: Iterable[int | Sequence[int]]) -> tuple[Bin, ...]:
    """Bins as sorted, non-overlapping ``(lo, hi)`` pairs; an int ``k`` means ``(k, k)``.

    Examples
    --------
    >>> normalise_bins([(8, 14), 0, (1, 7)])
    ((0, 0), (1, 7), (8, 14))
    """
    out = []
    for b in bins:
        lo, hi = (b, b) if isinstance(b, (int, np.integer)) else tuple(b)
        if int(lo) != lo or int(hi) != hi or lo > hi:
            raise InvalidOptionError(f"each bin must be an int or a pair lo <= hi of ints; got {b!r}.")
        out.append((int(lo), int(hi)))
    out.sort()
    if not out:
        raise InvalidOptionError("bins must name at least one event-time bin.")
    for (lo1, hi1), (lo2, hi2) in zip(out, out[1:]):
        if lo2 <= hi1:
            raise InvalidOptionError(f"bins ({lo1}, {hi1}) and ({lo2}, {hi2}) overlap.")
    return tuple(out)


def _tag(k: int) -> str:
    return f"L{k}" if k >= 0 else f"F{-k}"


def bin_name(policy: str, b: Bin) -> str:
    """Term name of a bin: ``{policy}_L{lo}_to_L{hi}``; leads (negative) use ``F``.

    Examples
    --------
    >>> bin_name("home_isolation", (0, 7)), bin_name("ban", (-7, -2))
    ('home_isolation_L0_to_L7', 'ban_F7_to_F2')
    """
    return f"{policy}_{_tag(b[0])}_to_{_tag(b[1])}"


def period_numbers(s: pd.Series) -> pd.Series:
    """Periods as numbers: whole days since 1970-01-01 for dates, the values otherwise."""
    if pd.api.types.is_datetime64_any_dtype(s):
        return (s - pd.Timestamp("1970-01-01")) / pd.Timedelta(days=1)
    return s.astype(float)


def event_times(times: pd.Series, adopted: pd.Series) -> np.ndarray:
    """Periods since adoption: whole days for dates, differences for numeric periods."""
    if pd.api.types.is_datetime64_any_dtype(times):
        return ((times - adopted) / pd.Timedelta(days=1)).to_numpy(dtype=float)
    return (times.astype(float) - adopted.astype(float)).to_numpy()


def adoption_columns(adoptions: pd.DataFrame, unit: str, time: str) -> tuple[str, str]:
    """The adoptions' unit and time columns: ``unit`` and ``time`` where the adoptions
    have them, else ``"unit"`` and ``"time"`` (adoption records keep their own names
    when the panel's differ); a missing one is a StudyDataError.

    Examples
    --------
    >>> adoption_columns(pd.DataFrame(columns=["policy", "unit", "date"]), "city", "date")
    ('unit', 'date')
    """
    ucol = unit if unit in adoptions.columns else "unit"
    tcol = time if time in adoptions.columns else "time"
    missing = [c for c in ("policy", ucol, tcol) if c not in adoptions.columns]
    if missing:
        raise StudyDataError([Problem("adoptions", None, c, None,
                                      f"missing column; adoptions need policy, {unit!r} (or 'unit') "
                                      f"and {time!r} (or 'time')") for c in missing])
    return ucol, tcol


def event_time_indicators(panel: pd.DataFrame, adoptions: pd.DataFrame, *, unit: str, time: str,
                          bins: Iterable[int | Sequence[int]]) -> pd.DataFrame:
    """One 0/1 column per policy and bin: the unit is ``lo..hi`` periods from an adoption.

    Follows Stata's ``L{k}.D.policy == 1`` semantics: a row is in a bin when any
    adoption of that policy by its unit happened ``lo`` to ``hi`` periods earlier
    (days for datetime ``time``); rows outside every bin are 0 (the reference).
    Units that never adopt are 0 throughout. Adoptions of units absent from the
    panel are an error (they would otherwise vanish silently).

    Examples
    --------
    >>> panel = pd.DataFrame({"unit": ["a"] * 4 + ["b"] * 4, "year": [1, 2, 3, 4] * 2})
    >>> adopt = pd.DataFrame({"policy": ["p"], "unit": ["a"], "year": [2]})
    >>> x = event_time_indicators(panel, adopt, unit="unit", time="year", bins=[(0, 1), (2, 5)])
    >>> x.astype(int).T.values.tolist()
    [[0, 1, 1, 0, 0, 0, 0, 0], [0, 0, 0, 1, 0, 0, 0, 0]]
    >>> list(x.columns)
    ['p_L0_to_L1', 'p_L2_to_L5']
    """
    bins = normalise_bins(bins)
    ucol, tcol = adoption_columns(adoptions, unit, time)
    a = adoptions[["policy", ucol, tcol]].rename(columns={ucol: "_unit", tcol: "_adopted"})
    bad = a[a["_adopted"].isna() | a["policy"].isna() | a["_unit"].isna()]
    if len(bad):
        raise StudyDataError([Problem("adoptions", int(i), None, None,
                                      "policy, unit and adoption time are required")
                              for i in bad.index])
    if pd.api.types.is_datetime64_any_dtype(panel[time]):
        a["_adopted"] = pd.to_datetime(a["_adopted"])
    elif not pd.api.types.is_numeric_dtype(panel[time]):
        raise InvalidOptionError(f"panel column {time!r} must hold numbers or dates; parse text "
                                 f"dates first (pandas.to_datetime).")
    elif not pd.api.types.is_numeric_dtype(a["_adopted"]):
        raise InvalidOptionError(f"adoption times must be numbers like the panel's {time!r}.")
    known = set(panel[unit])
    stray = a[~a["_unit"].isin(known)]
    if len(stray):
        raise StudyDataError([Problem("adoptions", int(i), ucol, r["_unit"], "unit not in the panel")
                              for i, r in stray.iterrows()])
    out = {}
    keys = pd.DataFrame({"_unit": panel[unit].to_numpy(), "_t": panel[time].to_numpy(),
                         "_row": np.arange(len(panel))})
    for policy in pd.unique(a["policy"]):
        m = keys.merge(a[a["policy"] == policy], on="_unit", how="inner")
        k = event_times(m["_t"], m["_adopted"])
        for b in bins:
            col = np.zeros(len(panel))
            hit = (k >= b[0]) & (k <= b[1])
            col[m["_row"].to_numpy()[hit]] = 1.0
            out[bin_name(str(policy), b)] = col
    return pd.DataFrame(out, index=panel.index)
