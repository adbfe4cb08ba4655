"""Closed-form first and second derivatives of the curve families' cumulative
functions (``CurveModel.jet``) against central finite differences."""

from __future__ import annotations

import numpy as np
import pytest

from policydiffusion.curves import MODELS

_POINTS = {
    "logistic": [(0.6, 0.8, 3.2), (0.95, 15.0, 1.3), (0.3, 0.05, -20.0)],
    "gompertz": [(0.7, 5.0, 0.4), (0.99, 1e4, 3.0), (0.5, 0.01, 0.05)],
    "bass": [(0.8, 0.02, 0.5), (0.6, 1e-5, 3.0), (0.9, 0.3, 1e-3)],
    "exponential": [(0.7, 0.3), (0.2, 5.0)],
}


@pytest.mark.parametrize("name", list(_POINTS))
def test_jet_matches_finite_differences(name):
    model = MODELS[name]
    t = np.arange(0.0, 12.0)  # t = 0 is F(t - 1) of the first period
    for x in map(np.array, _POINTS[name]):
        F, dF, H = model.jet(t, *x)
        np.testing.assert_allclose(F, model.cdf(t, *x), rtol=1e-13, atol=0)
        np.testing.assert_array_equal(H, H.transpose(1, 0, 2))
        for i in range(x.size):
            h = 1e-6 * max(abs(x[i]), 1e-3)
            e = np.zeros(x.size)
            e[i] = h
            (Fp, dFp, _), (Fm, dFm, _) = model.jet(t, *(x + e)), model.jet(t, *(x - e))
            # errors relative to each derivative's largest size over t
            assert np.abs((Fp - Fm) / (2 * h) - dF[i]).max() <= 1e-6 * np.abs(dF[i]).max()
            assert (np.abs((dFp - dFm) / (2 * h) - H[:, i]).max(axis=-1)
                    <= 1e-6 * np.abs(H[:, i]).max(axis=-1) + 1e-300).all()
