"""One lookup of the adoptions' unit and time columns in effects/ (issue 15): every
function that reads adoption records names a missing column the same way."""

from __future__ import annotations

import pandas as pd
import pytest

from policydiffusion.effects import adoption_order, cohorts, neighbour_adoption_share
from policydiffusion.errors import StudyDataError

NO_TIME = pd.DataFrame({"policy": ["p", "p"], "unit": ["A", "B"]})
PANEL = pd.DataFrame({"unit": ["A", "B"], "t": [1, 1], "y": [0.0, 1.0]})


@pytest.mark.parametrize("call", [
    lambda: adoption_order(NO_TIME, time="t"),
    lambda: neighbour_adoption_share(NO_TIME, pd.DataFrame({"source": ["A"], "target": ["B"]}),
                                     time="t"),
    lambda: cohorts(PANEL, NO_TIME, unit="unit", time="t"),
], ids=["adoption_order", "neighbour_adoption_share", "cohorts"])
def test_missing_adoption_time_column_is_named(call):
    with pytest.raises(StudyDataError, match=r"adoptions, column 'time': missing column; "
                                             r"adoptions need policy, 'unit' \(or 'unit'\) and "
                                             r"'t' \(or 'time'\)"):
        call()
