"""Common column names (state, year, ...) taken when the default columns are absent."""

from __future__ import annotations

import warnings

import pandas as pd
import pytest

from policydiffusion.errors import StudyDataError
from policydiffusion.study import load_study
from policydiffusion.study._load import ColumnChoiceWarning


def test_state_and_year_are_taken_for_unit_and_time_and_said():
    adopt = pd.DataFrame({"policy": ["p", "p"], "State": ["A", "B"], "year": [2001, 2003]})
    with pytest.warns(ColumnChoiceWarning) as caught:
        s = load_study(adopt, units=pd.DataFrame({"State": ["A", "B", "C"]}))
    said = [str(w.message) for w in caught]
    assert any(m.startswith("using column 'State' as the unit") for m in said)
    assert any(m.startswith("using column 'year' as the time") for m in said)
    assert s.sources["unit column"] == "State" and s.sources["time column"] == "year"
    assert s.n_units == 3 and (s.start, s.end) == (2001, 2003)
    assert s.adoptions["unit"].to_list() == ["A", "B"]


def test_wide_layout_takes_the_unit_column_only():
    wide = pd.DataFrame({"province": ["A", "B"], "p": [2001, None]})
    with pytest.warns(ColumnChoiceWarning, match="'province' as the unit"):
        s = load_study(wide, layout="wide")
    assert s.adoptions["unit"].to_list() == ["A"]


def test_two_candidates_keep_the_existing_error():
    adopt = pd.DataFrame({"policy": ["p"], "state": ["A"], "code": ["a"], "time": [2001]})
    with warnings.catch_warnings():
        warnings.simplefilter("error", ColumnChoiceWarning)
        with pytest.raises(StudyDataError, match="needed as the unit column"):
            load_study(adopt)


def test_an_explicit_column_name_is_not_replaced():
    adopt = pd.DataFrame({"policy": ["p"], "state": ["A"], "time": [2001]})
    with pytest.raises(StudyDataError, match="'region'"):
        load_study(adopt, unit_col="region")
