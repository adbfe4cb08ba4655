"""Run a simulation from a plain spec (a dict): the route the CLI and study files share."""

from __future__ import annotations

from typing import Any, Mapping

import pandas as pd

from policydiffusion.errors import InvalidOptionError

__all__ = ["simulate_from_spec"]

_MECH_KEYS = {"mechanism", "effect", "n_units", "n_periods", "baseline", "link", "seed"}
_FIT_KEYS = {"fit", "policy", "terms", "draws", "seed", "start", "end", "parameter_uncertainty"}


def simulate_from_spec(spec: Mapping[str, Any], *, study=None) -> dict[str, pd.DataFrame]:
    """Simulate adoption data from a spec; returns ``{"adoptions": ..., ["curves": ...]}``.

    Two kinds of spec:

    * a simple mechanism on a synthetic study: ``{"mechanism": "neighbors",
      "effect": 1.0, "n_units": 50, "n_periods": 10, "baseline": -3, "seed": 1}``
      (see :func:`mechanism_design`); ``adoptions`` has ``unit, period``;
    * a fitted model: ``{"fit": "fit.json" or a HazardResult, "policy": "p",
      "terms": [Term, ...], "draws": 100, "seed": 1}`` with ``study`` given;
      ``adoptions`` has ``draw, unit, period`` and ``curves`` the observed vs
      simulated cumulative shares.

    Examples
    --------
    >>> out = simulate_from_spec({"mechanism": "covariate", "effect": 1.0, "n_units": 20,
    ...                           "n_periods": 5, "seed": 1})
    >>> out["adoptions"].columns.tolist()
    ['unit', 'period']
    """
    keys = set(spec)
    if "mechanism" in keys:
        _check_keys(keys, _MECH_KEYS, "a mechanism simulation")
        if "seed" not in spec:
            raise InvalidOptionError("the spec needs a seed.")
        from policydiffusion.simulate.designs import mechanism_design

        sim = mechanism_design(**{k: v for k, v in spec.items()})
        return {"adoptions": sim.adoptions.to_pandas()}
    if "fit" in keys:
        _check_keys(keys, _FIT_KEYS, "a simulation from a fit")
        if study is None or "policy" not in spec or "seed" not in spec:
            raise InvalidOptionError("simulating from a fit needs a study, 'policy' and 'seed'.")
        from policydiffusion.simulate.from_fit import simulate_from_fit

        fs = simulate_from_fit(spec["fit"], study, policy=spec["policy"],
                               terms=spec.get("terms", ()), draws=int(spec.get("draws", 100)),
                               parameter_uncertainty=bool(spec.get("parameter_uncertainty", True)),
                               start=spec.get("start"), end=spec.get("end"), seed=int(spec["seed"]))
        return {"adoptions": fs.adoptions.to_pandas(), "curves": fs.compare()}
    raise InvalidOptionError("a simulation spec needs 'mechanism' (a simple mechanism) or 'fit' "
                             "(a fitted model).")


def _check_keys(keys: set, allowed: set, what: str) -> None:
    unknown = keys - allowed
    if unknown:
        raise InvalidOptionError(f"unknown keys for {what}: {sorted(unknown)}; "
                                 f"allowed: {sorted(allowed)}.")
