"""The China city panel of Hsiang et al. (2020) prepared as their Stata code does.

Follows ``code/models/alt_growth_rates/CHN_adm2.do`` of Global-Policy-Lab/gpl-covid
(commit 84369c5) step by step, with Stata's semantics: lags and differences are by
calendar day within a city (missing when the previous day is not in the data),
``log(0)`` and ``x/0`` are missing, and a missing value compares greater than any
number (so ``replace ... if x < c`` never touches a missing ``x``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

__all__ = ["hsiang_china_panel", "HsiangChinaPanel", "HSIANG_BINS", "HSIANG_POLICIES"]

#: The weekly bins of days since a measure started, as in the paper.
HSIANG_BINS = ((0, 7), (8, 14), (15, 21), (22, 28), (29, 70))
#: The three measures, in the order of the published table.
HSIANG_POLICIES = ("emergency_declaration", "travel_ban_local", "home_isolation")

_QUALITY_START = pd.Timestamp("2020-01-16")  # data-quality cut-off date of the .do file
_END = pd.Timestamp("2020-03-05")  # code/data/cutoff_dates.csv, tag CHN_analysis


@dataclass(frozen=True)
class HsiangChinaPanel:
    """The regression panel (``city``, ``date``, ``growth`` and the testing-regime
    dummies named in ``controls``), the adoption records (``policy``, ``city``,
    ``date``) and the rows and cities the sample rules removed, by reason."""

    panel: pd.DataFrame
    adoptions: pd.DataFrame
    controls: tuple[str, ...]
    exclusions: Mapping[str, int]


def _lag(d: pd.DataFrame, col: str | pd.Series, k: int = 1) -> pd.Series:
    """Stata ``L{k}.col`` on a daily panel: the value k calendar days earlier, same city."""
    s = d[col] if isinstance(col, str) else col
    g = d["city"]
    prev = s.groupby(g).shift(k)
    prev_t = d["date"].groupby(g).shift(k)
    return prev.where(d["date"] - prev_t == pd.Timedelta(days=k))


def hsiang_china_panel(raw: pd.DataFrame | None = None) -> HsiangChinaPanel:
    """Build the China regression sample of Hsiang et al. (2020) from the shipped panel.

    The outcome ``growth`` is the daily change in log active cases, replaced by new
    cases over yesterday's active cases where that change is below 0.04 (their
    recovery adjustment), set missing above 1.5, below 0, and at exactly 0 in
    January. Cases before 2020-01-16 and city-days with fewer than 10 cumulative
    cases are missing; the sample ends 2020-03-05; the two cities that lifted their
    travel ban lose the days from the lift on; cities never recorded with a travel
    ban or home isolation are dropped. Controls are one dummy per day on which the
    national testing regime changed. Adoptions are the days each measure switched
    from 0 to 1 (with the previous day observed), as Stata's ``D.policy == 1``.

    Examples
    --------
    >>> h = hsiang_china_panel()
    >>> h.panel["city"].nunique(), int(h.panel["growth"].notna().sum()), len(h.controls)
    (141, 3669, 6)
    """
    if raw is None:
        from policydiffusion.datasets import load_dataset

        raw = load_dataset("china_covid_outcomes")
    d = raw.copy()
    d["date"] = pd.to_datetime(d["date"])
    # Names repeat across provinces, so a city is (city, province).
    d["city"] = d["adm2_name"] + ", " + d["adm1_name"]
    d = d.sort_values(["city", "date"]).reset_index(drop=True)
    excl: dict[str, int] = {}
    early = d["date"] < _QUALITY_START
    d.loc[early, ["cum_confirmed_cases", "active_cases"]] = np.nan
    late = d["date"] > _END
    excl["after the end of sample (2020-03-05)"] = int(late.sum())
    d = d[~late].reset_index(drop=True)

    lifted = (d["travel_ban_local"] - _lag(d, "travel_ban_local")) == -1
    lift_day = d["date"].where(lifted).groupby(d["city"]).transform("min")
    after_lift = lift_day.notna() & (d["date"] >= lift_day)
    excl["on or after the city lifted its local travel ban"] = int(after_lift.sum())
    d = d[~after_lift].reset_index(drop=True)

    few = d["cum_confirmed_cases"] < 10
    d.loc[few, "active_cases"] = np.nan
    d.loc[few, "cum_confirmed_cases"] = np.nan

    ever = (d.groupby("city")["home_isolation"].transform("max")
            + d.groupby("city")["travel_ban_local"].transform("max"))
    never = ever == 0
    excl["city never recorded with a travel ban or home isolation"] = int(never.sum())
    d = d[~never].reset_index(drop=True)

    active = d["active_cases"].astype(float)
    log_active = np.log(active.where(active > 0))
    dlog = log_active - _lag(d, log_active)
    prev_active = _lag(d, "active_cases").astype(float)
    new_over_active = ((d["cum_confirmed_cases"] - _lag(d, "cum_confirmed_cases"))
                       / prev_active.where(prev_active != 0))
    growth = dlog.where(~(dlog < 0.04), new_over_active)
    growth = growth.mask(growth > 1.5).mask(growth < 0)
    growth = growth.mask((growth == 0) & (d["date"].dt.month == 1))
    d["growth"] = growth

    changes = d.groupby("testing_regime")["date"].min().sort_values().iloc[1:]
    controls = []
    for day in changes:
        name = "testing_regime_change_" + day.strftime("%Y_%m_%d")
        d[name] = (d["date"] == day).astype(float)
        controls.append(name)

    rows = []
    for policy in HSIANG_POLICIES:
        on = (d[policy] - _lag(d, policy)) == 1
        rows.append(pd.DataFrame({"policy": policy, "city": d.loc[on, "city"],
                                  "date": d.loc[on, "date"]}))
    adoptions = pd.concat(rows, ignore_index=True)
    panel = d[["city", "adm1_name", "adm2_name", "date", "growth", *controls, *HSIANG_POLICIES]]
    return HsiangChinaPanel(panel, adoptions, tuple(controls), {k: v for k, v in excl.items() if v})
