import numpy as np
import pandas as pd
import pytest

from policydiffusion.effects._index import benefit_components, evaluation_index, unit_effects
from policydiffusion.errors import InvalidOptionError

pytest.importorskip("pyfixest")


def _sim(seed=0, noise=0.05):
    """40 adopters: the first 20 gain (outcome falls by 1), the other 20 nothing."""
    rng = np.random.default_rng(seed)
    n, T = 60, 12
    p = pd.DataFrame({"unit": np.repeat(np.arange(n), T), "t": np.tile(np.arange(T), n)})
    a = pd.DataFrame({"policy": "x", "unit": np.arange(40), "t": rng.integers(3, 9, 40)})
    a.loc[39, "t"] = 40  # adopts after the panel ends: no window rows, not identified
    true = pd.Series(np.where(np.arange(40) < 20, -1.0, 0.0))
    k = p["t"] - p["unit"].map(dict(zip(a["unit"], a["t"])))
    eff = np.where(k >= 0, p["unit"].map(true).fillna(0.0), 0.0)
    p["y"] = np.repeat(rng.normal(size=n), T) + 0.1 * p["t"] + eff + rng.normal(0, noise, len(p))
    return p, a, true


def test_unit_effects_recover_each_adopter():
    p, a, true = _sim()
    ue = unit_effects(p, a, outcome="y", unit="unit", time="t", policy="x", window=(0, 20),
                      absorb=("unit", "t"), cluster="t")
    assert len(ue) == 40 and ue["identified"].sum() == 39
    assert not ue.set_index("unit").at[39, "identified"]
    ok = ue[ue["identified"]]
    np.testing.assert_allclose(ok["estimate"], true.loc[ok["unit"]].to_numpy(), atol=0.1)


def test_benefit_components_measure_share_and_dispersion():
    p, a, true = _sim()
    b = benefit_components(p, a, outcome="y", unit="unit", time="t", window=(0, 20), scale=1.0,
                           absorb=("unit", "t")).iloc[0]
    # 20 of the 39 identified adopters gain; the rest have no effect.
    assert b["significant_share"] == pytest.approx(20 / 39, abs=0.03)
    sd_true = float(true.iloc[:39].std(ddof=1))
    assert b["dispersion"] == pytest.approx(sd_true, abs=0.05)
    assert b["average_benefit"] == pytest.approx(0.5, abs=0.1)
    assert b["consistency"] == pytest.approx(1 / (1 + b["dispersion"] ** 2))
    up = benefit_components(p, a, outcome="y", unit="unit", time="t", window=(0, 20), scale=1.0,
                            benefit="increase", absorb=("unit", "t")).iloc[0]
    assert up["average_benefit"] == 0.0 and up["significant_share"] < 0.05


def test_evaluation_index_weights_and_errors():
    proc = pd.DataFrame({"policy": ["p", "q"], "breadth": [1.0, 0.5], "speed": [0.0, 1.0],
                         "clustering": [None, 0.5]})
    ben = pd.DataFrame({"policy": ["p", "q"], "average_benefit": [1.0, 0.0],
                        "significant_share": [1.0, 0.0], "consistency": [1.0, 0.0]})
    e = evaluation_index(proc, ben).set_index("policy")
    assert e.at["p", "index"] == pytest.approx(4 / 5) and e.at["q", "index"] == pytest.approx(2 / 6)
    e2 = evaluation_index(proc, ben, weights={"average_benefit": 3, "significant_share": 0,
                                              "consistency": 0}).set_index("policy")
    assert e2.at["p", "benefit_index"] == 1.0 and e2.at["p", "index"] == pytest.approx(4 / 5)
    with pytest.raises(InvalidOptionError, match="weights key"):
        evaluation_index(proc, ben, weights={"benefit": 1})


def test_unit_effects_refuse_unit_clusters():
    p, a, _ = _sim()
    with pytest.raises(InvalidOptionError, match="cannot cluster by the unit"):
        unit_effects(p, a, outcome="y", unit="unit", time="t", policy="x", window=(0, 20),
                     cluster="unit")
