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


def _by_builder(term):
    """``term`` without its own simulation values: the simulator asks the builder."""
    import dataclasses

    from policydiffusion.terms import Term

    cls = type(term)
    sub = type(f"ByBuilder{cls.__name__}", (cls,), {"simulate_values": Term.simulate_values})
    return sub(**{f.name: getattr(term, f.name) for f in dataclasses.fields(term)})


def test_duration_poly_and_leaders_simulate_themselves_bit_for_bit(study) -> None:
    """Evaluated by numpy or by the risk-set builder each period, the same draws and
    columns to the last bit (by region too)."""
    terms = [T.duration_poly(), T.leaders_adopted(["u003", "u010", "u017"]),
             T.leaders_adopted([f"u{k:03d}" for k in range(1, 30, 3)], by_region=True),
             T.national_share()]
    coefs = {"Intercept": -3.0, "duration_poly_1": 0.4, "duration_poly_3": -0.2,
             terms[1].name: 0.8, terms[2].name: 0.6, "national_share_l1": 1.5}
    fast = simulate_hazard(study, coefs=coefs, terms=terms, seed=4)
    slow = simulate_hazard(study, coefs=coefs, terms=[*map(_by_builder, terms[:3]), terms[3]],
                           seed=4)
    assert fast.provenance["terms_by_builder"] == []
    assert slow.provenance["terms_by_builder"] == [t.name for t in terms[:3]]
    assert fast.riskset.equals(slow.riskset)
    assert fast.study.adoptions.equals(slow.study.adoptions)
    assert 5 < fast.adoptions.height < study.n_units
    assert fast.riskset.get_column(terms[2].name).n_unique() == 2
