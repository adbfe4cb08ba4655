"""Real multi-level Chinese data: prefecture geography, COVID-19 measures, regulations.

Registers the datasets ``china_prefectures``, ``china_prefecture_adjacency``,
``china_prefectures_geometry``, ``china_covid_2020`` and ``china_regulations`` (see the
READMEs beside the files) and builds study pieces from them:
:func:`china_levels_units` (centre, provinces and prefectures with ``level`` and
``parent``), :func:`china_covid_study` and :func:`china_regulations_study`.
"""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from policydiffusion.datasets import DatasetInfo, dataset_path, load_dataset, register_dataset

__all__ = ["china_levels_units", "china_covid_study", "china_regulations_study",
           "CENTRAL_UNIT", "LEVELS", "COVID_SOURCE", "REGULATIONS_SOURCE"]

#: The central unit's code (the national code of the adcode source; GB/T 2260 has none).
CENTRAL_UNIT = "100000"
#: Levels of the Chinese units, top to bottom.
LEVELS = ("central", "province", "prefecture")
_ADCODE = "Vonng/adcode b755d6e (NBS division codes 2016; AMap boundaries)"
COVID_SOURCE = ("Global-Policy-Lab/gpl-covid data/raw/china/CHN_policy_data_sources.csv "
                "(commit 84369c5; Hsiang et al. 2020, Nature 584: 262-267)")
REGULATIONS_SOURCE = ("LawRefBook/Laws (commit 2f4c5c2), statute headers; texts from the "
                      "national database of laws and regulations, flk.npc.gov.cn")
_REG_PROVINCES = ("110000", "310000", "370000", "410000", "330000", "500000", "440000")

for _info in [
    DatasetInfo("china_prefectures", "table",
                "China's 363 prefecture-level units (334 prefectures, 4 municipalities, 25 "
                "province-administered county-level units): GB/T codes, Chinese and pinyin "
                "names, province, WGS84 centre point", _ADCODE, "CC BY 4.0 (Vonng/adcode)",
                "geo/china_prefectures.csv"),
    DatasetInfo("china_prefecture_adjacency", "table",
                "Queen contiguity of the prefecture-level units, both directions (1,930 rows)",
                "computed from " + _ADCODE, "CC BY 4.0 (Vonng/adcode)",
                "geo/china_prefecture_adjacency.csv"),
    DatasetInfo("china_prefectures_geometry", "geometry",
                "China's prefecture-level units, simplified polygons (GeoJSON, WGS84)",
                _ADCODE, "CC BY 4.0 (Vonng/adcode)", "geo/china_prefectures.geojson"),
    DatasetInfo("china_covid_2020", "table",
                "COVID-19 measures, Jan-Feb 2020: 31 provincial Level I emergency "
                "declarations, 115 home-isolation and 22 local travel-ban orders of "
                "prefectures and provinces, each with its source (168 rows)", COVID_SOURCE,
                "CC0 1.0 (gpl-covid data); cite Hsiang et al. 2020",
                "china_covid_2020/measures.csv"),
    DatasetInfo("china_regulations", "table",
                "Adoption dates of 优化营商环境条例 (State Council 2019, 6 provincial, 8 city) and "
                "文明行为促进条例 (2 provincial, 40 city) from the statute headers (57 rows)",
                REGULATIONS_SOURCE,
                "none stated; legislation is excluded from copyright (PRC Copyright Law art. 5)",
                "china_regulations/adoptions.csv"),
]:
    register_dataset(_info)


def _table(name: str) -> pd.DataFrame:
    return pd.read_csv(dataset_path(name), dtype=str, keep_default_na=False, na_values=[""])


def china_levels_units(*, provinces: Sequence[str] | None = None) -> pd.DataFrame:
    """Units at three levels: the centre, the 31 provinces and 363 prefecture-level units.

    Columns ``unit`` (GB/T code as text; the centre is ``100000``), ``name`` (English or
    pinyin), ``name_zh``, ``level`` (``central``, ``province``, ``prefecture``),
    ``parent`` (the centre for provinces, the province for prefectures), ``province``,
    ``kind`` and the WGS84 centre point. ``provinces`` keeps only those provinces
    (codes) and their prefectures, with the centre.

    Examples
    --------
    >>> u = china_levels_units()
    >>> u["level"].value_counts().to_dict()
    {'prefecture': 363, 'province': 31, 'central': 1}
    >>> u.loc[u["unit"] == "420100", ["name_zh", "parent"]].values.tolist()
    [['武汉市', '420000']]
    """
    from policydiffusion.datasets import china_provinces_units

    prov = china_provinces_units()
    pref = _table("geo/china_prefectures.csv")
    central = pd.DataFrame({"unit": [CENTRAL_UNIT], "name": ["China (central government)"],
                            "name_zh": ["中央"], "level": ["central"], "parent": [None],
                            "province": [None], "kind": ["central"],
                            "centroid_lon": [116.39748], "centroid_lat": [39.90872]})
    provs = pd.DataFrame({"unit": prov["unit"], "name": prov["name"], "name_zh": prov["name_zh"],
                          "level": "province", "parent": CENTRAL_UNIT, "province": prov["unit"],
                          "kind": "province", "centroid_lon": prov["centroid_lon"],
                          "centroid_lat": prov["centroid_lat"]})
    prefs = pd.DataFrame({"unit": pref["code"], "name": pref["name_en"],
                          "name_zh": pref["name_zh"], "level": "prefecture",
                          "parent": pref["province_code"], "province": pref["province_code"],
                          "kind": pref["kind"], "centroid_lon": pref["centroid_lon"].astype(float),
                          "centroid_lat": pref["centroid_lat"].astype(float)})
    out = pd.concat([central, provs, prefs], ignore_index=True)
    if provinces is not None:
        keep = set(provinces)
        out = out[(out["level"] == "central") | out["province"].isin(keep)]
    return out.reset_index(drop=True)


