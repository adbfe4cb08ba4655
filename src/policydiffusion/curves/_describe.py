"""describe_policy: every descriptive measure of one policy in one object."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from policydiffusion.curves._curve import adoption_curve
from policydiffusion.curves._data import as_study, policy_times
from policydiffusion.curves._fit import CurveFits, fit_curves
from policydiffusion.curves._index import diffusion_index
from policydiffusion.curves._rogers import adopter_categories, takeoff
from policydiffusion.curves._spatial import MoranResult, follow_neighbor_share, morans_i
from policydiffusion.curves._speed import policy_speed
from policydiffusion.errors import ConvergenceError, InvalidOptionError

__all__ = ["PolicyDescription", "describe_policy"]


@dataclass(frozen=True)
class PolicyDescription:
    """Curve, fits, take-off, categories, speed, clustering and index of one policy.

    ``speed`` and ``index`` are rows of :func:`policy_speed` / :func:`diffusion_index`
    (as dicts); when the description was computed alone the rescaled speed is
    relative to the policies passed as ``reference``.
    """

    policy: str
    n_units: int
    n_adopters: int
    first_period: int | None
    last_period: int | None
    curve: pd.DataFrame
    fits: CurveFits | None
    takeoff: dict
    categories: pd.DataFrame
    speed: dict
    moran: MoranResult | None
    follow_share: float | None
    index: dict
    notes: tuple[str, ...] = ()
    provenance: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """JSON-ready summary (the curve and categories as lists of records)."""
        fits = self.fits.to_dict() if self.fits is not None else {}
        return _clean({
            "policy": self.policy, "n_units": self.n_units, "n_adopters": self.n_adopters,
            "first_period": self.first_period, "last_period": self.last_period,
            "takeoff_period": self.takeoff.get("takeoff_period"), "takeoff": self.takeoff,
            "logistic": fits.get("logistic"), "gompertz": fits.get("gompertz"), "bass": fits.get("bass"),
            "exponential": fits.get("exponential"),
            "fit_comparison": (self.fits.comparison().to_dict(orient="records")
                               if self.fits is not None else None),
            "dynamics": fits.get("dynamics"), "fit_method": fits.get("method"),
            "speed": self.speed, "moran": self.moran.to_dict() if self.moran is not None else None,
            "follow_neighbor_share": self.follow_share, "index": self.index,
            "category_counts": self.categories["category"].value_counts().to_dict(),
            "curve": self.curve.to_dict(orient="records"), "notes": list(self.notes),
            "provenance": self.provenance,
        })

    def summary(self) -> str:
        lines = [f"Policy {self.policy}: {self.n_adopters} of {self.n_units} units adopted, "
                 f"first {self.first_period}, last {self.last_period}, take-off "
                 f"{self.takeoff.get('takeoff_period')}"]
        if self.fits is not None:
            lines.append(f"  best curve by AIC: {self.fits.best}; Boushey dynamics: {self.fits.dynamics}")
            lines += [f"  {m}: {f.note}" for m, f in self.fits.fits.items() if not f.has_optimum]
        if self.speed.get("intercept") is not None:
            lines.append(f"  Weibull speed intercept {self.speed['intercept']:.3f}")
        if self.moran is not None:
            lines.append(f"  Moran's I {self.moran.statistic:.3f} (p = {self.moran.p_randomization:.3g})")
        if self.index.get("index") is not None:
            lines.append(f"  diffusion index {self.index['index']:.3f} from {self.index['components']}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _clean(x):
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if not math.isfinite(float(x)) else float(x)
    if x is pd.NA or x is None:
        return None
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def describe_policy(study: object, policy: str, *, method: str = "mle", relation: str | None = "contiguity",
                    permutations: int = 999, seed: int | None = 0,
                    reference: list[str] | None = None,
                    speed_table: pd.DataFrame | None = None,
                    curve_fits: Mapping[str, CurveFits] | None = None,
                    optimizer: str = "newton") -> PolicyDescription:
    """Describe one policy: curve, S-curve/Bass fits, take-off, categories, speed,
    spatial clustering and the diffusion index.

    Parameters
    ----------
    method
        Curve-fitting method, ``"mle"`` or ``"nls"`` (see :func:`fit_curves`).
    relation
        Relation for Moran's I and the follow-a-neighbour share (skipped when the
        study lacks it or ``None``).
    permutations, seed
        For Moran's I.
    reference
        Policies against which the speed is rescaled (default: all of the study's).
    speed_table
        A :func:`policy_speed` result to reuse (saves refitting the reference
        policies when describing many policies).
    curve_fits
        A :func:`fit_curves_many` result to reuse (fitting many policies in one
        batch is much faster); a policy not in it is fitted here.
    optimizer
        For the curve fits (see :func:`fit_curves`).

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> d = describe_policy(spid_study(policies=["aborparc", "antibully"]), "aborparc",
    ...                     permutations=0)
    >>> d.n_adopters, d.first_period, d.takeoff["takeoff_period"], d.fits.method
    (15, 1981, 1984, 'mle')
    """
    st = as_study(study)
    pt = policy_times(st, policy)
    notes: list[str] = []
    fits = None
    if pt.n_adopters and curve_fits is not None and policy in curve_fits:
        fits = curve_fits[policy]
        if fits.method != method:
            raise InvalidOptionError(f"curve_fits were fitted by {fits.method!r}, not {method!r}.")
    elif pt.n_adopters:
        try:
            fits = fit_curves(st, policy, method=method, optimizer=optimizer)
        except ConvergenceError as exc:
            notes.append(str(exc))
    tk = takeoff(st, policy, fit=None).iloc[0].to_dict()
    if fits is not None and "logistic" in fits.fits:
        tk["inflection_period"] = fits["logistic"].derived["inflection_period"][0]
    ref = reference if reference is not None else st.policy_ids
    if policy not in ref:
        ref = [*ref, policy]
    if speed_table is None or policy not in set(speed_table["policy"]):
        speed_table = policy_speed(st, ref)
    speed = speed_table.set_index("policy").loc[policy].to_dict()
    moran = follow = None
    has_rel = relation is not None and relation in st.relations
    if has_rel:
        try:
            moran = morans_i(st, policy, relation=relation, permutations=permutations, seed=seed)
        except InvalidOptionError as exc:
            notes.append(str(exc))
        if pt.n_adopters:
            follow = float(follow_neighbor_share(st, policy, relation=relation)["share"].item())
    elif relation is not None:
        notes.append(f"no relation {relation!r} in the study: spatial clustering skipped")
    index = diffusion_index(st, [policy], relation=relation if has_rel else None,
                            speed=speed_table)
    index = index.set_index("policy").loc[policy].to_dict()
    import policydiffusion

    prov = {"policydiffusion": getattr(policydiffusion, "__version__", "?"), "method": method,
            "relation": relation, "permutations": permutations, "seed": seed,
            "speed_reference": len(ref)}
    return PolicyDescription(policy, len(pt.units), pt.n_adopters, pt.first, pt.last,
                             adoption_curve(st, policy), fits, tk, adopter_categories(st, policy),
                             speed, moran, follow, index, tuple(notes), prov)
