"""Per-table column mappings and one reader per table (issue 15, item 5)."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

import policydiffusion
from policydiffusion.errors import InvalidOptionError, StudyDataError
from policydiffusion.study import load_study

SRC = Path(policydiffusion.__file__).parent
ADOPT = pd.DataFrame({"law": ["p", "p", "q"], "state": ["A", "B", "A"],
                      "year": [2001, 2003, 2002], "strength": [1.0, 2.0, None]})
UNITS = pd.DataFrame({"code": ["A", "B", "C"], "label": ["Alpha", "Beta", "Gamma"],
                      "joined": [1990, 2002, 1990]})
COV = pd.DataFrame({"st": ["A", "B"], "yr": [2001, 2001], "gdp": [1.0, 2.0]})


def _same(a, b) -> None:
    for attr in ("units", "policies", "adoptions", "covariates"):
        assert getattr(a, attr).equals(getattr(b, attr)), attr
    assert (a.start, a.end, a.sources) == (b.start, b.end, b.sources)


def test_column_mappings_and_flat_keywords_build_the_same_study():
    from policydiffusion.study import AdoptionColumns, CovariateColumns, UnitColumns

    flat = load_study(ADOPT, units=UNITS, covariates=COV, policy_col="law", unit_col="state",
                      time_col="year", level_col="strength", units_id_col="code",
                      name_col="label", entry_col="joined", covariates_unit_col="st",
                      covariates_time_col="yr")
    mapped = load_study(ADOPT, units=UNITS, covariates=COV,
                        adoption_columns=AdoptionColumns(policy="law", unit="state", time="year",
                                                         level="strength"),
                        unit_columns=UnitColumns(id="code", name="label", entry="joined"),
                        covariate_columns=CovariateColumns(unit="st", time="yr"))
    _same(flat, mapped)
    assert mapped.units.get_column("name").to_list() == ["Alpha", "Beta", "Gamma"]
    assert mapped.adoptions.get_column("level").to_list() == [1.0, 2.0, None]


def test_a_mapping_and_its_flat_keyword_together_are_refused():
    from policydiffusion.study import AdoptionColumns

    with pytest.raises(InvalidOptionError, match="adoption_columns= or unit_col=, not both"):
        load_study(ADOPT, adoption_columns=AdoptionColumns(policy="law"), unit_col="state")
    from policydiffusion.study import RelationColumns, RelationSpec

    with pytest.raises(InvalidOptionError, match="columns= or source="):
        RelationSpec("edges.csv", source="a", columns=RelationColumns(target="b"))


def test_a_misspelt_column_keyword_is_named_with_a_suggestion():
    with pytest.raises(InvalidOptionError, match="'unit_cl'.*unit_col"):
        load_study(ADOPT, unit_cl="state")


def test_each_reader_returns_its_frame_and_problems_and_load_study_raises_them_all(tmp_path):
    from policydiffusion.study import (AdoptionColumns, RelationColumns, RelationSpec,
                                       UnitColumns, read_adoptions, read_relation, read_units)

    adopt = tmp_path / "adopt.csv"
    adopt.write_text("law,state,year\np,A,2001\np,B,20x3\nq,Z,2002\n")
    units = tmp_path / "units.csv"
    units.write_text("code\nA\nB\nA\n")
    edges = tmp_path / "edges.csv"
    edges.write_text("from,to\nA,B\nA,A\n")
    acols = AdoptionColumns(policy="law", unit="state", time="year")

    frame, problems = read_adoptions(adopt, columns=acols)
    assert frame.select("policy", "unit", "period", "row").rows() == [("p", "A", 2001, 2),
                                                                      ("q", "Z", 2002, 4)]
    assert [(p.file, p.row, p.column, p.value) for p in problems] == [
        ("adopt.csv", 3, "year", "20x3")]
    u_frame, u_problems = read_units(units, columns=UnitColumns(id="code"))
    assert u_frame.get_column("unit").to_list() == ["A", "B", "A"]
    assert [(p.row, p.column) for p in u_problems] == [(4, "code")]
    r = read_relation("border", RelationSpec(edges, columns=RelationColumns(source="from",
                                                                            target="to")),
                      known_units=["A", "B"])
    assert [(p.file, p.row, p.column) for p in r.problems] == [("edges.csv", 3, "to")]
    assert r.relation.name == "border" and r.frame.height == 3  # A-B both ways, A-A

    with pytest.raises(StudyDataError) as err:
        load_study(adopt, units=units, adoption_columns=acols,
                   unit_columns=UnitColumns(id="code"),
                   relations={"border": RelationSpec(edges, source="from", target="to")})
    got = [(p.file, p.row, p.column) for p in err.value.problems]
    # every table's problems, in the order of the tables; Z is unknown to the units table
    assert got == [("adopt.csv", 3, "year"), ("units.csv", 4, "code"),
                   ("adopt.csv", 4, "state"), ("edges.csv", 3, "to")]


def test_replace_missing_codes_runs_once_per_csv(tmp_path, monkeypatch):
    import policydiffusion.study._read as read_mod

    calls = []
    real = read_mod.replace_missing_codes

    def counting(frame, codes):
        calls.append(frame.shape)
        return real(frame, codes)

    monkeypatch.setattr(read_mod, "replace_missing_codes", counting)
    f = tmp_path / "a.csv"
    f.write_text("policy,unit,time\np,A,NA\np,B,2001\n")
    t = read_mod.read_table(f, argument="adoptions")
    assert len(calls) == 1
    assert t.frame["time"].isna().tolist() == [True, False]
    assert t.raw["time"].tolist()[1] == "2001" and pd.isna(t.raw["time"].iat[0])


def test_read_pilots_reads_times_with_the_date_format(tmp_path):
    from policydiffusion.study import read_pilots

    study = load_study(pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": ["2001-06-15"]}),
                       units=pd.DataFrame({"unit": ["A", "B"]}), granularity="month")
    f = tmp_path / "pilots.csv"
    f.write_text("policy,unit,time\np,B,03/04/2001\n")  # 3 April, day first
    got = read_pilots(f, study, date_format="%d/%m/%Y")
    assert [study.label(p) for p in got.get_column("period")] == ["2001-04"]


def test_pipeline_and_cli_use_only_the_public_study_api():
    for rel in ("pipeline/data.py", "cli/_study_options.py"):
        tree = ast.parse((SRC / rel).read_text(encoding="utf-8"))
        private = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                   and (n.module or "").startswith("policydiffusion.study._")]
        assert private == [], rel
