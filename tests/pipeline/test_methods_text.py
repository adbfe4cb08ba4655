"""Issue 10, item 7: the methods text and the exclusions say what was actually fitted."""

import importlib.util

import pytest

from policydiffusion.pipeline.assemble import _methods, all_exclusions
from policydiffusion.pipeline.run import analyse
from policydiffusion.studyfile import example_path, load_study_file

HAS_CHINA = importlib.util.find_spec("policydiffusion.datasets.china_mobile_gov") is not None


def _text(state, lang="en"):
    return " ".join(p.text[lang] for p in _methods(state).items)


@pytest.fixture(scope="module")
def us_state():
    over = {"policies.focus": ["lott"], "network.enabled": False, "describe.enabled": False,
            "riskset": [{"name": "single", "unit_attributes": ["capital_lat"],
                         "terms": [{"term": "neighbors_adopted", "relation": "contiguity",
                                    "kind": "share", "name": "neighbors"},
                                   {"term": "national_share", "lag": 0, "name": "natl_now"},
                                   {"term": "region_share", "name": "unused"},
                                   {"term": "duration_poly", "name": "t"}]}],
            "model": [{"name": "m", "formula": "adopt ~ neighbors + natl_now + capital_lat + duration"}],
            "moderation": [], "heterogeneity": [], "simulation": []}
    return analyse(load_study_file(example_path("us_states_spid"), overrides=over))


def test_time_dependence_is_what_the_model_used(us_state):
    # the risk set has a cubic polynomial, the model uses the linear counter
    text = _text(us_state)
    assert "Time dependence is modelled with a linear duration counter." in text
    assert "cubic" not in text and "三次" not in _text(us_state, "zh")


def test_each_term_is_described_with_its_own_timing(us_state):
    text = _text(us_state)
    assert "lagged one period, using information up to t-1: Share of neighbours adopted;" in text
    assert "measured in period t (in force at t): natl_now" in text
    assert "static (fixed over time): Latitude of the capital" in text
    assert "Share of region adopted" not in text  # built but in no model
    assert "each lagged one period" not in text


@pytest.mark.skipif(not HAS_CHINA, reason="the china_mobile_gov dataset is not installed")
def test_china_counts_dyad_events_and_adopters_and_the_first_adopter():
    state = analyse(load_study_file(example_path("china_mobile_gov"),
                                    overrides={"heterogeneity": [], "simulation": []}))
    text = _text(state)
    rs = next(b for b in state.risksets if b.spec.name == "dyads")
    n_dyads = rs.riskset.data.filter(rs.riskset.data["adopt"] == 1).height
    assert f"{n_dyads} dyad rows with outcome 1, from 30 adopting units" in text
    assert "static (fixed over time): Same urban agglomeration" in text
    assert "Study visits i → j (t-1) across Coercive pressure" in text
    assert "Journal of Politics" in text
    zh = _text(state, "zh")
    assert "来自 30 个采纳单位" in zh and "不随时间变化：同一城市群" in zh
    # Moran's I: Hainan has no land neighbour and counts in n (spdep adjust.n = FALSE)
    assert state.descriptions["mobile_gov"].moran.n == 31
    assert "units without a neighbour (Hainan)" in text and "adjust.n = FALSE" in text
    assert "海南" in zh
    assert "full dyadic risk set of Volden 2006" in text and "The provinces risk set" in text
    ex = all_exclusions(state)
    first = ex[ex["reason"].str.contains("conditional dyadic risk set")]
    assert first["count"].sum() == 1 and "370000" in first["examples"].iloc[0]
