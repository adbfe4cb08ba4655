"""Study designs for simulation: a Study with no adoptions yet, and synthetic studies."""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError
from policydiffusion.simulate._common import make_rng

__all__ = ["blank_study", "synthetic_study", "mechanism_design", "mechanism_term"]


def blank_study(units: pd.DataFrame, *, start: int, end: int, policy: str = "simulated",
                covariates: pd.DataFrame | None = None, relations: Mapping | None = None,
                events: pd.DataFrame | None = None):
    """A validated Study of ``units`` (column ``unit``) over ``start..end`` with no adoptions.

    ``covariates`` (``unit``, ``period`` or ``time``, values), ``relations`` and
    ``events`` are passed to :func:`~policydiffusion.study.load_study`.

    Examples
    --------
    >>> import pandas as pd
    >>> s = blank_study(pd.DataFrame({"unit": ["a", "b"]}), start=1, end=5)
    >>> s.n_units, s.adoptions.height, (s.start, s.end)
    (2, 0, (1, 5))
    """
    from policydiffusion.study import load_study

    if "unit" not in units.columns or units.empty:
        raise InvalidOptionError("units needs a 'unit' column and at least one row.")
    first = str(units["unit"].iloc[0])
    placeholder = pd.DataFrame({"policy": [policy], "unit": [first], "time": [start]})
    cov = covariates
    if cov is not None and "period" in cov.columns and "time" not in cov.columns:
        cov = cov.rename(columns={"period": "time"})
    s = load_study(placeholder, units=units, policies=pd.DataFrame({"policy": [policy]}),
                   covariates=cov, relations=relations, events=events,
                   granularity="period" if start < 1000 else "year", start=start, end=end)
    return replace(s, adoptions=s.adoptions.clear())


def synthetic_study(n_units: int, n_periods: int, *, seed: int, start: int = 1,
                    n_regions: int = 4, k_neighbors: int = 4, policy: str = "simulated"):
    """A synthetic study: units on a random plane with a k-nearest-neighbour contiguity.

    Units ``u000``...; attribute ``region`` (``n_regions`` spatial bands) and ``x``
    (N(0, 1), static); covariate ``z`` (N(0, 1) per unit-period); relation
    ``contiguity`` (undirected k-nearest neighbours); event ``mandate`` in force in
    the second half of the window for every unit.

    Examples
    --------
    >>> s = synthetic_study(20, 8, seed=1)
    >>> s.n_units, sorted(s.relations), s.covariates.columns
    (20, ['contiguity'], ['unit', 'period', 'z'])
    """
    if n_units < 3 or n_periods < 1:
        raise InvalidOptionError("need at least 3 units and 1 period.")
    rng = make_rng(seed)
    xy = rng.random((n_units, 2))
    ids = [f"u{k:03d}" for k in range(n_units)]
    band = np.minimum((xy[:, 0] * n_regions).astype(int), n_regions - 1)
    units = pd.DataFrame({"unit": ids, "region": [f"r{b}" for b in band],
                          "x": rng.standard_normal(n_units)})
    d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    k = min(k_neighbors, n_units - 1)
    nn = np.argsort(d, axis=1, kind="stable")[:, :k]
    pairs = {tuple(sorted((i, int(j)))) for i in range(n_units) for j in nn[i]}
    edges = pd.DataFrame(sorted(pairs), columns=["a", "b"]).assign(
        source=lambda f: [ids[i] for i in f["a"]], target=lambda f: [ids[j] for j in f["b"]])
    from policydiffusion.study import RelationSpec

    periods = np.arange(start, start + n_periods)
    cov = pd.DataFrame({"unit": np.repeat(ids, n_periods), "period": np.tile(periods, n_units),
                        "z": rng.standard_normal(n_units * n_periods)})
    half = int(start + n_periods // 2)
    events = pd.DataFrame({"event": ["mandate"], "start": [half]})
    return blank_study(units, start=start, end=start + n_periods - 1, policy=policy,
                       covariates=cov,
                       relations={"contiguity": RelationSpec(edges[["source", "target"]],
                                                             description="k-nearest neighbours")},
                       events=events)


MECHANISMS = {
    "covariate": ("x", None),
    "neighbors": ("neighbors_adopted_l1", "neighbors_adopted"),
    "national": ("national_share_l1", "national_share"),
}


def mechanism_term(mechanism: str) -> str:
    """Name of the coefficient a simple mechanism puts its effect on.

    Examples
    --------
    >>> mechanism_term("neighbors")
    'neighbors_adopted_l1'
    """
    from policydiffusion.errors import check_choice

    check_choice("mechanism", mechanism, tuple(MECHANISMS))
    return MECHANISMS[mechanism][0]


def mechanism_design(*, seed: int, effect: float = 0.5, n_units: int = 50, n_periods: int = 10,
                     mechanism: str = "covariate", baseline: float = -3.0, link: str = "logit"):
    """Simulate one simple mechanism on a fresh synthetic study (for power analysis).

    ``covariate``: eta = baseline + effect * x (a static unit attribute, N(0, 1));
    ``neighbors``: baseline + effect * share of k-nearest neighbours adopted by t-1;
    ``national``: baseline + effect * share of all other units adopted by t-1.

    Examples
    --------
    >>> sim = mechanism_design(seed=1, mechanism="neighbors", effect=2.0, n_units=30)
    >>> sim.formula()
    'adopt ~ neighbors_adopted_l1'
    """
    from policydiffusion import terms as T
    from policydiffusion.simulate.hazard import simulate_hazard

    name, builder = mechanism_term(mechanism), MECHANISMS[mechanism][1]
    s_study, s_sim = np.random.SeedSequence(seed).spawn(2)
    study = synthetic_study(int(n_units), int(n_periods),
                            seed=int(s_study.generate_state(1)[0]))
    terms = [getattr(T, builder)()] if builder else []
    return simulate_hazard(study, coefs={"Intercept": float(baseline), name: float(effect)},
                           terms=terms, link=link, seed=int(s_sim.generate_state(1)[0]))
