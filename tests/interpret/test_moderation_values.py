"""Issue 10, item 9: where a marginal effect is evaluated, and refusing a model without
the interaction (its effect would be a flat line)."""

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import fit_hazard
from policydiffusion.interpret import marginal_effect_across


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(11)
    n = 1500
    df = pd.DataFrame({"x": rng.normal(size=n), "d": rng.integers(0, 2, n),
                       "level": rng.integers(0, 4, n), "z": rng.uniform(-2.0, 3.0, n)})
    eta = -1.5 + 0.5 * df.x + 0.4 * df.x * df.d + 0.2 * df.x * df.z - 0.1 * df.level
    df["adopt"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return df


def test_a_binary_moderator_is_evaluated_at_its_two_values(data):
    res = fit_hazard(data, "adopt ~ x * d")
    me = marginal_effect_across(res, variable="x", moderator="d")
    assert me["value"].tolist() == [0.0, 1.0] and me["discrete"].all()
    b = res.params
    assert np.allclose(me["estimate"], [b["x"], b["x"] + b["x:d"]])


def test_an_ordinal_moderator_is_evaluated_at_its_observed_values(data):
    res = fit_hazard(data, "adopt ~ x * level")
    me = marginal_effect_across(res, variable="x", moderator="level", scale="response")
    assert me["value"].tolist() == [0.0, 1.0, 2.0, 3.0] and me["discrete"].all()


def test_a_continuous_moderator_spans_its_observed_range(data):
    res = fit_hazard(data, "adopt ~ x * z")
    me = marginal_effect_across(res, variable="x", moderator="z", n_values=7)
    assert len(me) == 7 and not me["discrete"].any()
    assert me["value"].iloc[0] == data.z.min() and me["value"].iloc[-1] == data.z.max()


def test_given_values_are_kept_and_not_called_discrete(data):
    res = fit_hazard(data, "adopt ~ x * d")
    me = marginal_effect_across(res, variable="x", moderator="d", values=[0.0, 0.5, 1.0])
    assert me["value"].tolist() == [0.0, 0.5, 1.0] and not me["discrete"].any()


@pytest.mark.parametrize("scale", ["link", "response"])
def test_a_model_without_the_interaction_is_refused(data, scale):
    res = fit_hazard(data, "adopt ~ x + z")
    with pytest.raises(InvalidOptionError, match="no interaction of 'x' with 'z'"):
        marginal_effect_across(res, variable="x", moderator="z", scale=scale)


@pytest.mark.parametrize("values", [None, [0.0, 1.5]])
def test_the_data_are_read_once(data, monkeypatch, values):
    from policydiffusion.estimate._data import DataSource
    from policydiffusion.interpret import average_marginal_effects

    res = fit_hazard(data, "adopt ~ x * z")
    reads = []
    real = DataSource.chunks

    def counted(self, *args, **kwargs):
        reads.append(1)
        yield from real(self, *args, **kwargs)

    monkeypatch.setattr(DataSource, "chunks", counted)
    me = marginal_effect_across(res, variable="x", moderator="z", values=values, n_values=3,
                                scale="response")
    assert len(reads) == 1
    # the same numbers as the average marginal effect with the moderator set, one by one
    for m, row in zip(me["value"], me.itertuples()):
        ame = average_marginal_effects(res, variables=["x"], at={"z": [m]})
        assert np.isclose(row.estimate, ame["estimate"].iloc[0], rtol=1e-12)
        assert np.isclose(row.std_error, ame["std_error"].iloc[0], rtol=1e-12)
