"""describe_policy / describe_policies: every descriptive measure of a policy in one object."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from policydiffusion.curves._curve import curve_columns, curve_frame
from policydiffusion.curves._data import as_study, policy_list, policy_times_many
from policydiffusion.curves._fit import CurveFits, fit_curves, fit_curves_many
from policydiffusion.curves._index import (INDEX_COMPONENTS, Clustering, events_in_force, index_row,
                                           index_weights)
from policydiffusion.curves._rogers import (category_columns, category_counts, category_frame, takeoff_row,
                                            takeoff_text)
from policydiffusion.curves._spatial import MoranResult, SpatialWeights, moran_of
from policydiffusion.curves._speed import policy_speed
from policydiffusion.errors import ConvergenceError, InvalidOptionError

__all__ = ["PolicyDescription", "describe_policy", "describe_policies"]


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
    # the curve's columns as arrays when describe_policies built it (to_dict reads them
    # instead of the frame: a column of a frame costs more than the row's numbers)
    _curve_columns: dict | None = field(default=None, init=False, repr=False, compare=False)

    def to_dict(self) -> dict:
        """JSON-ready summary (the curve and categories as lists of records)."""
        fits = self.fits.to_dict() if self.fits is not None else {}
        return _clean({
            "policy": self.policy, "n_units": self.n_units, "n_adopters": self.n_adopters,
            "first_period": self.first_period, "last_period": self.last_period,
            "takeoff_period": self.takeoff.get("takeoff_period"), "takeoff": self.takeoff,
            "logistic": fits.get("logistic"), "gompertz": fits.get("gompertz"), "bass": fits.get("bass"),
            "exponential": fits.get("exponential"),
            "fit_comparison": self.fits.comparison_records() if self.fits is not None else None,
            "dynamics": fits.get("dynamics"), "dynamics_note": fits.get("dynamics_note"), "fit_method": fits.get("method"),
            "speed": self.speed, "moran": self.moran.to_dict() if self.moran is not None else None,
            "follow_neighbor_share": self.follow_share, "index": self.index,
            "category_counts": category_counts(self.categories["category"].to_numpy()),
            "curve": _records(self.curve, self._curve_columns), "notes": list(self.notes),
            "provenance": self.provenance,
        })

    def summary(self) -> str:
        lines = [f"Policy {self.policy}: {self.n_adopters} of {self.n_units} units adopted, "
                 f"first {self.first_period}, last {self.last_period}, take-off "
                 f"{takeoff_text(self.takeoff)}"]
        if self.fits is not None:
            lines.append(f"  best curve by AIC: {self.fits.best}; Boushey dynamics: "
                         f"{self.fits.dynamics or self.fits.dynamics_note}")
            lines += [f"  {m}: {f.note}" for m, f in self.fits.fits.items() if not f.has_optimum]
        if isinstance(self.speed.get("excluded"), str):  # NaN when the table's column is all empty
            lines.append(f"  no Weibull speed: {self.speed['excluded']}")
        elif self.speed.get("intercept") is not None:
            lines.append(f"  Weibull speed intercept {self.speed['intercept']:.3f}")
        if isinstance(self.speed.get("undefined"), str):
            lines.append(f"  speed measures undefined: {self.speed['undefined']}")
        if self.moran is not None:
            lines.append(f"  Moran's I {self.moran.statistic:.3f} ({_moran_p(self.moran)})")
        if self.index.get("index") is not None:
            lines.append(f"  diffusion index {self.index['index']:.3f} from {self.index['components']}")
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)


def _moran_p(m: MoranResult) -> str:
    """The summary's p-value of Moran's I: the analytic one, or why there is none (and
    the permutation p-value when there is one)."""
    if m.analytic_status == "ok":
        return f"p = {m.p_randomization:.3g}"
    perm = f"; permutation p = {m.p_permutation:.3g}" if m.p_permutation is not None else ""
    return f"no analytic p: {m.analytic_reason}{perm}"


class _Clean(list):
    """Records already JSON-ready (see :func:`_records`): :func:`_clean` does not walk them."""


def _records(df: pd.DataFrame, columns: Mapping[str, object] | None = None) -> _Clean:
    """``_clean(df.to_dict(orient="records"))`` without the per-cell overhead of either
    (the same values: Python scalars, None for NaN and infinities). ``columns``: the
    frame's columns as arrays (a scalar for a constant one), when at hand."""
    names = [str(c) for c in df.columns]
    cols = []
    for c in df.columns:
        v = columns[c] if columns is not None else df[c].to_numpy()
        if np.ndim(v) == 0:
            cols.append([v] * len(df))
            continue
        if v.dtype.kind == "f":
            obj = v.astype(object)
            obj[~np.isfinite(v)] = None
            v = obj
        cols.append(v.tolist())
    return _Clean(dict(zip(names, row)) for row in zip(*cols))


