"""A diffusion evaluation index: breadth, speed, depth, clustering and hierarchy."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion.curves._data import PolicyTimes, as_study, policy_list, policy_times_many
from policydiffusion.curves._spatial import NeighbourEdges, SpatialWeights, moran_of
from policydiffusion.curves._speed import policy_speed
from policydiffusion.errors import InvalidOptionError, check_choice

__all__ = ["diffusion_index", "INDEX_COMPONENTS"]

INDEX_COMPONENTS = ("breadth", "speed", "depth", "clustering", "hierarchy")


def index_weights(weights: Mapping[str, float] | None, components: Sequence[str]
                  ) -> dict[str, float]:
    """Each component's weight in an index: 1 unless ``weights`` says otherwise.

    Examples
    --------
    >>> index_weights({"speed": 2}, ["breadth", "speed"])
    {'breadth': 1.0, 'speed': 2.0}
    """
    w = {c: 1.0 for c in components}
    for k, v in (weights or {}).items():
        check_choice("weights key", k, components)
        if v < 0:
            raise InvalidOptionError(f"weights must be non-negative; got {k}={v}.")
        w[k] = float(v)
    return w


def diffusion_index(study: object, policies: str | Sequence[str] | None = None, *,
                    relation: str | None = "contiguity", clustering: str = "follow",
                    events: Sequence[str] | None = None, max_level: float | None = None,
                    weights: Mapping[str, float] | None = None,
                    speed: pd.DataFrame | None = None,
                    units: int | Sequence[str] | None = None) -> pd.DataFrame:
    """Diffusion evaluation index of each policy, reported with its components.

    Components (each in [0, 1]; missing when it does not apply):

    - ``breadth``: share of the units existing at the policy's end that adopted.
    - ``speed``: Mallinson's rescaled Weibull speed across the policies evaluated
      (0 slowest, 1 fastest; missing with fewer than two policies with a speed).
    - ``depth``: mean adoption level / maximum level (``max_level``, default the
      largest level observed for the policy), over adopters with a level; missing
      when the policy has no levels (``study.adoptions.level`` all null).
    - ``clustering``: ``"follow"`` (default): share of adoptions that follow a
      neighbour's (:func:`follow_neighbor_share`; missing when every adoption falls in
      one period, as nobody could follow anyone); ``"moran"``: Moran's I of the
      adoption periods (non-adopters censored) rescaled as ``(I + 1) / 2`` and
      clipped to [0, 1]. Missing without ``relation`` or if the study lacks it.
    - ``hierarchy``: share of adoptions made in a period when a vertical event
      (``events``: names in ``study.events``; default all) was in force for the
      adopting unit (an event row for that period and that unit or for all units,
      with a non-zero value). Missing when the study has no such events.

    ``index`` is the weighted mean of the available components (equal weights by
    default; ``weights`` maps component names to weights, and a component with
    weight 0 is left out); ``n_components`` says how many entered and ``missing``
    why each missing component is missing (``"component: reason"``, ``"; "``-joined).
    Pass a
    :func:`policy_speed` table as ``speed`` to rescale speed against a wider set of
    policies than those evaluated.

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> d = diffusion_index(spid_study(policies=["antibully", "aborparc"]))
    >>> d[["policy", "breadth", "speed", "depth", "n_components"]]
          policy  breadth  speed depth  n_components
    0  antibully      1.0    1.0  None             3
    1   aborparc      0.3    0.0  None             3
    """
    check_choice("clustering", clustering, ("follow", "moran"))
    w = index_weights(weights, INDEX_COMPONENTS)
    st = as_study(study, units=units)
    ids = policy_list(st, policies)
    if speed is None:
        speed = policy_speed(st, ids, distributions=("weibull",))
    has_rel = relation is not None and relation in st.relations
    in_force = events_in_force(st, events)
    clus = Clustering(st, relation if has_rel else None, clustering)
    why_speed = (speed.set_index("policy")["excluded"] if "excluded" in speed.columns
                 else pd.Series(dtype=object))
    speed = speed.set_index("policy")["speed_rescaled"]
    rows = [index_row(pt, speed=speed.get(pt.policy, np.nan), clustering=clus.value(pt),
                      in_force=in_force, weights=w, max_level=max_level,
                      missing={"speed": why_speed.get(pt.policy), "clustering": clus.why_missing(pt)})
            for pt in policy_times_many(st, ids)]
    return pd.DataFrame(rows, columns=["policy", *INDEX_COMPONENTS, "index", "n_components", "components",
                                       "missing"])


class Clustering:
    """The clustering component of each policy (see :func:`diffusion_index`), with the
    relation's edges or weights prepared once."""

    def __init__(self, study, relation: str | None, how: str = "follow") -> None:
        self.how, self.edges, self.weights = how, None, None
        if relation is None:
            return
        if how == "follow":
            self.edges = NeighbourEdges(study, relation)
        else:
            try:
                self.weights = SpatialWeights(study, relation)
            except InvalidOptionError:  # no edges to use: no clustering component
                pass

    def why_missing(self, pt: PolicyTimes) -> str:
        """Why :meth:`value` is None for ``pt`` (when it is)."""
        if self.edges is None and self.weights is None:
            return "no relation to measure it on"
        if not pt.n_adopters:
            return "no adopters"
        if self.edges is not None:
            return "every adoption in one period: none could follow a neighbour's"
        return "Moran's I undefined (fewer than 4 units, no edges among them or one adoption time)"

    def value(self, pt: PolicyTimes, follow: float | None = None) -> float | None:
        """The component of one policy; ``follow``: its follow-a-neighbour share when
        already known."""
        if not pt.n_adopters:
            return None
        if self.edges is not None:
            return follow if follow is not None else self.edges.share(pt)
        if self.weights is not None:
            try:
                i = moran_of(pt, self.weights, permutations=0).statistic
            except InvalidOptionError:
                return None
            return float(np.clip((i + 1) / 2, 0, 1))
        return None


