"""Directed-dyad risk sets on real data: pooled, lazy, written per batch of policies."""

from __future__ import annotations

import polars as pl

from policydiffusion import terms as T
from policydiffusion.datasets import spid_study
from policydiffusion.riskset import dyadic_riskset, monadic_riskset

POLICIES = ["aborparc", "aborparn", "absvot"]


def test_pooled_dataset_in_batches_equals_the_collected_risk_set(tmp_path):
    study = spid_study(policies=POLICIES)
    terms = [T.neighbors_adopted(), T.contiguous(), T.period_dummies(), T.duration_spline()]
    lazy = dyadic_riskset(study, policies=POLICIES, terms=terms, lazy=True)
    folder = lazy.sink_parquet_dataset(tmp_path / "dyads", policies_per_file=2)
    assert len(list(folder.glob("part-*.parquet"))) == 2
    back = (pl.scan_parquet(folder / "*.parquet").collect()
            .sort("policy", "unit", "period", "source"))
    # the lazy plan streams unsorted; as a set of rows it is the sorted in-memory build
    assert back.equals(dyadic_riskset(study, policies=POLICIES, terms=terms).data)
    assert back.schema["adopt"] == pl.Int8 and back.schema["period"] == pl.Int32


def test_conditional_dyads_per_receiver_year_equal_prior_adopters():
    study = spid_study(policies=["aborparc"])
    dy = dyadic_riskset(study, policy="aborparc").data
    mono = monadic_riskset(study, policy="aborparc", terms=[T.national_share()]).data
    per = dy.group_by("unit", "period").len()
    both = mono.join(per, on=["unit", "period"], how="left").with_columns(pl.col("len").fill_null(0))
    # national share * 49 = number of other states that adopted before t
    assert ((both["national_share_l1"] * 49).round(6) == both["len"].cast(pl.Float64)).all()
    assert dy["adopt"].sum() == dy.filter(pl.col("adopt") == 1).height
    assert dy.select("unit", "period").unique().height < mono.height  # first year has no source


def test_first_adopters_are_counted_as_excluded_from_the_conditional_design():
    import pandas as pd

    from policydiffusion.study import load_study

    s = load_study(pd.DataFrame({"policy": ["p"] * 3, "unit": ["A", "B", "C"],
                                 "time": [2001, 2001, 2003]}),
                   units=pd.DataFrame({"unit": ["A", "B", "C", "D"]}), end=2004)
    rs = dyadic_riskset(s, policy="p")
    row = rs.exclusions[rs.exclusions["reason"].str.contains("conditional dyadic")]
    assert row["count"].tolist() == [2] and row["examples"].tolist() == ["p/A, p/B"]
    assert set(rs.data["unit"]) == {"C", "D"}
    assert "first adopter" in rs.summary()
    full = dyadic_riskset(s, policy="p", conditional=False)
    assert full.exclusions.empty and set(full.data["unit"]) == {"A", "B", "C", "D"}


def test_pairs_without_a_source_are_counted_without_collecting_them(monkeypatch):
    """The exclusion count of the conditional design computes its count and five examples,
    not the list of every lost (policy, unit) pair."""
    import pandas as pd

    from policydiffusion.study import load_study

    pols = [f"p{k}" for k in range(8)]
    adopt = pd.DataFrame({"policy": pols * 2, "unit": ["A"] * 8 + ["B"] * 8,
                          "time": [2001] * 8 + [2003] * 8})
    s = load_study(adopt, units=pd.DataFrame({"unit": list("ABCD")}), end=2005)
    heights = []
    real = pl.collect_all

    def seen(frames, *args, **kwargs):
        out = real(frames, *args, **kwargs)
        heights.extend(f.height for f in out)
        return out

    real_collect = pl.LazyFrame.collect

    def collect(self, *args, **kwargs):
        out = real_collect(self, *args, **kwargs)
        heights.append(out.height)
        return out

    monkeypatch.setattr(pl, "collect_all", seen)
    monkeypatch.setattr(pl.LazyFrame, "collect", collect)
    rs = dyadic_riskset(s, policies=pols, lazy=True)
    monkeypatch.undo()
    ex = rs.exclusions.set_index("reason")
    row = ex.loc[[r for r in ex.index if r.startswith("no other unit had adopted")]]
    assert row["count"].item() == 8                      # A is the first adopter of each
    assert row["examples"].item() == "p0/A, p1/A, p2/A, p3/A, p4/A"
    assert max(heights) <= 5                              # nothing but the count and examples
