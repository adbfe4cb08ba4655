"""Monadic risk sets: start of risk, late entry, censoring, exclusions and the SPID data."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from policydiffusion.datasets import load_dataset, spid_study
from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset import RiskSet, monadic_riskset
from policydiffusion.study import load_study

ADOPT = pd.DataFrame({"policy": ["p", "p", "p", "q"], "unit": ["A", "B", "C", "A"],
                      "time": [2001, 2001, 2004, 2003]})
UNITS = pd.DataFrame({"unit": ["A", "B", "C", "D", "E", "F", "G"],
                      "entry": [None, None, 2003, None, 2009, None, None],
                      "exit": [None, None, None, 1999, None, 2002, None]})
POLICIES = pd.DataFrame({"policy": ["p", "q", "r"], "opening": [1999, 2000, None],
                         "end": [None, 2002, None]})


@pytest.fixture
def study():
    return load_study(ADOPT, units=UNITS, policies=POLICIES, start=1995, end=2006)


def _spell(rs: RiskSet, policy: str, unit: str) -> list[tuple[int, int, int]]:
    df = rs.data.filter((pl.col("policy") == policy) & (pl.col("unit") == unit))
    return df.select("period", "duration", "adopt").rows()


def _reasons(rs: RiskSet) -> dict[str, int]:
    return dict(zip(rs.exclusions["reason"], rs.exclusions["count"]))


def test_first_adoption_start_late_entry_and_censoring(study):
    rs = monadic_riskset(study, policy="p")
    assert _spell(rs, "p", "A") == [(2001, 1, 1)]  # first adopter: event in its first row
    assert _spell(rs, "p", "C") == [(2003, 1, 0), (2004, 2, 1)]  # late entry at 2003
    assert [r[0] for r in _spell(rs, "p", "F")] == [2001, 2002]  # leaves at its exit
    assert [r[0] for r in _spell(rs, "p", "E")] == []  # enters 2009 > end 2006
    assert _spell(rs, "p", "B") == [(2001, 1, 1)]
    # a non-adopter is right-censored at the study end (2006), not at the last adoption (2004)
    assert _spell(rs, "p", "G") == [(t, t - 2000, 0) for t in range(2001, 2007)]
    assert rs.data.filter(pl.col("unit") == "D").height == 0
    assert _reasons(rs) == {"unit ceased to exist before the start of risk": 1,
                            "unit entered after the end of observation": 1}
    assert rs.exclusions.loc[0, "examples"] == "p/D"


def test_fixed_start_before_first_adoption(study):
    rs = monadic_riskset(study, policy="p", start=2000)
    assert _spell(rs, "p", "B") == [(2000, 1, 0), (2001, 2, 1)]
    assert max(rs.data.filter(pl.col("unit") == "F")["period"]) == 2002


def test_first_period_adopters_skip_are_counted_as_left_censored(study):
    rs = monadic_riskset(study, policy="p", first_period_adopters="skip")
    assert rs.data.filter(pl.col("unit").is_in(["A", "B"])).height == 0
    assert _reasons(rs)["adopted in the first period, which first_period_adopters='skip' "
                        "leaves out"] == 2
    assert rs.data["period"].min() == 2002


def test_fixed_start_after_some_adoptions_left_censors_them(study):
    rs = monadic_riskset(study, policy="p", start=2002)
    assert _reasons(rs)["adopted before the start of risk (left-censored)"] == 2
    assert rs.data.filter(pl.col("unit") == "C").get_column("period").to_list() == [2003, 2004]


def test_opening_start_and_policy_end(study):
    rs = monadic_riskset(study, policy="q", start="opening")
    a = _spell(rs, "q", "A")
    # opening 2000, policy end 2002: A adopts in 2003, after the end, so it is censored
    assert [r[0] for r in a] == [2000, 2001, 2002] and sum(r[2] for r in a) == 0
    assert _reasons(rs)["adoption after the policy's end of observation (unit kept, censored "
                        "at the end)"] == 1
    with pytest.raises(InvalidOptionError, match="opening"):
        monadic_riskset(study, policy="r", start="opening")


def test_late_entry_false_excludes_late_units(study):
    rs = monadic_riskset(study, policy="p", late_entry=False)
    assert rs.data.filter(pl.col("unit") == "C").height == 0
    assert _reasons(rs)["unit entered after the start of risk and late_entry=False"] == 1


def test_policy_without_adoptions_is_excluded_with_reason(study):
    rs = monadic_riskset(study, policies=["p", "r"])
    assert set(rs.data["policy"]) == {"p"}
    reason = [r for r in _reasons(rs) if r.startswith("policy has no adoption")]
    assert _reasons(rs)[reason[0]] == 7


def test_pooled_stacks_policies_with_key(study):
    pooled = monadic_riskset(study, policies=["p", "q"]).data
    one = monadic_riskset(study, policy="q").data
    assert pooled.filter(pl.col("policy") == "q").equals(one)
    assert pooled.schema["adopt"] == pl.Int8 and pooled.schema["period"] == pl.Int32


def test_bad_options_raise_clear_errors(study):
    with pytest.raises(InvalidOptionError, match="policy="):
        monadic_riskset(study)
    with pytest.raises(InvalidOptionError, match="start must be"):
        monadic_riskset(study, policy="p", start="first")
    with pytest.raises(InvalidOptionError, match="first_period_adopters"):
        monadic_riskset(study, policy="p", first_period_adopters="drop")
    with pytest.raises(InvalidOptionError, match="unknown policy"):
        monadic_riskset(study, policy="zz")
    with pytest.raises(InvalidOptionError, match="no column"):
        monadic_riskset(study, policy="p", unit_attributes=["nope"])


def test_unit_attributes_are_carried(study):
    s = load_study(ADOPT, units=UNITS.assign(region=list("NNSSSNN")), policies=POLICIES,
                   end=2006)
    rs = monadic_riskset(s, policy="p", unit_attributes=["region"])
    assert rs.data.filter(pl.col("unit") == "C")["region"].unique().to_list() == ["S"]
    assert "region" in rs.column_meta


def test_spid_row_count_matches_an_independent_count():
    raw = load_dataset("spid_adoptions")
    p = "aborparc"
    years = raw.loc[raw["policy"] == p].set_index("state")["adoption_year"]
    first, end = years.min(), 2017
    states = load_dataset("us_state_regions")
    states = states.loc[states["state_abb"] != "DC", "state_name"]
    expected = sum((years[s] - first + 1) if s in years.index else (end - first + 1)
                   for s in states)
    rs = monadic_riskset(spid_study(policies=[p]), policy=p)
    assert rs.data.height == expected
    assert int(rs.data["adopt"].sum()) == len(years)
    assert rs.exclusions.empty


def test_lazy_riskset_sinks_and_summarises(study, tmp_path):
    rs = monadic_riskset(study, policies=["p", "q"], lazy=True)
    assert isinstance(rs.plan, pl.LazyFrame) and not rs.is_collected
    path = rs.sink_parquet(tmp_path / "rs.parquet")
    assert pl.read_parquet(path).equals(rs.collect().data)
    folder = rs.sink_parquet_dataset(tmp_path / "ds", policies_per_file=1)
    back = pl.scan_parquet(folder / "*.parquet").collect().sort("policy", "unit", "period")
    assert back.equals(rs.data)
    assert (folder / "riskset_meta.json").exists()
    text = rs.summary()
    assert "rows:" in text and "unit ceased to exist" in text
    assert rs.to_pandas().shape[0] == rs.n_rows()
