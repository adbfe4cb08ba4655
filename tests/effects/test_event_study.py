import numpy as np
import pandas as pd
import pytest

pytest.importorskip("pyfixest")

from policydiffusion.effects import event_study, event_time_indicators
from policydiffusion.effects._hsiang import _lag
from policydiffusion.errors import InvalidOptionError, StudyDataError


def _panel(n_units=30, n_periods=12, seed=0, effect=(0.0, 1.0, 2.0)):
    """Staggered adoption with a known effect by event time (0, 1, 2+) and TWFE structure."""
    rng = np.random.default_rng(seed)
    units = [f"u{i}" for i in range(n_units)]
    adopt = pd.DataFrame({"policy": "p", "unit": units[: n_units * 2 // 3],
                          "period": rng.integers(3, n_periods - 2, n_units * 2 // 3)})
    p = pd.DataFrame({"unit": np.repeat(units, n_periods), "period": np.tile(range(n_periods), n_units)})
    a = p.merge(adopt, on="unit", how="left")
    k = a["period_x"] - a["period_y"]
    eff = np.select([k == 0, k == 1, k >= 2], effect, 0.0)
    ufe = dict(zip(units, rng.normal(size=n_units)))
    p["y"] = p["unit"].map(ufe) + 0.3 * p["period"] + eff + rng.normal(0, 0.1, len(p))
    return p, adopt


def test_recovers_known_effects_with_unit_and_period_effects():
    p, adopt = _panel()
    r = event_study(p, adopt, outcome="y", unit="unit", time="period", bins=[0, 1, (2, 20)],
                    absorb=("unit", "period"), cluster="unit")
    t = r.tidy().set_index("term")
    assert list(t.index) == ["p_L0_to_L0", "p_L1_to_L1", "p_L2_to_L20"]
    np.testing.assert_allclose(t["estimate"], [0.0, 1.0, 2.0], atol=0.1)
    assert r.n_clusters == 30 and r.df_resid == 29


def test_stata_lag_is_by_calendar_day_not_by_row():
    d = pd.DataFrame({"city": ["a"] * 3, "date": pd.to_datetime(["2020-01-01", "2020-01-02",
                                                                  "2020-01-04"]),
                      "x": [1.0, 2.0, 4.0]})
    # The day before 2020-01-04 is absent, so its lag is missing (not 2.0, the previous row).
    assert _lag(d, "x").tolist()[1] == 1.0 and np.isnan(_lag(d, "x").tolist()[2])


def test_leads_named_F_and_pretrend_wald():
    p, adopt = _panel(seed=3)
    r = event_study(p, adopt, outcome="y", unit="unit", time="period", bins=[(-3, -2), 0, (1, 20)],
                    absorb=("unit", "period"), cluster="unit")
    assert r.terms[0] == "p_F3_to_F2"
    w = r.wald(["p_F3_to_F2"])
    assert w["p_value"] > 0.01  # no anticipation in the data generating process


def test_missing_outcome_counted_not_silent():
    p, adopt = _panel()
    p.loc[[0, 5, 7], "y"] = np.nan
    r = event_study(p, adopt, outcome="y", unit="unit", time="period", bins=[(0, 20)])
    assert r.exclusions == {"missing outcome": 3}
    assert r.n_obs == len(p) - 3


def test_bad_input_errors_name_the_problem():
    p, adopt = _panel()
    stray = pd.concat([adopt, pd.DataFrame({"policy": ["p"], "unit": ["zz"], "period": [4]})],
                      ignore_index=True)
    with pytest.raises(StudyDataError, match="'zz': unit not in the panel"):
        event_time_indicators(p, stray, unit="unit", time="period", bins=[0])
    with pytest.raises(InvalidOptionError, match="overlap"):
        event_study(p, adopt, outcome="y", unit="unit", time="period", bins=[(0, 3), (2, 5)])
    with pytest.raises(StudyDataError, match="second row"):
        event_study(pd.concat([p, p.iloc[[0]]]), adopt, outcome="y", unit="unit", time="period",
                    bins=[0])
    with pytest.raises(InvalidOptionError, match="parse text dates first"):
        event_study(p.assign(period=p["period"].astype(str)), adopt, outcome="y", unit="unit",
                    time="period", bins=[0])
    with pytest.raises(StudyDataError, match="column not found"):
        event_study(p, adopt, outcome="nope", unit="unit", time="period", bins=[0])


def test_event_study_figure_has_one_series_per_policy(china_fit):
    from policydiffusion.effects import plot_event_study

    fig = plot_event_study(china_fit, title="China")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "emergency_declaration", "travel_ban_local", "home_isolation"]


def test_core_import_does_not_need_pyfixest(tmp_path):
    # A fresh interpreter where pyfixest cannot be imported: the package and the design
    # still work; estimation says how to install the extra.
    import subprocess
    import sys
    from pathlib import Path

    src = Path(__file__).resolve().parents[2] / "src"
    code = (
        "import sys; sys.modules['pyfixest'] = None\n"
        "import pandas as pd\n"
        "import policydiffusion, policydiffusion.effects as e\n"
        "p = pd.DataFrame({'unit': ['a', 'a', 'b', 'b'], 't': [1, 2, 1, 2], 'y': [0., 1., 0., 0.]})\n"
        "a = pd.DataFrame({'policy': ['x'], 'unit': ['a'], 't': [2]})\n"
        "assert e.event_time_indicators(p, a, unit='unit', time='t', bins=[0]).sum().item() == 1\n"
        "try:\n"
        "    e.event_study(p, a, outcome='y', unit='unit', time='t', bins=[0])\n"
        "except e.MissingDependencyError as exc:\n"
        "    print('missing:', exc)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(src), "PATH": ""}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "policydiffusion[effects]" in out.stdout
