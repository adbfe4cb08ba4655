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
def test_the_sample_is_read_once_and_the_moderator_from_two_columns(data, monkeypatch, values):
    from policydiffusion.estimate._data import DataSource
    from policydiffusion.interpret import average_marginal_effects

    res = fit_hazard(data, "adopt ~ x * z")
    reads = []
    real = DataSource.chunks

    def counted(self, columns, **kwargs):
        reads.append(sorted(columns))
        yield from real(self, columns, **kwargs)

    monkeypatch.setattr(DataSource, "chunks", counted)
    me = marginal_effect_across(res, variable="x", moderator="z", values=values, n_values=3,
                                scale="response")
    # the fit kept every row: the range (and whether x is 0/1) from x and z alone
    assert reads == [["x", "z"], ["adopt", "x", "z"]]
    # the same numbers as the average marginal effect with the moderator set, one by one
    for m, row in zip(me["value"], me.itertuples()):
        ame = average_marginal_effects(res, variables=["x"], at={"z": [m]})
        assert np.isclose(row.estimate, ame["estimate"].iloc[0], rtol=1e-12)
        assert np.isclose(row.std_error, ame["std_error"].iloc[0], rtol=1e-12)


def _rechunked(monkeypatch, rows: int) -> list:
    """Split the sample the moderation reads into chunks of ``rows`` (copies), and keep a
    weak reference to each chunk handed out."""
    import weakref

    from policydiffusion.interpret import _moderation

    real, refs = _moderation.sample_frames, []

    def chunks(res, data=None):
        for typed, w in real(res, data):
            for a in range(0, len(typed), rows):
                piece = typed.iloc[a:a + rows].copy().reset_index(drop=True)
                refs.append(weakref.ref(piece))
                yield piece, w[a:a + rows].copy()

    monkeypatch.setattr(_moderation, "sample_frames", chunks)
    return refs


@pytest.mark.parametrize("moderator, dropped", [("z", True), ("level", False), ("level", True)])
def test_the_sample_is_not_held_whole_and_the_numbers_do_not_change(data, monkeypatch,
                                                                     moderator, dropped):
    """Memory is one chunk of the model's variables, not all of them x every row; the
    effects are the same however the sample is chunked, with or without rows the fit left
    out."""
    import gc

    frame = data.assign(d=data["d"].astype(float))
    if dropped:
        frame.loc[frame.index[::97], "d"] = np.nan
    res = fit_hazard(frame, f"adopt ~ x * {moderator} + d")
    assert (res.n_dropped_missing > 0) == dropped
    whole = marginal_effect_across(res, variable="x", moderator=moderator, scale="response",
                                   n_values=5)
    refs = _rechunked(monkeypatch, 200)
    alive = []
    from policydiffusion.interpret import _moderation

    inner = _moderation.sample_frames

    def watched(res, data=None):
        for piece in inner(res, data):
            gc.collect()
            alive.append(sum(r() is not None for r in refs) - 1)  # others than this one
            yield piece

    monkeypatch.setattr(_moderation, "sample_frames", watched)
    chunked = marginal_effect_across(res, variable="x", moderator=moderator, scale="response",
                                     n_values=5)
    assert len(refs) >= 8 and max(alive) <= 1  # was every chunk read so far
    pd.testing.assert_frame_equal(chunked, whole, check_exact=False, rtol=1e-12, atol=1e-15)