def _clean(x):
    t = type(x)  # the common exact types first: this walks every value of every description
    if t is float:
        return x if math.isfinite(x) else None
    if t is str or t is int or t is bool or x is None:
        return x
    if t is _Clean:
        return list(x)
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, (np.integer,)):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if not math.isfinite(float(x)) else float(x)
    if x is pd.NA:
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
    spatial clustering and the diffusion index (:func:`describe_policies` of one
    policy; for many, call that: it reads the data once).

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
    return describe_policies(study, [policy], method=method, relation=relation,
                             permutations=permutations, seed=seed, reference=reference,
                             speed_table=speed_table, curve_fits=curve_fits, optimizer=optimizer)[0]


def describe_policies(study: object, policies: Sequence[str] | None = None, *, method: str = "mle",
                      relation: str | None = "contiguity", permutations: int = 999,
                      seed: int | None = 0, reference: list[str] | None = None,
                      speed_table: pd.DataFrame | None = None,
                      curve_fits: Mapping[str, CurveFits] | None = None,
                      optimizer: str = "newton") -> list[PolicyDescription]:
    """:func:`describe_policy` of each policy (default: all of the study's), with the
    data read once for all: the same descriptions, in the order given, much faster
    for many policies.

    The adoption data are collected in one pass, the curve fits of the policies not
    in ``curve_fits`` run as one batch (:func:`fit_curves_many`), the relation's
    weights are prepared once, and the curves and categories are built as one
    frame each (every description holds its slice). Moran's permutations, when
    asked for, are drawn per policy from ``seed`` as :func:`morans_i` draws them.
    The options are :func:`describe_policy`'s; the speed of a policy not in
    ``reference`` is rescaled against ``reference`` plus that policy, as there.

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> ds = describe_policies(spid_study(policies=["aborparc", "antibully"]), permutations=0)
    >>> [(d.policy, d.n_adopters, d.takeoff["takeoff_period"]) for d in ds]
    [('aborparc', 15, 1984), ('antibully', 50, 2001)]
    """
    st = as_study(study)
    asked = policy_list(st, policies)
    ids = list(dict.fromkeys(asked))  # a policy asked for twice is described once
    pts = policy_times_many(st, ids)
    notes: dict[str, list[str]] = {p: [] for p in ids}
    fits = _fits(st, [pt.policy for pt in pts if pt.n_adopters], method, optimizer, curve_fits, notes)
    speeds = _speed_rows(st, ids, reference, speed_table)
    has_rel = relation is not None and relation in st.relations
    clus = Clustering(st, relation if has_rel else None)
    weights = None
    if has_rel:
        try:
            weights = SpatialWeights(st, relation)
        except InvalidOptionError as exc:  # no edges to use: a note for every policy
            for p in ids:
                notes[p].append(str(exc))
    in_force = events_in_force(st)
    w = index_weights(None, INDEX_COMPONENTS)
    curve_parts = [curve_columns(pt) for pt in pts]
    cat_parts = [category_columns(pt) for pt in pts]
    curves = _slices(curve_frame(curve_parts), [len(c["period"]) for c in curve_parts])
    cats = _slices(category_frame(cat_parts), [len(c["period"]) for c in cat_parts])
    import policydiffusion

    version = getattr(policydiffusion, "__version__", "?")
    out = {}
    for pt, curve, cp, cat in zip(pts, curves, curve_parts, cats):
        p = pt.policy
        f = fits.get(p)
        tk = takeoff_row(pt, cp)
        if f is not None and "logistic" in f.fits and f["logistic"].has_optimum:  # a certified fit's only
            tk["inflection_period"] = f["logistic"].derived["inflection_period"][0]
        speed, n_ref = speeds[p]
        moran = follow = None
        if weights is not None:
            try:
                moran = moran_of(pt, weights, permutations=permutations, seed=seed)
            except InvalidOptionError as exc:
                notes[p].append(str(exc))
        if has_rel and pt.n_adopters:
            follow = clus.edges.share(pt)
            if follow is None:
                notes[p].append(f"{pt.n_adopters} adoption(s), all in period {pt.first}: none could "
                                "follow a neighbour's, so the follow-a-neighbour share and the index's "
                                "clustering component are undefined")
        if not has_rel and relation is not None:
            notes[p].append(f"no relation {relation!r} in the study: spatial clustering skipped")
        index = index_row(pt, speed=speed["speed_rescaled"], clustering=clus.value(pt, follow),
                          in_force=in_force, weights=w,
                          missing={"speed": speed.get("excluded"), "clustering": clus.why_missing(pt)})
        del index["policy"]
        prov = {"policydiffusion": version, "method": method, "relation": relation,
                "permutations": permutations, "seed": seed, "speed_reference": n_ref}
        d = PolicyDescription(p, len(pt.units), pt.n_adopters, pt.first, pt.last, curve, f, tk, cat, speed,
                              moran, follow, index, tuple(notes[p]), prov)
        object.__setattr__(d, "_curve_columns", cp)  # frozen: set once, here
        out[p] = d
    return [out[p] for p in asked]