def events_in_force(study, events: Sequence[str] | None = None) -> tuple[set, set] | None:
    """(periods with an event in force for every unit, (unit, period) pairs with one
    for that unit) from the study's non-zero events (``events``: their names; default
    all), or None when there are none.

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> events_in_force(spid_study(policies=["antibully"])) is None
    True
    """
    if study.events is None:
        return None
    ev = study.events.filter(pl.col("value") != 0)
    if events is not None:
        ev = ev.filter(pl.col("event").is_in(list(events)))
    if ev.height == 0:
        return None
    all_units = set(ev.filter(pl.col("unit").is_null()).get_column("period").to_list())
    one = ev.filter(pl.col("unit").is_not_null())
    return all_units, set(zip(one.get_column("unit").to_list(), one.get_column("period").to_list()))


def index_row(pt: PolicyTimes, *, speed: float, clustering: float | None,
              in_force: tuple[set, set] | None, weights: Mapping[str, float],
              max_level: float | None = None, missing: Mapping[str, str | None] | None = None) -> dict:
    """One policy's :func:`diffusion_index` row from its data and the speed and
    clustering components (see :class:`Clustering`, :func:`events_in_force`);
    ``missing``: why the speed or clustering component is missing, when known."""
    existing = pt.existing(pt.end)
    comp: dict[str, float | None] = {}
    comp["breadth"] = float((pt.adopted & existing).sum() / existing.sum()) if existing.any() else None
    comp["speed"] = None if pd.isna(speed) else float(speed)
    lv = pt.level[pt.adopted & ~np.isnan(pt.level)]
    if lv.size:
        top = max_level if max_level is not None else lv.max()
        comp["depth"] = float(lv.mean() / top) if top > 0 else None
    else:
        comp["depth"] = None
    comp["clustering"] = clustering
    comp["hierarchy"] = _hierarchy(pt, in_force) if in_force is not None else None
    used = {c: v for c, v in comp.items() if v is not None and weights[c] > 0}
    total_w = sum(weights[c] for c in used)
    index = sum(weights[c] * v for c, v in used.items()) / total_w if total_w > 0 else None
    why = {"breadth": "no unit exists at the policy's end",
           "speed": "fewer than two policies with a speed to rescale it against",
           "depth": "no adoption levels" if not lv.size else "largest level not positive",
           "clustering": "not measured",
           "hierarchy": "no vertical events" if in_force is None else "no adopters",
           **{k: v for k, v in (missing or {}).items() if isinstance(v, str) and v}}
    return {"policy": pt.policy, **comp, "index": index, "n_components": len(used),
            "components": ",".join(used),
            "missing": "; ".join(f"{c}: {why[c]}" for c, v in comp.items() if v is None)}


def _hierarchy(pt: PolicyTimes, in_force: tuple[set, set]) -> float | None:
    if not pt.n_adopters:
        return None
    in_force_all, per_unit = in_force
    hits = 0
    for u, a in zip(pt.units, pt.adopt):
        if np.isnan(a):
            continue
        if int(a) in in_force_all or (u, int(a)) in per_unit:
            hits += 1
    return hits / pt.n_adopters
