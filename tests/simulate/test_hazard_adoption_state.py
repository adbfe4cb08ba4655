"""The hazard simulator keeps its adoption state itself: the study is read by load_study
once per simulation, not once per period, with the same draws."""

from __future__ import annotations

import numpy as np
import pytest

import policydiffusion.study as study_module
from policydiffusion import terms as T
from policydiffusion.simulate.designs import synthetic_study
from policydiffusion.simulate.hazard import _with_adoptions, simulate_hazard
from policydiffusion.terms._simulation import NEVER


@pytest.fixture(scope="module")
def study():
    return synthetic_study(30, 10, seed=5)


def test_builder_terms_read_the_study_once_per_simulation(study, monkeypatch) -> None:
    calls = []
    real = study_module.load_study
    monkeypatch.setattr(study_module, "load_study",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    sim = simulate_hazard(study, coefs={"Intercept": -4.0, "period_5": 0.5},
                          terms=[T.period_dummies(), T.national_share()], initial=["u000"],
                          seed=3)
    assert sim.provenance["terms_by_builder"] == ["period"]
    assert sim.riskset.get_column("period").n_unique() == 10  # every period went through
    assert len(calls) == 1  # was 12: the probe, one per period, the result


@pytest.mark.parametrize("upto", [-1, 0, 3, 9])
def test_adoption_frame_is_what_the_loader_reads(study, upto) -> None:
    """The per-period adoptions, built directly, equal load_study's reading of them
    (columns, types, order), seeds before the window included."""
    from policydiffusion.simulate.hazard import _adoption_frame

    rng = np.random.default_rng(upto + 10)
    A = rng.integers(0, 11, study.n_units)
    A[rng.random(study.n_units) < 0.3] = NEVER
    loaded = _with_adoptions(study, "sim", study.unit_ids, A, upto).adoptions
    mine = _adoption_frame("sim", study.unit_ids, A, upto)
    assert mine.schema == loaded.schema
    assert mine.equals(loaded)
    assert mine.height == int((A <= upto).sum())
