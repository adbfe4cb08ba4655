"""Hsiang et al. (2020) China estimates reproduced from the shipped panel.

Golden files come from the authors' repository by golden/extract_hsiang2020.sh.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from policydiffusion.datasets import list_datasets, load_dataset

GOLDEN = Path(__file__).parent / "golden"


def test_dataset_registered_and_as_published():
    assert "china_covid_outcomes" in set(list_datasets()["name"])
    d = load_dataset("china_covid_outcomes")
    assert d.shape == (29832, 9)
    assert d.groupby(["adm1_name", "adm2_name"]).size().eq(88).all()
    assert d["date"].min() == "2020-01-10" and d["date"].max() == "2020-04-06"
    # Wuhan's peak of active cases in the published file.
    wuhan = d[d["adm2_name"] == "Wuhan"]
    assert wuhan["active_cases"].max() == 37875


def test_growth_rate_matches_authors_regression_sample(china):
    # Row by row against the authors' own Stata output (stored as float, printed %9.0g).
    ref = pd.read_csv(GOLDEN / "hsiang2020_chn_growth.csv.gz")
    ref["city"] = ref["adm2_name"] + ", " + ref["adm1_name"]
    ref["date"] = pd.to_datetime(ref["date"])
    ours = china.panel.loc[china.panel["growth"].notna(), ["city", "date", "growth"]]
    m = ours.merge(ref, on=["city", "date"], how="outer", indicator=True)
    assert (m["_merge"] == "both").all(), m[m["_merge"] != "both"].head()
    np.testing.assert_allclose(m["growth"], m["D_l_active_cases"], rtol=2e-6, atol=2e-6)


def _within_published(ours: float, published: float) -> bool:
    # Stata round(x, 0.001): ours must round to the published three decimals.
    return abs(ours - published) <= 0.0005 + 1e-9


def test_event_study_reproduces_published_coefficients(china_fit):
    pub = pd.read_csv(GOLDEN / "hsiang2020_chn_published.csv").set_index("policy")
    t = china_fit.tidy().set_index("term")
    assert china_fit.n_obs == 3669 and china_fit.n_clusters == 48
    assert len(t) == 15
    for term, row in t.iterrows():
        assert _within_published(row["estimate"], pub.at[term, "beta"]), (term, row["estimate"])
        assert _within_published(row["std_error"], pub.at[term, "se"]), (term, row["std_error"])


@pytest.mark.parametrize("label, policies, lag", [
    ("first week", ("home_isolation", "travel_ban_local", "emergency_declaration"), "L0_to_L7"),
    ("fifth week and after", ("home_isolation", "travel_ban_local", "emergency_declaration"),
     "L29_to_L70"),
    ("home_iso_L8_to_L14 + trvl_ban_loc_L8_to_L14", ("home_isolation", "travel_ban_local"),
     "L8_to_L14"),
])
def test_lincom_reproduces_published_packages(china_fit, label, policies, lag):
    pub = pd.read_csv(GOLDEN / "hsiang2020_chn_published.csv").set_index("policy")
    est, se = china_fit.lincom({f"{p}_{lag}": 1.0 for p in policies})
    assert _within_published(est, pub.at[label, "beta"]) and _within_published(se, pub.at[label, "se"])


def test_sample_rules_counted(china):
    assert china.exclusions == {
        "after the end of sample (2020-03-05)": 10848,
        "on or after the city lifted its local travel ban": 37,
        "city never recorded with a travel ban or home isolation": 11088,
    }
    assert china.adoptions.groupby("policy").size().to_dict() == {
        "emergency_declaration": 141, "home_isolation": 141, "travel_ban_local": 141}