def china_covid_study(*, policies: Sequence[str] = ("emergency_declaration", "home_isolation",
                                                     "travel_ban_local"),
                      end: str = "2020-02-29"):
    """The 2020 COVID-19 measures as a daily Study of provinces and prefectures.

    Periods are days (``granularity="period"``: 1 = 2020-01-01, so 23 = January 23).
    Units are :func:`china_levels_units` (the centre never adopts here) with
    ``dist_wuhan`` (great-circle distance from the unit's centre point to Wuhan's, in
    100 km). Adoptions are the first recorded order of each measure in each unit (a
    later order of the same measure in the same unit is left out and counted in
    ``study.exclusions``). The covariate ``emergency_days`` is the number of days the
    unit's province had been under its Level I emergency declaration (1 on the day of
    the declaration, 0 before; provinces count their own). Relation ``adjacent``:
    prefecture contiguity. Observation runs from 2020-01-23 (the first order) to ``end``.

    Examples
    --------
    >>> s = china_covid_study(policies=["home_isolation"])
    >>> s.granularity, s.adoptions.height, int(s.exclusions["count"].sum())
    ('period', 113, 2)
    """
    from dataclasses import replace

    import numpy as np

    from policydiffusion.study import Exclusion, RelationSpec, load_study

    day0 = pd.Timestamp("2020-01-01")

    def day(dates: pd.Series) -> pd.Series:
        return (pd.to_datetime(dates) - day0).dt.days + 1

    measures = load_dataset("china_covid_2020")
    measures["unit"] = measures["unit"].astype(str)
    m = measures[measures["policy"].isin(list(policies))].sort_values(["policy", "date", "unit"])
    dup = m.duplicated(["policy", "unit"], keep="first")
    first = m[~dup]
    adopt = pd.DataFrame({"policy": first["policy"], "unit": first["unit"],
                          "time": day(first["date"])})
    units = china_levels_units()
    lat, lon = np.radians(units["centroid_lat"].astype(float)), np.radians(units["centroid_lon"].astype(float))
    w = units["unit"] == "420100"
    wlat, wlon = float(lat[w].iloc[0]), float(lon[w].iloc[0])
    hav = np.sin((lat - wlat) / 2) ** 2 + np.cos(lat) * np.cos(wlat) * np.sin((lon - wlon) / 2) ** 2
    units["dist_wuhan"] = np.round(2 * 6371.0088 * np.arcsin(np.sqrt(hav)) / 100, 4)
    em = measures[measures["policy"] == "emergency_declaration"]
    declared = dict(zip(em["unit"], day(em["date"])))
    last = int(day(pd.Series([end])).iloc[0])
    rows = [(u, t, float(max(0, t - declared[p] + 1)) if p in declared else 0.0)
            for u, p in zip(units["unit"], units["province"]) for t in range(23, last + 1)]
    cov = pd.DataFrame(rows, columns=["unit", "time", "emergency_days"])
    adj = _table("geo/china_prefecture_adjacency.csv")
    study = load_study(adopt, units=units, covariates=cov, granularity="period", start=23,
                       end=last,
                       relations={"adjacent": RelationSpec(adj, source="code", target="neighbor",
                                                           description="shared boundary (queen)")})
    if dup.any():
        ex = Exclusion("load", "a later order of the same measure in the same unit (the first "
                       "is the adoption)", int(dup.sum()),
                       tuple(f"{p}/{u}" for p, u in zip(m.loc[dup, "policy"], m.loc[dup, "unit"]))[:5])
        study = replace(study, exclusion_log=study.exclusion_log + (ex,))
    return study


def china_regulations_study(*, policies: Sequence[str] = ("business_environment",
                                                           "civilized_behavior"),
                            granularity: str = "month", end: str = "2023-12"):
    """The two regulation series as a Study of the centre and the covered provinces.

    Only the seven provinces whose local regulations the source covers (Beijing,
    Shanghai, Chongqing, Shandong, Henan, Zhejiang, Guangdong) and their prefectures are
    units, so a unit without a row is a non-adopter, not an unobserved one. The
    municipalities legislate as provinces, so their prefecture-level twins are left out;
    Laiwu exits at the end of 2018 (merged into Jinan). Times are the passage dates at
    ``granularity``.

    Examples
    --------
    >>> s = china_regulations_study()
    >>> s.n_units, s.adoptions.height
    (75, 57)
    """
    from policydiffusion.study import load_study

    a = load_dataset("china_regulations")
    a = a[a["policy"].isin(list(policies))]
    adopt = pd.DataFrame({"policy": a["policy"], "unit": a["unit"].astype(str),
                          "time": a["adoption_date"]})
    units = china_levels_units(provinces=_REG_PROVINCES)
    # A municipality legislates as a province; its prefecture-level twin is the same government.
    units = units[units["kind"] != "municipality"].assign(exit=None)
    units.loc[units["unit"] == "371200", "exit"] = "2018-12"  # Laiwu, merged into Jinan in 2019
    return load_study(adopt, units=units, granularity=granularity, end=end)
