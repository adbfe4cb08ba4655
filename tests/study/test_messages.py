"""Every validation error names file, row and column, and says what to do."""

from __future__ import annotations

import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError, StudyDataError
from policydiffusion.study import RelationSpec, load_study


def _problems(**kw):
    with pytest.raises(StudyDataError) as e:
        load_study(**kw)
    return e.value.problems


def test_unknown_policy_code_suggests_closest(tmp_path):
    f = tmp_path / "adopt.csv"
    pd.DataFrame({"policy": ["aborparc", "aborpark"], "unit": ["A", "B"], "time": [1990, 1991]}).to_csv(f, index=False)
    pol = tmp_path / "policies.csv"
    pd.DataFrame({"policy": ["aborparc", "aborparn"]}).to_csv(pol, index=False)
    (p,) = _problems(adoptions=f, policies=pol)
    assert (p.file, p.row, p.column, p.value) == ("adopt.csv", 3, "policy", "aborpark")
    assert "unknown policy code" in p.hint and "did you mean 'aborpar" in p.hint


def test_adoption_after_unit_exit(tmp_path):
    units = pd.DataFrame({"unit": ["A", "B"], "exit": [1995, None]})
    (p,) = _problems(adoptions=pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [1999]}), units=units)
    assert p.file == "adoptions (DataFrame)" and p.row == 0 and p.column == "time"
    assert "ceased to exist" in p.hint


def test_missing_time_cell_is_named(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("policy,unit,time\np,A,\np,B,2001\n")
    (p,) = _problems(adoptions=f)
    assert (p.row, p.column) == (2, "time") and "missing adoption time" in p.hint


def test_excel_rows_are_spreadsheet_rows(tmp_path):
    f = tmp_path / "adopt.xlsx"
    pd.DataFrame({"policy": ["p", "p", "p"], "unit": ["A", "B", "C"],
                  "time": [2001, 2002, "later"]}).to_excel(f, index=False)
    (p,) = _problems(adoptions=f)
    assert (p.file, p.row, p.column, p.value) == ("adopt.xlsx", 4, "time", "later")


def test_events_unknown_unit_and_relation_weight(tmp_path):
    a = pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [2001]})
    units = pd.DataFrame({"unit": ["A", "B"]})
    ev = pd.DataFrame({"event": ["mandate"], "time": [2001], "unit": ["Q"]})
    rel = pd.DataFrame({"s": ["A"], "t": ["B"], "w": ["heavy"]})
    probs = _problems(adoptions=a, units=units, events=ev,
                      relations={"trade": RelationSpec(rel, source="s", target="t", weight="w")})
    hints = {(p.column, p.hint.split(";")[0]) for p in probs}
    assert ("w", "edge weight must be a number") in hints
    assert ("unit", "unknown unit code") in hints


def test_quarter_granularity_rejects_bare_year():
    (p,) = _problems(adoptions=pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [2016]}),
                     granularity="quarter")
    assert "a bare year is ambiguous" in p.hint


def test_bad_options_are_named():
    a = pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [2001]})
    with pytest.raises(InvalidOptionError, match="granularity must be one of"):
        load_study(a, granularity="decade")
    with pytest.raises(InvalidOptionError, match="observation window is empty"):
        load_study(a, start=2005, end=2001)


def test_every_problem_reported_at_once(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("policy,unit,time\np,A,19x9\np,Zz,2001\np,A,2002\np,A,2003\n")
    probs = _problems(adoptions=f, units=pd.DataFrame({"unit": ["A", "B"]}))
    assert [p.row for p in probs] == [2, 5, 3]  # bad time, duplicate, unknown unit
