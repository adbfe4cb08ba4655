"""The real multi-level Chinese datasets: counts, codes and header dates."""

import pandas as pd
import pytest

from policydiffusion.datasets import list_datasets, load_dataset
from policydiffusion.datasets.china_levels import (china_covid_study, china_levels_units,
                                                   china_regulations_study)


def test_registered_and_not_simulated():
    d = list_datasets().set_index("name")
    for name in ("china_prefectures", "china_prefecture_adjacency", "china_prefectures_geometry",
                 "china_covid_2020", "china_regulations"):
        assert not d.loc[name, "simulated"]


def test_prefectures_codes_and_adjacency_symmetric():
    p = load_dataset("china_prefectures")
    assert len(p) == 363 and p["code"].is_unique
    a = load_dataset("china_prefecture_adjacency")
    pairs = set(zip(a["code"], a["neighbor"]))
    assert all((b, c) in pairs for c, b in pairs)
    wuhan = {b for c, b in pairs if c == 420100}
    assert {420900, 421100, 420700} <= wuhan  # Xiaogan, Huanggang, Ezhou


def test_covid_counts_match_the_source():
    m = load_dataset("china_covid_2020")
    got = m.groupby(["policy", "level"]).size().to_dict()
    assert got == {("emergency_declaration", "province"): 31, ("home_isolation", "prefecture"): 112,
                   ("home_isolation", "province"): 3, ("travel_ban_local", "prefecture"): 21,
                   ("travel_ban_local", "province"): 1}
    assert m["source"].notna().all()
    wuhan = m[(m["policy"] == "travel_ban_local") & (m["unit"] == 420100)]
    assert wuhan["date"].tolist() == ["2020-01-23"]


def test_covid_study_counts_repeated_orders():
    s = china_covid_study(policies=["home_isolation"])
    ex = s.exclusions
    assert ex["count"].sum() == 2 and "later order" in ex["reason"].iloc[0]


def test_regulation_dates_come_from_headers_not_file_names():
    r = load_dataset("china_regulations").set_index("title_zh")
    # the file is 郑州市文明行为促进条例(2022-01-01).md; the header says passed 2017-12-21
    assert r.loc["郑州市文明行为促进条例", "adoption_date"] == "2017-12-21"
    assert r.loc["郑州市文明行为促进条例", "approved"] == "2018-03-31"
    assert r.loc["优化营商环境条例", "level"] == "central"
    assert r.loc["优化营商环境条例", "passed"] == "2019-10-08"


def test_henan_cities_before_province():
    r = load_dataset("china_regulations")
    cb = r[r["policy"] == "civilized_behavior"]
    prov = cb.loc[cb["unit"] == 410000, "adoption_date"].item()
    early = cb[(cb["level"] == "prefecture") & cb["unit"].astype(str).str.startswith("41")
               & (cb["adoption_date"] < prov)]
    assert len(early) == 4


def test_levels_units_tree():
    u = china_levels_units()
    assert u["unit"].is_unique
    parents = set(u["parent"].dropna())
    assert parents <= set(u["unit"])
    s = china_regulations_study()
    assert s.adoptions.height == 57
