"""Diffusion modes: hand-worked toy policies, the hazard break against R, bad input, CLI.

Toy tree: C (central) > P1, P2 (province) > A, B, D under P1 and E, F, G under P2 (city).
Observation ends in 2004.

- rollout: C 2001; A, B 2002; D 2003. Nobody before the centre: top-down; half of the
  three lower adopters (the 2nd) by 2002, one period after C.
- pilot: A designated a pilot in 2000, adopts 2001; C 2002; B, D 2003. One of three
  before C, two after: pilot-then-promote. Hazard break (risk from 2001): before = 2001,
  8 lower units at risk, 1 event; after = 2002-2004, B and D 2 periods each, P1, P2,
  E, F, G 3 each = 19 unit-periods, 2 events: HR = (2/19)/(1/8) = 16/19.
- peer: no central adoption; A, B, D (all under P1). Same-parent pairs 3; expected
  C(3,2) * (3*2 + 3*2) / (6*5) = 1.2 among the six cities: clustering 2.5, but three
  random cities share one parent in 2 of C(6,3) = 20 draws (exact p = 0.1 > 0.05), so
  undetermined by default; horizontal with horizontal_max_p = 0.1.
- none: only the centre adopts: undetermined, counted as not measured.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from policydiffusion.cli import run
from policydiffusion.errors import InvalidOptionError, StudyDataError
from policydiffusion.modes import ModeRules, classify_modes, hazard_break
from policydiffusion.study import load_study

GOLDEN = Path(__file__).parent / "golden"
UNITS = pd.DataFrame({"unit": ["C", "P1", "P2", "A", "B", "D", "E", "F", "G"],
                      "level": ["central", "province", "province"] + ["city"] * 6,
                      "parent": [None, "C", "C", "P1", "P1", "P1", "P2", "P2", "P2"]})
ADOPT = pd.DataFrame([("rollout", "C", 2001), ("rollout", "A", 2002), ("rollout", "B", 2002),
                      ("rollout", "D", 2003), ("pilot", "A", 2001), ("pilot", "C", 2002),
                      ("pilot", "B", 2003), ("pilot", "D", 2003), ("peer", "A", 2001),
                      ("peer", "B", 2002), ("peer", "D", 2003), ("none", "C", 2001)],
                     columns=["policy", "unit", "time"])
PILOTS = pd.DataFrame({"policy": ["pilot"], "unit": ["A"], "time": [2000]})


@pytest.fixture(scope="module")
def study():
    return load_study(ADOPT, units=UNITS, end=2004)


def rows(res):
    return res.tidy().set_index("policy")


def test_hand_worked_modes(study):
    t = rows(classify_modes(study, pilots=PILOTS))
    assert t["mode"].to_dict() == {"none": "undetermined", "peer": "undetermined",
                                   "pilot": "pilot-then-promote", "rollout": "top-down"}
    assert "could be chance: exact p = 0.1 > 0.05" in t.loc["peer", "reason"]
    loose = rows(classify_modes(study, pilots=PILOTS, rules=ModeRules(horizontal_max_p=0.1)))
    assert loose.loc["peer", "mode"] == "horizontal"
    r = t.loc["rollout"]
    assert (r["central_period"], r["share_before"], r["periods_to_half"]) == (2001, 0.0, 1)
    p = t.loc["pilot"]
    assert (p["n_pilots"], p["n_pilots_named_before"], p["n_pilots_adopted_before"]) == (1, 1, 1)
    assert (p["events_before"], p["exposure_before"], p["events_after"], p["exposure_after"]) \
        == (1, 8, 2, 19)
    assert p["hazard_ratio"] == pytest.approx(16 / 19, rel=1e-12)
    assert p["log_hr_se"] == pytest.approx(math.sqrt(1 + 1 / 2), rel=1e-12)
    assert p["share_before"] == pytest.approx(1 / 3)
    assert t.loc["peer", "within_parent_clustering"] == pytest.approx(2.5)
    assert t.loc["peer", "clustering_p"] == pytest.approx(0.1, rel=1e-12)
    assert t.loc["rollout", "clustering_p"] is None  # only read without a central adoption


def test_without_pilots_the_rules_decide_on_the_hazard(study):
    # share before 1/3 >= 0.25, but HR 16/19 does not rise: undetermined under both rules
    t = rows(classify_modes(study))
    assert t.loc["pilot", "mode"] == "undetermined"
    assert "hazard ratio 0.84" in t.loc["pilot", "reason"]
    lax = rows(classify_modes(study, rules=ModeRules(bottom_up_min_share=0.3, hazard_rise="point")))
    assert lax.loc["pilot", "mode"] == "undetermined"


def test_no_lower_adopters_is_counted(study):
    res = classify_modes(study)
    assert res.exclusions["count"].tolist() == [1]
    assert res.exclusions["examples"].tolist() == ["none"]


def test_adoptions_of_excluded_levels_are_counted(study):
    res = classify_modes(study, lower_levels=["city"], pilots=PILOTS)
    assert res.exclusions["count"].tolist() == [1]  # 'none' has no city adopter
    res = classify_modes(study, central_level="province", lower_levels=["city"])
    ex = res.exclusions.set_index("reason")["count"]
    # the centre's adoptions of rollout, pilot and none are neither province nor city
    assert ex[[r for r in ex.index if r.startswith("adoption by a unit at a level")][0]] == 3


def test_hazard_break_matches_r_poisson_glm():
    """Henan's cities and the 文明行为促进条例 (real data), break at the province's law."""
    from policydiffusion.datasets.china_levels import china_regulations_study

    gold = json.loads((GOLDEN / "hazard_break.json").read_text())
    t = classify_modes(china_regulations_study(), central_level="province").tidy()
    r = t[(t["central_unit"] == "410000") & (t["policy"] == "civilized_behavior")].iloc[0]
    for k in ("events_before", "exposure_before", "events_after", "exposure_after"):
        assert r[k] == gold[k]
    for k in ("hazard_ratio", "log_hr_se", "hazard_ratio_low", "hazard_ratio_high"):
        assert r[k] == pytest.approx(gold[k], rel=1e-8), k
    assert r["mode"] == "bottom-up" and r["n_before"] == 4


def test_hazard_break_undefined_pieces():
    assert hazard_break(0, 10, 3, 10) == (None, None, None, None)
    assert hazard_break(2, 0, 3, 10) == (None, None, None, None)


def test_bad_input(study):
    with pytest.raises(StudyDataError, match="not a unit of the study"):
        classify_modes(study, pilots=pd.DataFrame({"policy": ["pilot"], "unit": ["Z"],
                                                   "time": [2000]}))
    with pytest.raises(StudyDataError, match="not a policy of the study"):
        classify_modes(study, pilots=pd.DataFrame({"policy": ["zz"], "unit": ["A"],
                                                   "time": [2000]}))
    with pytest.raises(InvalidOptionError, match="unknown level 'county'"):
        classify_modes(study, central_level="county")
    with pytest.raises(InvalidOptionError, match="not below the central level"):
        classify_modes(study, central_level="province", lower_levels=["central"])
    with pytest.raises(InvalidOptionError, match="top_down_max_share must be below"):
        classify_modes(study, rules=ModeRules(top_down_max_share=0.5))


def test_cli_writes_policies_json(tmp_path, capsys):
    UNITS.to_csv(tmp_path / "units.csv", index=False)
    ADOPT.to_csv(tmp_path / "adopt.csv", index=False)
    PILOTS.to_csv(tmp_path / "pilots.csv", index=False)
    out = tmp_path / "modes.json"
    code = run(["modes", str(tmp_path / "adopt.csv"), "--units", str(tmp_path / "units.csv"),
                "--pilots", str(tmp_path / "pilots.csv"), "--end", "2004", "--json", str(out)])
    assert code == 0
    policies = json.loads(out.read_text())["policies"]
    got = {p["policy"]: p["mode"] for p in policies}
    rollout = next(p for p in policies if p["policy"] == "rollout")
    assert rollout["central_period"] == 2001 and isinstance(rollout["central_period"], int)
    assert rollout["exposure_before"] == 0 and isinstance(rollout["exposure_after"], int)
    assert got == {"none": "undetermined", "peer": "undetermined", "pilot": "pilot-then-promote",
                   "rollout": "top-down"}
    assert "pilot-then-promote 1" in capsys.readouterr().out


def test_cli_central_adoption_recorded_twice(tmp_path, capsys):
    UNITS.to_csv(tmp_path / "units.csv", index=False)
    twice = pd.concat([ADOPT, pd.DataFrame([("rollout", "C", 2003)], columns=ADOPT.columns)])
    twice.to_csv(tmp_path / "adopt.csv", index=False)
    code = run(["modes", str(tmp_path / "adopt.csv"), "--units", str(tmp_path / "units.csv")])
    assert code == 2
    assert "adopts policy 'rollout' twice" in capsys.readouterr().err


def test_share_after_is_counted_not_rounded():
    # 8 of 10 cities adopt before the centre (pilot among them), 2 after: exactly 0.2
    # follow. 1 - 0.8 = 0.19999999999999996 < 0.2 left it undetermined.
    cities = [f"c{k}" for k in range(10)]
    units = pd.DataFrame({"unit": ["C", "P"] + cities, "level": ["central", "province"]
                          + ["city"] * 10, "parent": [None, "C"] + ["P"] * 10})
    adopt = pd.DataFrame([("p", u, 2001) for u in cities[:8]] + [("p", "C", 2002)]
                         + [("p", u, 2003) for u in cities[8:]], columns=["policy", "unit", "time"])
    res = classify_modes(load_study(adopt, units=units, end=2004),
                         pilots=pd.DataFrame({"policy": ["p"], "unit": ["c0"], "time": [2000]}),
                         rules=ModeRules(promote_min_share_after=0.2))
    r = res.tidy().iloc[0]
    assert r["mode"] == "pilot-then-promote" and "0.20 of adoptions follow" in r["reason"]


def test_no_time_at_risk_before_the_centre_is_not_a_measured_rise(study):
    r = rows(classify_modes(study)).loc["rollout"]  # C adopts first, in 2001
    assert r["exposure_before"] == 0 and r["hazard_ratio"] is None
    assert r["mode"] == "top-down" and "the centre adopted first" in r["reason"]
    assert "rises from zero" not in r["reason"]


def test_clustering_p_is_exact():
    import itertools

    from policydiffusion.modes._evidence import same_parent_pvalue

    # brute force: every draw of k units from groups of the given sizes, two levels
    def pairs_dist(sizes, k):
        lab = [g for g, n in enumerate(sizes) for _ in range(n)]
        out = []
        for c in itertools.combinations(lab, k):
            out.append(sum(c.count(g) * (c.count(g) - 1) // 2 for g in set(c)))
        return out

    a, b = pairs_dist([3, 2, 4], 4), pairs_dist([2, 2, 1], 2)
    for obs in range(0, 8):
        want = sum(x + y >= obs for x in a for y in b) / (len(a) * len(b))
        assert same_parent_pvalue([[3, 2, 4], [2, 2, 1]], [4, 2], obs) == pytest.approx(
            want, abs=1e-14)


def test_clustered_peers_are_horizontal():
    # five of 20 cities (4 parents of 5) adopt, all under one parent: p = 4 / C(20,5)
    cities = [f"c{k}" for k in range(20)]
    units = pd.DataFrame({"unit": ["C"] + [f"P{g}" for g in range(4)] + cities,
                          "level": ["central"] + ["province"] * 4 + ["city"] * 20,
                          "parent": [None] + ["C"] * 4 + [f"P{k // 5}" for k in range(20)]})
    adopt = pd.DataFrame({"policy": "p", "unit": cities[:5], "time": range(2001, 2006)})
    r = classify_modes(load_study(adopt, units=units, end=2006)).tidy().iloc[0]
    assert r["clustering_p"] == pytest.approx(4 / math.comb(20, 5), rel=1e-9)
    assert r["mode"] == "horizontal" and "exact p = " in r["reason"]


def test_too_large_for_the_exact_p_the_reason_says_the_ratio_decided(study, monkeypatch):
    import policydiffusion.modes._evidence as ev

    monkeypatch.setattr(ev, "_P_WORK", 0)
    r = rows(classify_modes(study)).loc["peer"]
    assert r["clustering_p"] is None and r["mode"] == "horizontal"
    assert "exact p not computed for 3 adopters: the ratio alone" in r["reason"]


def test_pilot_named_after_the_centre_did_not_lead_it(study):
    # A adopts 2001 and C 2002, but A was designated a pilot only in 2003: not a pilot
    # that led the centre; counted separately with the reason, never dropped
    late = pd.DataFrame({"policy": ["pilot", "pilot"], "unit": ["A", "B"], "time": [2003, 2002]})
    res = classify_modes(study, pilots=late)
    p = rows(res).loc["pilot"]
    assert p["mode"] == "undetermined"  # as without pilots: HR 16/19 does not rise
    assert (p["n_pilots"], p["n_pilots_named_before"], p["n_pilots_adopted_before"],
            p["n_pilots_named_after"]) == (2, 0, 0, 2)
    assert "2 pilot(s) designated in or after the period of the central adoption" in p["reason"]
    ex = res.exclusions.set_index("reason")
    row = ex.loc[[r for r in ex.index if r.startswith("pilot designated in or after")][0]]
    assert (row["count"], row["examples"]) == (2, "pilot/A, pilot/B")
    on_time = rows(classify_modes(study, pilots=PILOTS)).loc["pilot"]
    assert (on_time["mode"], on_time["n_pilots_named_after"]) == ("pilot-then-promote", 0)


def test_unmeasured_policy_with_a_late_pilot_is_still_counted_as_unmeasured(study):
    # "none": only the centre adopts (2001); E named a pilot in 2002, after it, never adopts.
    # Unmeasured is decided by the data (no lower adopters), so the late-pilot note can go on
    # its reason like any other row's without hiding it from the exclusions.
    res = classify_modes(study, pilots=pd.DataFrame({"policy": ["none"], "unit": ["E"],
                                                     "time": [2002]}))
    r = rows(res).loc["none"]
    assert (r["mode"], r["n_lower_adopters"], r["n_pilots_named_after"]) == ("undetermined", 0, 1)
    assert r["reason"].startswith("no lower-level adopters: the mode cannot be measured; 1 pilot")
    ex = res.exclusions.set_index("reason")
    assert ex.loc["no lower-level adopters: the mode cannot be measured", "examples"] == "none"
    assert ex.loc[[e for e in ex.index if e.startswith("pilot designated")][0], "examples"] \
        == "none/E"
