"""unknown_units = "error" | "drop": relation edges naming units outside the study."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from policydiffusion.cli import run
from policydiffusion.errors import InvalidOptionError, StudyDataError
from policydiffusion.study import Relation, RelationSpec, load_study

ADOPT = pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"], "time": [2001, 2002]})
UNITS = pd.DataFrame({"unit": ["A", "B", "C"]})
# undirected borders with an outside unit X (both directions, as shipped adjacency files are)
BORDERS = pd.DataFrame({"s": ["A", "B", "X", "A"], "t": ["B", "C", "A", "X"]})
# a year-varying inferred network that names two outside units (like AK and HI)
NET = pd.DataFrame({"i": ["A", "AK", "B", "C", "HI"], "j": ["B", "A", "HI", "A", "AK"],
                    "year": [2001, 2001, 2002, 2002, 2002]})


def test_default_is_an_error_naming_file_row_and_unit():
    with pytest.raises(StudyDataError) as exc:
        load_study(ADOPT, units=UNITS, relations={"b": RelationSpec(BORDERS, source="s", target="t")})
    msg = str(exc.value)
    assert "2 problems" in msg and "'X': relation names an unknown unit" in msg


def test_drop_counts_every_removed_edge_with_reason_and_examples():
    s = load_study(ADOPT, units=UNITS, unknown_units="drop",
                   relations={"b": RelationSpec(BORDERS, source="s", target="t"),
                              "net": RelationSpec(NET, source="i", target="j", period="year",
                                                  directed=True)})
    ex = s.exclusions.set_index("reason")
    b = ex.loc["relation 'b': edge names a unit outside the study (X); dropped "
               "(unknown_units='drop')"]
    assert b["count"] == 2 and b["examples"] == "X-A, A-X"
    n = ex.loc["relation 'net': edge names a unit outside the study (AK, HI); dropped "
               "(unknown_units='drop')"]
    assert n["count"] == 3 and n["examples"] == "AK->A (2001), B->HI (2002), HI->AK (2002)"
    assert sorted(s.relation("net").edges.select("source", "target", "period").rows()) == [
        ("A", "B", 2001), ("C", "A", 2002)]
    assert sorted(s.relation("b").edges.select("source", "target").rows()) == [
        ("A", "B"), ("B", "A"), ("B", "C"), ("C", "B")]


def test_drop_also_applies_to_a_ready_relation_and_keeps_real_errors():
    rel = Relation.from_edges(pl.DataFrame({"s": ["A", "Z"], "t": ["B", "A"]}), name="r",
                              source="s", target="t", directed=True)
    s = load_study(ADOPT, units=UNITS, relations={"r": rel}, unknown_units="drop")
    assert s.relation("r").edges.height == 1 and s.exclusions["count"].tolist() == [1]
    with pytest.raises(StudyDataError, match="self-loop"):
        load_study(ADOPT, units=UNITS, unknown_units="drop",
                   relations={"r": pd.DataFrame({"source": ["A", "X"], "target": ["A", "B"]})})


def test_unknown_units_option_is_checked():
    with pytest.raises(InvalidOptionError, match="unknown_units"):
        load_study(ADOPT, units=UNITS, unknown_units="ignore")


def test_cli_unknown_units_drop(tmp_path, capsys):
    ADOPT.to_csv(tmp_path / "a.csv", index=False)
    UNITS.to_csv(tmp_path / "u.csv", index=False)
    BORDERS.to_csv(tmp_path / "b.csv", index=False)
    args = ["riskset", "monadic", str(tmp_path / "a.csv"), "--units", str(tmp_path / "u.csv"),
            "--relation", f"contiguity={tmp_path / 'b.csv'}:s:t", "--policy", "p",
            "--term", "neighbors_adopted:kind=count"]
    assert run(args) == 2
    assert "relation names an unknown unit" in capsys.readouterr().err
    assert run(args + ["--unknown-units", "drop"]) == 0


def test_study_file_unknown_units_drop(tmp_path):
    from policydiffusion.pipeline.data import load_data
    from policydiffusion.studyfile import parse_study_file

    ADOPT.to_csv(tmp_path / "a.csv", index=False)
    UNITS.to_csv(tmp_path / "u.csv", index=False)
    BORDERS.to_csv(tmp_path / "b.csv", index=False)
    text = '''[study]
title = "t"
[data]
adoptions = "a.csv"
units = "u.csv"
unknown_units = "drop"
[data.relations.contiguity]
file = "b.csv"
source = "s"
target = "t"
[[riskset]]
name = "main"
terms = [{term = "neighbors_adopted"}]
[[model]]
name = "m1"
formula = "adopt ~ neighbors_adopted"
'''
    sf = parse_study_file(text, file=tmp_path / "s.toml")
    study = load_data(sf).study
    assert study.exclusions["count"].tolist() == [2]
    spid = parse_study_file(text.replace('adoptions = "a.csv"\nunits = "u.csv"\n',
                                         'dataset = "spid"\n'), file=tmp_path / "s.toml")
    # a relation added to the shipped SPID study: all three units are outside its 50 states
    assert load_data(spid).study.exclusions["count"].iloc[-1] == 4
