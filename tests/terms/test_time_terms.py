"""Duration counter, Carter-Signorino polynomial, natural spline and period dummies."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from policydiffusion import terms as T
from policydiffusion.errors import InvalidOptionError
from policydiffusion.riskset import monadic_riskset


def test_duration_and_polynomial(toy):
    rs = monadic_riskset(toy, policy="p", terms=[T.duration(), T.duration_poly()])
    d = rs.data["duration"].to_numpy().astype(float)
    assert rs.data.filter(pl.col("unit") == "D")["duration"].to_list() == [1, 2, 3, 4, 5]
    for k in (1, 2, 3):
        np.testing.assert_allclose(rs.data[f"duration_poly_{k}"].to_numpy(), (d / 10) ** k)
    assert "Carter" in rs.column_meta["duration_poly_3"]["description"]


def _rcs(x, knots):
    """Harrell's restricted cubic spline basis (rms::rcspline.eval, norm=2), as a loop."""
    t, K = knots, len(knots)
    out = []
    for j in range(K - 2):
        c = (np.maximum(x - t[j], 0) ** 3
             - np.maximum(x - t[K - 2], 0) ** 3 * (t[K - 1] - t[j]) / (t[K - 1] - t[K - 2])
             + np.maximum(x - t[K - 1], 0) ** 3 * (t[K - 2] - t[j]) / (t[K - 1] - t[K - 2]))
        out.append(c / (t[K - 1] - t[0]) ** 2)
    return out


def test_spline_basis_and_knot_placement(toy):
    rs = monadic_riskset(toy, policy="p", terms=[T.duration_spline(knots=[2, 3])])
    d = rs.data["duration"].to_numpy().astype(float)
    for k, col in enumerate(_rcs(d, [1.0, 2.0, 3.0, 5.0]), start=1):
        np.testing.assert_allclose(rs.data[f"duration_spline_{k}"].to_numpy(), col)
    # quantile knots: durations over the rows are 1 x5, 2 x4, 3 x3, 4 x3, 5 x2 (17 rows)
    rs1 = monadic_riskset(toy, policy="p", terms=[T.duration_spline(knots=1)])
    assert "[1.0, 2.0, 5.0]" in rs1.column_meta["duration_spline_1"]["description"]
    # natural spline: linear beyond the last knot (second differences vanish)
    x = np.arange(5.0, 9.0)
    basis = _rcs(x, [1.0, 2.0, 3.0, 5.0])
    assert np.allclose(np.diff(basis[0], 2), 0)
    with pytest.raises(InvalidOptionError, match="increase"):
        monadic_riskset(toy, policy="p", terms=[T.duration_spline(knots=[3, 2])])
    # knots outside boundaries the user gave: the message blames boundary=, not the data
    with pytest.raises(InvalidOptionError, match=r"given by boundary=\(1\.0, 3\.0\)\): put the interior"):
        monadic_riskset(toy, policy="p", terms=[T.duration_spline(knots=[2, 4], boundary=(1, 3))])


def test_period_dummies(toy):
    rs = monadic_riskset(toy, policy="p", terms=[T.period_dummies()])
    cols = [c for c in rs.data.columns if c.startswith("period_")]
    assert cols == ["period_2002", "period_2003", "period_2004", "period_2005"]
    df = rs.data
    assert (df["period_2003"] == (df["period"] == 2003).cast(pl.Int8)).all()
    full = monadic_riskset(toy, policy="p", terms=[T.period_dummies(drop_first=False)]).data
    assert full.select(pl.sum_horizontal(pl.col("^period_.*$"))).to_series().eq(1).all()


def test_duration_counts_match_brute_force_and_periods_skip_repeated_spans():
    from policydiffusion.terms._time import _duration_counts, _present_periods

    rng = np.random.default_rng(7)
    for _ in range(50):
        n = int(rng.integers(1, 200))
        lengths = rng.integers(1, int(rng.integers(2, 60)), n).astype(np.int32)
        start = rng.integers(1950, 2000, n).astype(np.int32)
        sp = pl.DataFrame({"_start": start, "_last": start + lengths - 1})
        d, counts = _duration_counts(sp)
        assert d.tolist() == list(range(1, int(lengths.max()) + 1))
        assert counts.tolist() == [int((lengths >= x).sum()) for x in d]
        every = sorted({p for s, e in zip(start, start + lengths - 1) for p in range(s, e + 1)})
        assert _present_periods(sp) == every
