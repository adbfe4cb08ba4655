"""Per-policy start of risk max(first adoption [+ 1], not_before) (DHB 2015: from the
first adoption + 1, only years after 1959)."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from studygen import START, raw_studies, to_study

from policydiffusion.cli import run
from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset import dyadic_riskset, monadic_riskset
from policydiffusion.study import load_study


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw_studies(), st.integers(START - 1, START + 7), st.booleans())
def test_rows_start_at_max_of_first_adoption_plus_skip_and_not_before(raw, nb, skip):
    study = to_study(raw)
    rs = monadic_riskset(study, policies=raw.policies, not_before=nb,
                         first_period_adopters="skip" if skip else "event")
    expected = []
    for p in raw.policies:
        ts = [t for (q, _), t in raw.adopt.items() if q == p]
        if not ts:
            continue
        s = max(min(ts) + int(skip), nb)
        for u in raw.units:
            T_ = raw.adopt.get((p, u))
            if T_ is not None and T_ < s:
                continue  # left-censored (or a skipped first-period adopter)
            first = s if raw.entry[u] is None else max(s, raw.entry[u])
            last = min([raw.end] + [x for x in (raw.exit[u], T_) if x is not None])
            expected += [(p, u, t) for t in range(first, last + 1)]
    assert sorted(rs.data.select("policy", "unit", "period").rows()) == sorted(expected)


def dhb_study():
    adopt = pd.DataFrame({"policy": ["old"] * 3 + ["new"] * 2,
                          "unit": ["A", "B", "C", "A", "B"],
                          "time": [1950, 1958, 1963, 1970, 1972]})
    return load_study(adopt, units=pd.DataFrame({"unit": ["A", "B", "C", "D"]}), end=1975)


def test_dhb_convention_by_hand():
    rs = monadic_riskset(dhb_study(), policies=["old", "new"], first_period_adopters="skip",
                         not_before=1960)
    first = rs.data.group_by("policy").agg(pl.col("period").min()).sort("policy").rows()
    assert first == [("new", 1971), ("old", 1960)]  # max(1971, 1960), max(1951, 1960)
    ex = rs.exclusions.set_index("reason")["count"]
    assert ex["adopted before the start of risk (left-censored)"] == 1  # old: B 1958
    # old: A 1950, new: A 1970 (each policy's first adopter)
    assert ex["adopted in the first period, which first_period_adopters='skip' leaves out"] == 2
    assert rs.options["not_before"] == 1960
    dy = dyadic_riskset(dhb_study(), policy="old", not_before=1960, conditional=False)
    assert dy.data.get_column("period").min() == 1960


def test_not_before_is_checked():
    with pytest.raises(InvalidOptionError, match="not_before"):
        monadic_riskset(dhb_study(), policy="old", not_before="1960")


def test_cli_risk_not_before(tmp_path, capsys):
    out = tmp_path / "rs.csv"
    assert run(["riskset", "pooled", "--dataset", "spid", "--policy", "lott", "--policy",
                "aborparc", "--first-period-adopters", "skip", "--risk-not-before", "1980",
                "-o", str(out)]) == 0
    df = pd.read_csv(out)
    assert df["period"].min() >= 1980
    study = __import__("policydiffusion.datasets", fromlist=["spid_study"]).spid_study()
    first = study.adoptions.group_by("policy").agg(pl.col("period").min())
    for p, t in first.filter(pl.col("policy").is_in(["lott", "aborparc"])).rows():
        assert df[df.policy == p]["period"].min() == max(t + 1, 1980)


def test_study_file_riskset_options_not_before():
    from policydiffusion.datasets import spid_study
    from policydiffusion.pipeline.risksets import build_risksets
    from policydiffusion.studyfile import parse_study_file

    text = '''[study]
title = "t"
[data]
dataset = "spid"
[policies]
focus = ["lott"]
[[riskset]]
name = "main"
options = {first_period_adopters = "skip", not_before = 1970}
[[model]]
name = "m1"
formula = "adopt ~ duration"
'''
    built = build_risksets(spid_study(), parse_study_file(text))
    assert built[0].riskset.data.get_column("period").min() == 1970
