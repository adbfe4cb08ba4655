"""Loading and validating a Study: every error names file, row and column."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from policydiffusion.errors import StudyDataError
from policydiffusion.study import RelationSpec, load_study


def _adopt(**over):
    base = {"policy": ["p", "p", "q"], "unit": ["A", "B", "A"], "time": [2001, 2003, 2002]}
    base.update(over)
    return pd.DataFrame(base)


UNITS = pd.DataFrame({"unit": ["A", "B", "C"], "region": ["N", "N", "S"], "entry": [None, 1999, None]})


def test_long_study_keeps_original_time_and_units_that_never_adopt():
    s = load_study(_adopt(), units=UNITS, end=2005)
    assert s.n_units == 3 and s.n_policies == 2
    assert s.adoptions.height == 3
    assert s.adoptions.filter(pl.col("unit") == "B").get_column("time").item() == "2003"
    assert (s.start, s.end) == (2001, 2005)


def test_unknown_unit_is_reported_with_suggestion(tmp_path):
    f = tmp_path / "adopt.csv"
    pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "Bx"], "time": [2001, 2002]}).to_csv(f, index=False)
    with pytest.raises(StudyDataError) as e:
        load_study(f, units=pd.DataFrame({"unit": ["A", "Bx1", "C"]}))
    p = e.value.problems[0]
    assert (p.file, p.row, p.column, p.value) == ("adopt.csv", 3, "unit", "Bx")
    assert "did you mean 'Bx1'" in p.hint


def test_duplicate_adoption_names_both_rows(tmp_path):
    f = tmp_path / "a.csv"
    _adopt(unit=["A", "A", "A"]).to_csv(f, index=False)
    with pytest.raises(StudyDataError) as e:
        load_study(f)
    p = e.value.problems[0]
    assert p.row == 3 and "twice" in p.hint and "row 2" in p.hint


def test_unparseable_time_and_adoption_before_entry_reported_together(tmp_path):
    f = tmp_path / "a.csv"
    pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"], "time": ["19x9", "1990"]}).to_csv(f, index=False)
    with pytest.raises(StudyDataError) as e:
        load_study(f, units=UNITS)
    msgs = [(p.row, p.column, p.hint) for p in e.value.problems]
    assert msgs[0][:2] == (2, "time") and "unreadable time" in msgs[0][2]
    assert msgs[1][:2] == (3, "time") and "before unit 'B' exists" in msgs[1][2]
    assert "2 problems" in str(e.value)


def test_adoptions_outside_window_are_excluded_and_counted():
    s = load_study(_adopt(), start=2002, end=2002)
    assert s.adoptions.height == 1
    ex = s.exclusions.set_index("reason")["count"]
    assert ex["adoption before the observation window starts"] == 1
    assert ex["adoption after the observation window ends"] == 1


def test_dates_map_to_quarters_and_keep_original():
    a = pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"], "time": ["2016-05-03", "2017-01-20"]})
    s = load_study(a, granularity="quarter")
    assert s.adoptions.get_column("period").to_list() == [2016 * 4 + 1, 2017 * 4]
    assert s.label(s.start) == "2016Q2"
    assert s.adoptions.get_column("time").to_list() == ["2016-05-03", "2017-01-20"]


def test_relation_self_loop_and_unknown_unit():
    rel = pd.DataFrame({"a": ["A", "B"], "b": ["A", "Zed"]})
    with pytest.raises(StudyDataError) as e:
        load_study(_adopt(), units=UNITS, relations={"r": RelationSpec(rel, source="a", target="b")})
    hints = [p.hint for p in e.value.problems]
    assert any("self-loop" in h for h in hints)
    assert any("unknown unit" in h for h in hints)


def test_covariates_duplicate_key(tmp_path):
    cov = pd.DataFrame({"unit": ["A", "A"], "year": [2001, 2001], "x": [1.0, 2.0]})
    with pytest.raises(StudyDataError) as e:
        load_study(_adopt(), units=UNITS, covariates=cov)
    p = e.value.problems[0]
    assert p.row == 1 and p.column == "year" and "duplicate (unit, period)" in p.hint


def test_wide_matrix_with_text_cell(tmp_path):
    f = tmp_path / "wide.csv"
    pd.DataFrame({"unit": ["A", "B"], "p": ["2001", "soon"], "q": ["", "2004"]}).to_csv(f, index=False)
    with pytest.raises(StudyDataError) as e:
        load_study(f, layout="wide")
    p = e.value.problems[0]
    assert (p.row, p.column, p.value) == (3, "p", "soon")
    ok = tmp_path / "ok.csv"
    pd.DataFrame({"unit": ["A", "B"], "p": ["2001", ""], "q": ["", "2004"]}).to_csv(ok, index=False)
    s = load_study(ok, layout="wide")
    assert sorted(s.adoptions.select("policy", "unit").rows()) == [("p", "A"), ("q", "B")]


def test_empty_input_and_missing_column():
    with pytest.raises(StudyDataError, match="no rows"):
        load_study(pd.DataFrame({"policy": [], "unit": [], "time": []}))
    with pytest.raises(StudyDataError, match="unit_col="):
        # 'region' is no common unit column name ('state' is now taken for the unit)
        load_study(pd.DataFrame({"policy": ["p"], "region": ["A"], "time": [1]}))


@pytest.mark.parametrize("ext", ["parquet", "xlsx", "dta"])
def test_other_file_formats(tmp_path, ext):
    df = _adopt()
    f = tmp_path / f"a.{ext}"
    {"parquet": df.to_parquet, "xlsx": lambda p: df.to_excel(p, index=False),
     "dta": lambda p: df.to_stata(p, write_index=False)}[ext](f)
    s = load_study(f)
    assert s.adoptions.height == 3


def test_caller_data_untouched():
    df = _adopt()
    before = pd.util.hash_pandas_object(df).sum()
    load_study(df, units=UNITS)
    assert pd.util.hash_pandas_object(df).sum() == before


def test_events_in_force_from_start():
    ev = pd.DataFrame({"event": ["directive"], "start": [2002]})
    s = load_study(_adopt(), events=ev, end=2004)
    assert s.events.get_column("period").to_list() == [2002, 2003, 2004]


def test_codes_with_leading_zeros_stay_text(tmp_path):
    f = tmp_path / "a.csv"
    f.write_text("policy,unit,time\np,01,2001\np,12,2002\n")
    s = load_study(f)
    assert sorted(s.unit_ids) == ["01", "12"]
