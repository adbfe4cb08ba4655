"""Trust audit of effects (issue: full-audit-interpret): an event-time bin or adopter group
that is nonzero in one cluster only has no identified cluster-robust standard error; its
test rejected a true null in 46.5% of 200 simulated panels at the 5% level."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyfixest")

from policydiffusion.effects import effect_heterogeneity, event_study  # noqa: E402
from policydiffusion.report.document import ReportDocument  # noqa: E402
from policydiffusion.report.effects_section import effects_section  # noqa: E402
from policydiffusion.report.html import render_html  # noqa: E402

BINS = [(-3, -2), (0, 3), (6, 8)]


def _panel(seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame]:
    # 20 units, 10 years; unit 0 adopts in year 1, the only adopter reaching 6-8 years
    panel = pd.DataFrame({"unit": np.repeat(range(20), 10), "year": np.tile(range(10), 20)})
    panel["y"] = np.random.default_rng(seed).normal(size=len(panel))
    adopt = pd.DataFrame({"policy": "p", "unit": range(10), "year": [1] + [5] * 5 + [6] * 4})
    return panel, adopt


@pytest.fixture(scope="module")
def fit():
    panel, adopt = _panel()
    return event_study(panel, adopt, outcome="y", unit="unit", time="year", bins=BINS,
                       absorb=("unit", "year"), cluster="unit")


def test_bin_one_adopter_reaches_has_no_standard_error(fit):
    # before: estimate 0.513, SE 0.144, p = 0.002 from pure noise
    t = fit.tidy().set_index("term")
    one = t.loc["p_L6_to_L8"]
    assert one["estimate"] == pytest.approx(0.5133, abs=1e-4)  # the estimate stands
    assert one[["std_error", "statistic", "p_value", "conf_low", "conf_high"]].isna().all()
    assert "one cluster of unit only (0)" in one["se_not_identified"]
    many = t.loc["p_L0_to_L3"]
    assert many["std_error"] > 0 and 0 < many["p_value"] < 1 and many["se_not_identified"] == ""
    assert "no standard error for p_L6_to_L8" in fit.summary()
    assert np.isnan(fit.lincom({"p_L6_to_L8": 1.0, "p_L0_to_L3": -1.0})[1])
    assert np.isfinite(fit.lincom({"p_L0_to_L3": 1.0})[1])
    w = fit.wald(["p_L0_to_L3", "p_L6_to_L8"])
    assert np.isnan(w["p_value"]) and "p_L6_to_L8" in w["reason"]


def test_without_clusters_every_bin_keeps_its_standard_error():
    panel, adopt = _panel()
    r = event_study(panel, adopt, outcome="y", unit="unit", time="year", bins=BINS,
                    absorb=("unit", "year"))
    assert r.tidy()["std_error"].notna().all() and not r.se_not_identified


def test_adopter_group_of_one_has_no_standard_error_or_joint_test():
    panel, adopt = _panel(2)
    adopt = adopt.assign(year=[3] * 10)
    grp = pd.DataFrame({"unit": range(10), "g": ["a"] * 9 + ["b"]})  # group b: one adopter
    h = effect_heterogeneity(panel, adopt, outcome="y", unit="unit", time="year",
                             bins=[(0, 6)], policy="p", moderator=grp, column="g",
                             absorb=("unit", "year"), cluster="unit")
    t = h.tidy().set_index("group")
    assert np.isfinite(t.loc["a", "p_value"]) and np.isnan(t.loc["b", "p_value"])
    assert np.isnan(t.loc["b", "difference_p"]) and np.isfinite(t.loc["b", "difference"])
    test = h.test()
    assert np.isnan(test["p_value"]) and "one cluster" in test["reason"]


def test_report_says_why_a_bin_has_no_standard_error(fit):
    doc = ReportDocument(title={"en": "T", "zh": "T"}, sections=(effects_section(fit),))
    en, zh = render_html(doc, lang="en"), render_html(doc, lang="zh")
    assert "No standard error, test or interval for p_L6_to_L8" in en
    assert "p_L6_to_L8 无标准误" in zh


def test_significant_share_counts_only_adopters_with_a_test():
    from policydiffusion.effects import benefit_components, unit_effects

    rng = np.random.default_rng(4)
    panel = pd.DataFrame({"unit": np.repeat(range(12), 10), "year": np.tile(range(10), 12)})
    adopt = pd.DataFrame({"policy": "p", "unit": range(8), "year": [3, 3, 4, 4, 5, 5, 6, 9]})
    k = panel["year"] - panel["unit"].map(dict(zip(adopt["unit"], adopt["year"])))
    panel["y"] = np.where(k.between(0, 1), -2.0, 0.0) + rng.normal(0, 0.3, len(panel))
    opts = dict(outcome="y", unit="unit", time="year", window=(0, 1),
                absorb=("unit", "year"), cluster="year")
    ue = unit_effects(panel, adopt, policy="p", **opts).set_index("unit")
    # unit 7 adopts in the last year: its window lies in one year cluster
    assert np.isnan(ue.loc[7, "p_value"]) and ue["p_value"].drop(7).notna().all()
    b = benefit_components(panel, adopt, **opts).iloc[0]
    assert b["n_identified"] == 8 and b["n_tested"] == 7
    tested = ue.drop(7)
    share = ((tested["estimate"] < 0) & (tested["p_value"] < 0.05)).mean()
    assert b["significant_share"] == pytest.approx(share) and share > 0.5


def test_bin_of_one_row_has_no_robust_standard_error_without_clusters():
    # before: p_L8_to_L8 (unit 0 in year 9 only) -1.707, SE 0.354, p = 3e-6 on noise; a
    # true null was rejected in 48.5% of 200 simulated panels at the 5% level
    panel, adopt = _panel(0)
    r = event_study(panel, adopt, outcome="y", unit="unit", time="year", bins=[(0, 3), (8, 8)],
                    absorb=("unit", "year"))
    t = r.tidy().set_index("term")
    assert np.isnan(t.loc["p_L8_to_L8", "p_value"]) and np.isfinite(t.loc["p_L0_to_L3", "p_value"])
    assert "one row only" in t.loc["p_L8_to_L8", "se_not_identified"]


def test_china_reproduction_keeps_every_event_time_standard_error(china_fit):
    # Hsiang et al.'s one-day testing-regime dummies are controls nested in the date
    # clusters: marked, but the event-time terms the report shows keep their SEs
    assert all(t.startswith("testing_regime_change") for t in china_fit.se_not_identified)
    assert china_fit.tidy()["std_error"].notna().all()
    full = china_fit.tidy(all_terms=True).set_index("term")
    assert full.loc[list(china_fit.se_not_identified), "std_error"].isna().all()
    assert "no standard error" not in china_fit.summary()
    doc = ReportDocument(title={"en": "T", "zh": "T"}, sections=(effects_section(china_fit),))
    assert "No standard error" not in render_html(doc, lang="en")


def test_heterogeneity_note_names_the_rows_the_table_shows():
    """The note names 'term (group)', as the heterogeneity table's rows read, not the
    fit's interacted column 'term__group'."""
    from policydiffusion.report.effects_section import _het_names, _se_note

    rng = np.random.default_rng(2)
    p = pd.DataFrame({"unit": np.repeat(range(40), 8), "t": np.tile(range(8), 40)})
    a = pd.DataFrame({"policy": "x", "unit": range(16), "t": rng.integers(2, 6, 16)})
    grp = pd.DataFrame({"unit": range(16), "g": ["early"] * 15 + ["late"]})  # one late adopter
    k = p["t"] - p["unit"].map(dict(zip(a["unit"], a["t"])))
    p["y"] = np.where(k >= 0, 1.0, 0.0) + rng.normal(0, .1, len(p))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        h = effect_heterogeneity(p, a, outcome="y", unit="unit", time="t", bins=[(0, 9)], policy="x",
                                 moderator=grp, column="g", absorb=("unit", "t"), cluster="unit")
    note = _se_note(h.fit, _het_names(h))
    assert "for x_L0_to_L9 (late):" in note["en"] and "__" not in note["en"] + note["zh"]
