"""SIMULATED study: provincial mobile-government platform launches in China, 2014-2022.

The provinces, their regions, centroids, land borders and urban agglomerations are
real; every score, officials' study visit, pilot designation, expert-network
membership and launch date is **simulated** from a known directed-dyad process (its
parameters, formula and seed are in ``data/china_mobile_gov/dgp.json``; the files
were written by ``python -m policydiffusion.simulate.china_mobile_gov --write``).
This module only reads the files.

Examples
--------
>>> from policydiffusion.datasets.china_mobile_gov import china_mobile_gov_study
>>> s = china_mobile_gov_study()
>>> s.n_units, s.start, s.end, sorted(s.relations)
(31, 2014, 2022, ['contiguity', 'visits'])
"""

from __future__ import annotations

import json

import pandas as pd

from policydiffusion.datasets import DatasetInfo, dataset_path, load_dataset, register_dataset
from policydiffusion.errors import check_choice

__all__ = ["china_mobile_gov_study", "load_china_mobile_gov_tables", "POLICY"]

POLICY = "mobile_gov"
_DIR = "china_mobile_gov"
_FILES = ("adoptions", "units", "covariates", "visits", "events", "truth")
_CODES = {"province": str, "from": str, "to": str, "unit": str, "source": str}


def load_china_mobile_gov_tables() -> dict:
    """The SIMULATED china_mobile_gov files as DataFrames, plus ``dgp`` (a dict).

    Keys: ``adoptions``, ``units``, ``covariates``, ``visits``, ``events``,
    ``truth`` (the simulated emulation and innovation events) and ``dgp`` (the
    process, its parameter values, formula, seed and a ``note``). Province codes are
    text.

    Examples
    --------
    >>> t = load_china_mobile_gov_tables()
    >>> t["dgp"]["simulated"], len(t["units"])
    (True, 31)
    """
    out: dict = {}
    for name in _FILES:
        path = dataset_path(f"{_DIR}/{name}.csv")
        head = pd.read_csv(path, nrows=0).columns
        out[name] = pd.read_csv(path, dtype={c: str for c in head if c in _CODES},
                                keep_default_na=False, na_values=[""])
    out["dgp"] = json.loads(dataset_path(f"{_DIR}/dgp.json").read_text(encoding="utf-8"))
    return out


def _at(year: pd.Series, granularity: str) -> pd.Series:
    """A year as a time at the study granularity (its first month or quarter)."""
    if granularity == "year":
        return year.astype(int)
    return year.astype(int).astype(str) + "-01"


def china_mobile_gov_study(*, granularity: str = "year", tables: dict | None = None):
    """The SIMULATED provincial mobile-government study as a Study.

    One policy (``mobile_gov``), 31 provinces (``unit`` = GB/T code, ``name``,
    ``name_zh``, ``region`` (NBS), ``geo_region``, ``agglomeration``, centroid),
    launches 2014-2022 (``time`` keeps the launch date), covariates 2013-2022
    (egov_score, coercive, central_pilot, normative, national_share, region_share),
    relations ``visits`` (directed, weighted by the count, period-varying) and
    ``contiguity`` (land borders), and events (central directives for all provinces,
    central pilot designations for one province each).

    Parameters
    ----------
    granularity
        ``year`` (default), ``quarter`` or ``month``. Launches are then placed in
        their quarter or month; the annual covariates are held constant within
        each year, and annual visits and events are dated to the first quarter or
        month of their year.

    Examples
    --------
    >>> s = china_mobile_gov_study(granularity="month")
    >>> s.label(s.start), s.label(s.end)
    ('2014-01', '2022-12')
    """
    from policydiffusion.study import RelationSpec, load_study

    check_choice("granularity", granularity, ("year", "quarter", "month"))
    t = load_china_mobile_gov_tables() if tables is None else tables
    adopt = t["adoptions"].assign(policy=POLICY)
    units = t["units"].rename(columns={"province": "unit"})
    if tables is not None:  # an empty agglomeration becomes missing, to match what the file reader gives
        units = units.assign(agglomeration=units["agglomeration"].replace("", None))
    cov = t["covariates"].rename(columns={"province": "unit"})
    if granularity != "year":
        per_year = 12 if granularity == "month" else 4
        step = 1 if granularity == "month" else 3
        cov = cov.loc[cov.index.repeat(per_year)].reset_index(drop=True)
        sub = list(range(per_year)) * (len(cov) // per_year)
        cov["year"] = [f"{y}-{1 + step * k:02d}" for y, k in zip(cov["year"], sub)]
    visits = t["visits"].assign(year=lambda d: _at(d["year"], granularity))
    events = t["events"][["event", "start", "unit"]].assign(
        start=lambda d: _at(d["start"], granularity))
    adj = load_dataset("china_province_adjacency")
    adj = adj[adj["both_mainland"] == 1]
    adj = pd.DataFrame({"source": adj["code"].astype(str), "target": adj["neighbor_code"].astype(str),
                        "border_km": adj["border_km"]})
    end = "2022" if granularity == "year" else "2022-12"
    start = "2014" if granularity == "year" else "2014-01"
    return load_study(
        adopt[["policy", "province", "launch_date"]],
        units=units,
        covariates=cov,
        relations={
            "visits": RelationSpec(visits, source="from", target="to", weight="count", period="year",
                                   directed=True,
                                   description="SIMULATED officials' study visits i -> j per year"),
            "contiguity": RelationSpec(adj, description="shared land border (Natural Earth 1:10m)"),
        },
        events=events,
        unit_col="province",
        units_id_col="unit",
        time_col="launch_date",
        covariates_unit_col="unit",
        covariates_time_col="year",
        granularity=granularity,
        start=start,
        end=end,
    )


register_dataset(DatasetInfo(
    "china_mobile_gov", "study",
    "SIMULATED provincial mobile-government platform launches, 31 Chinese provinces 2014-2022, "
    "with officials' study visits, e-government scores, coercive/mimetic/normative pressure and "
    "urban agglomerations; generated from a known directed-dyad process (dgp.json), "
    "design after Lin et al.",
    "simulated by policydiffusion.simulate.china_mobile_gov (seed in dgp.json); real province "
    "geography from the shipped geo files",
    "MIT (simulated data); geography: see china_provinces",
    loader=china_mobile_gov_study, simulated=True,
))
