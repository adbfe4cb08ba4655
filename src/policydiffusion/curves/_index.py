"""A diffusion evaluation index: breadth, speed, depth, clustering and hierarchy."""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion.curves._data import as_study, policy_list, policy_times
from policydiffusion.curves._spatial import follow_neighbor_share, morans_i
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
      neighbour's (:func:`follow_neighbor_share`); ``"moran"``: Moran's I of the
      adoption periods (non-adopters censored) rescaled as ``(I + 1) / 2`` and
      clipped to [0, 1]. Missing without ``relation`` or if the study lacks it.
    - ``hierarchy``: share of adoptions made in a period when a vertical event
      (``events``: names in ``study.events``; default all) was in force for the
      adopting unit (an event row for that period and that unit or for all units,
      with a non-zero value). Missing when the study has no such events.

    ``index`` is the weighted mean of the available components (equal weights by
    default; ``weights`` maps component names to weights, and a component with
    weight 0 is left out); ``n_components`` says how many entered. Pass a
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
    speed = speed.set_index("policy")["speed_rescaled"]
    has_rel = relation is not None and relation in st.relations
    ev = None
    if st.events is not None:
        ev = st.events.filter(pl.col("value") != 0)
        if events is not None:
            ev = ev.filter(pl.col("event").is_in(list(events)))
        if ev.height == 0:
            ev = None
    rows = []
    for p in ids:
        pt = policy_times(st, p)
        existing = pt.existing(pt.end)
        comp: dict[str, float | None] = {}
        comp["breadth"] = float((pt.adopted & existing).sum() / existing.sum()) if existing.any() else None
        sp = speed.get(p, np.nan)
        comp["speed"] = None if pd.isna(sp) else float(sp)
        lv = pt.level[pt.adopted & ~np.isnan(pt.level)]
        if lv.size:
            top = max_level if max_level is not None else lv.max()
            comp["depth"] = float(lv.mean() / top) if top > 0 else None
        else:
            comp["depth"] = None
        comp["clustering"] = None
        if has_rel and pt.n_adopters:
            if clustering == "follow":
                comp["clustering"] = float(follow_neighbor_share(st, p, relation=relation)["share"].item())
            else:
                try:
                    i = morans_i(st, p, relation=relation, permutations=0).statistic
                    comp["clustering"] = float(np.clip((i + 1) / 2, 0, 1))
                except InvalidOptionError:
                    pass
        comp["hierarchy"] = _hierarchy(pt, ev) if ev is not None else None
        used = {c: v for c, v in comp.items() if v is not None and w[c] > 0}
        total_w = sum(w[c] for c in used)
        index = sum(w[c] * v for c, v in used.items()) / total_w if total_w > 0 else None
        rows.append({"policy": p, **comp, "index": index, "n_components": len(used),
                     "components": ",".join(used)})
    return pd.DataFrame(rows, columns=["policy", *INDEX_COMPONENTS, "index", "n_components", "components"])


def _hierarchy(pt, ev: pl.DataFrame) -> float | None:
    if not pt.n_adopters:
        return None
    in_force_all = set(ev.filter(pl.col("unit").is_null()).get_column("period").to_list())
    per_unit = set(zip(ev.filter(pl.col("unit").is_not_null()).get_column("unit").to_list(),
                       ev.filter(pl.col("unit").is_not_null()).get_column("period").to_list()))
    hits = 0
    for u, a in zip(pt.units, pt.adopt):
        if np.isnan(a):
            continue
        if int(a) in in_force_all or (u, int(a)) in per_unit:
            hits += 1
    return hits / pt.n_adopters
