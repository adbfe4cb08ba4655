"""Every engine refuses a fit with no complete row in one message (Engine.check_rows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import fit_hazard

DATA = pd.DataFrame({"adopt": [0, 1, 0, 1, 0, 1], "x": [np.nan] * 6,
                     "g": ["a", "a", "b", "b", "c", "c"]})
MESSAGE = r"no complete rows to fit 'adopt ~ x.*': all 6 rows have a missing value"


@pytest.mark.parametrize("options", [{}, {"fixed_effects": "g"}])
def test_no_complete_row_is_refused_by_the_local_and_absorbing_engines(options):
    with pytest.raises(InvalidOptionError, match=MESSAGE):
        fit_hazard(DATA, "adopt ~ x", **options)


def test_no_complete_row_is_refused_by_the_dask_engine(client):
    with pytest.raises(InvalidOptionError, match=MESSAGE):
        fit_hazard(DATA, "adopt ~ x", engine="dask")