def _fits(st, policies: list[str], method: str, optimizer: str,
          given: Mapping[str, CurveFits] | None, notes: dict[str, list[str]]) -> dict[str, CurveFits]:
    """The curve fits of ``policies``: from ``given`` where there, the rest in one
    batch; a fit that fails leaves a note."""
    out = {}
    for p in policies:
        if given is not None and p in given:
            if given[p].method != method:
                raise InvalidOptionError(f"curve_fits were fitted by {given[p].method!r}, not {method!r}.")
            out[p] = given[p]
    todo = [p for p in dict.fromkeys(policies) if p not in out]
    if todo:
        out.update(fit_curves_many(st, todo, method=method, optimizer=optimizer))
    for p in todo:
        if p not in out:  # fit_curves_many leaves out failures: refit alone to say why
            try:
                out[p] = fit_curves(st, p, method=method, optimizer=optimizer)
            except ConvergenceError as exc:
                notes[p].append(str(exc))
    return out


def _speed_rows(st, ids: list[str], reference: list[str] | None,
                speed_table: pd.DataFrame | None) -> dict[str, tuple[dict, int]]:
    """Each policy's :func:`policy_speed` row (without ``policy``) and the size of
    its reference set: from ``speed_table`` where it has the policy, else from
    :func:`policy_speed` of the reference (plus the policy if not in it)."""
    ref = list(reference if reference is not None else st.policy_ids)
    in_ref = set(ref)
    tables: dict[tuple, dict] = {}

    def rows(table: pd.DataFrame) -> dict:
        recs = table.to_dict(orient="records")
        return {r.pop("policy"): r for r in recs}

    given = rows(speed_table) if speed_table is not None else {}
    out = {}
    for p in ids:
        ref_p = ref if p in in_ref else [*ref, p]
        if p in given:
            out[p] = (given[p], len(ref_p))
            continue
        key = tuple(ref_p)
        if key not in tables:
            tables[key] = rows(policy_speed(st, ref_p))
        out[p] = (tables[key][p], len(ref_p))
    return out


def _slices(frame: pd.DataFrame, sizes: list[int]) -> list[pd.DataFrame]:
    """Consecutive row blocks of ``frame``, each indexed from 0 like a frame of its own."""
    out, at = [], 0
    for n in sizes:
        part = frame.iloc[at:at + n]
        part.index = pd.RangeIndex(n)  # copy-on-write: the stacked frame keeps its index
        out.append(part)
        at += n
    return out
