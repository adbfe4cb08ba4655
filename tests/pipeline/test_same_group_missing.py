"""same_group(missing="different"): units in no group are not in the same group."""

import pandas as pd
import pytest

from policydiffusion import terms as T
from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset import dyadic_riskset
from policydiffusion.study import load_study


def _study():
    adopt = pd.DataFrame({"policy": "p", "unit": ["A", "B", "C"], "time": [2000, 2000, 2002]})
    units = pd.DataFrame({"unit": ["A", "B", "C", "D"], "grp": ["g", None, "g", None]})
    return load_study(adopt, units=units, end=2003)


@pytest.mark.parametrize("missing, expected", [("null", {("C", "A"): 1, ("C", "B"): None,
                                                         ("D", "A"): None, ("D", "B"): None}),
                                               ("different", {("C", "A"): 1, ("C", "B"): 0,
                                                              ("D", "A"): 0, ("D", "B"): 0})])
def test_missing_groups(missing, expected):
    rs = dyadic_riskset(_study(), "p", terms=[T.same_group("grp", missing=missing)])
    d = rs.data.filter(rs.data["period"] == 2001)
    got = {(u, s): v for u, s, v in d.select("unit", "source", "same_grp").rows()}
    assert got == expected


def test_missing_option_is_checked():
    with pytest.raises(InvalidOptionError):
        T.same_group("grp", missing="zero")
