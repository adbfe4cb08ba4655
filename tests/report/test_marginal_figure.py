"""Issue 10, item 9: marginal-effect figures (scale, discrete moderators, rug, distinct ids)."""

from types import SimpleNamespace

import matplotlib
import pandas as pd
from matplotlib.collections import PolyCollection

from policydiffusion.pipeline.assemble import _moderation
from policydiffusion.pipeline.figures import marginal_drawer
from policydiffusion.pipeline.state import ModerationOutput

matplotlib.use("Agg")


def _frame(values, discrete, scale="response"):
    n = len(values)
    return pd.DataFrame({"moderator": "m", "value": values, "estimate": [0.01 * (i + 1) for i in range(n)],
                         "conf_low": [0.0] * n, "conf_high": [0.05] * n, "scale": scale,
                         "discrete": discrete})


def _output(frame, observed=(), scale="probability"):
    spec = SimpleNamespace(scale=scale)
    return ModerationOutput(key="m1", model="m1", variable="x", moderator="m", frame=frame,
                            spec=spec, observed=tuple(observed))


def _axes(mo):
    fig = marginal_drawer(mo, {})("en")
    return fig.axes[0]


def test_a_discrete_moderator_is_drawn_as_points_with_intervals():
    ax = _axes(_output(_frame([0.0, 1.0, 2.0], True)))
    assert not any(isinstance(c, PolyCollection) for c in ax.collections)  # no band
    assert [t for t in ax.get_xticks()] == [0.0, 1.0, 2.0]
    assert ax.get_ylabel() == "Effect on the adoption probability"


def test_a_continuous_moderator_gets_a_band_and_a_rug_of_its_values():
    observed = [0.1, 0.2, 0.2, 0.7, 0.9]
    ax = _axes(_output(_frame([0.1, 0.5, 0.9], False, scale="link"), observed))
    assert any(isinstance(c, PolyCollection) for c in ax.collections)
    rug = [ln for ln in ax.lines if ln.get_marker() == "|"]
    assert len(rug) == 1 and list(rug[0].get_xdata()) == observed
    assert ax.get_ylabel() == "Effect on the linear predictor"


def test_two_figures_of_the_same_pair_get_distinct_ids():
    mo = [_output(_frame([0.0, 1.0], True)),
          _output(_frame([0.0, 1.0], True, scale="link"), scale="linear")]
    model = SimpleNamespace(key="m1", spec=SimpleNamespace(label={"en": "M1"}, name="m1"))
    state = SimpleNamespace(moderation=tuple(mo), models=(model,),
                            sf=SimpleNamespace(report=SimpleNamespace(
                                labels={}, figures=("marginal_effects",))))
    keys = [item.key for item in _moderation(state).items]
    assert len(keys) == 2 and len(set(keys)) == 2
