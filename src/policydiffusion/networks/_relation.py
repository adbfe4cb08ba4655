"""Inferred networks back into the Study: a Relation, and the "sources adopted" count."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion.errors import InvalidOptionError
from policydiffusion.networks._netinf import NetinfResult
from policydiffusion.networks._rolling import RollingNetinf
from policydiffusion.study._relations import Relation
from policydiffusion.terms._base import check_lag
from policydiffusion.terms._periods import check_periods_meet

__all__ = ["as_relation", "sources_adopted"]


def as_relation(result: NetinfResult | RollingNetinf, name: str = "netinf") -> Relation:
    """An inferred network as a directed :class:`~policydiffusion.study.Relation`.

    **Direction.** netinf's edge ``origin -> destination`` means "destination learns from
    origin". The relation stores it the other way round, as the risk-set terms read
    relations: ``source`` = the receiver (destination), ``target`` = its inferred source
    (origin). A neighbours-style term that counts, for unit i, the adopters j with an
    edge ``i -> j`` therefore counts i's inferred sources. ``weight`` is 1.

    **Periods.** A :class:`NetinfResult` gives a static relation (``period`` null). A
    :class:`RollingNetinf` gives a period-varying one: the edges with ``period == t``
    are the network used at t, inferred from adoptions in ``[t - w, t)`` only.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.networks import cascades_from_table, netinf
    >>> df = pd.DataFrame({"cascade_id": ["p", "p", "q", "q"], "node": ["CA", "OR"] * 2,
    ...                    "time": [1990, 1991, 2001, 2003]})
    >>> rel = as_relation(netinf(cascades_from_table(df), n_edges=1, params=1.0))
    >>> rel.edges.select("source", "target").rows(), rel.directed
    ([('OR', 'CA')], True)
    """
    if isinstance(result, RollingNetinf):
        e = result.edges
        period = pl.Series("period", e["period"].astype("int64").to_numpy(), dtype=pl.Int64)
        desc = (f"netinf ({result.model}) rolling window {result.window}: source learns from "
                f"target; network at t from adoptions in [t-{result.window}, t)")
    elif isinstance(result, NetinfResult):
        e = result.edges
        period = pl.Series("period", [None] * len(e), dtype=pl.Int64)
        desc = f"netinf ({result.model}), {len(e)} edges: source learns from target"
    else:
        raise InvalidOptionError("as_relation needs a NetinfResult or a RollingNetinf; got "
                                 f"{type(result).__name__}.")
    edges = pl.DataFrame({
        "source": pl.Series(e["destination"].astype(str).tolist(), dtype=pl.Utf8),
        "target": pl.Series(e["origin"].astype(str).tolist(), dtype=pl.Utf8),
        "weight": pl.Series([1.0] * len(e), dtype=pl.Float64),
    }).with_columns(period)
    return Relation(name=name, edges=edges, directed=True, description=desc,
                    meta={"kind": "inferred sources", "provenance": dict(result.provenance)})


def _rows(study_or_adoptions) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(adoptions: policy, unit, period) and the rows (policy, unit, period) to fill."""
    if hasattr(study_or_adoptions, "adoptions") and hasattr(study_or_adoptions, "unit_ids"):
        st = study_or_adoptions
        adopt = st.adoptions.select("policy", "unit", "period").to_pandas()
        units = st.unit_ids
        windows = {p: (st.policy_window(p)[0], st.policy_window(p)[1]) for p in st.policy_ids}
        start = {p: (st.start if w[0] is None else max(int(w[0]), st.start)) for p, w in windows.items()}
        end = {p: w[1] for p, w in windows.items()}
        policies = st.policy_ids
    else:
        adopt = pd.DataFrame(study_or_adoptions)
        missing = {"policy", "unit", "period"} - set(adopt.columns)
        if missing:
            raise InvalidOptionError(f"adoptions need columns policy, unit, period; missing "
                                     f"{sorted(missing)}.")
        adopt = adopt[["policy", "unit", "period"]].astype({"policy": str, "unit": str})
        adopt["period"] = adopt["period"].astype("int64")
        units = sorted(set(adopt["unit"]))
        policies = list(dict.fromkeys(adopt["policy"]))
        lo, hi = int(adopt["period"].min()), int(adopt["period"].max())
        start = {p: lo for p in policies}
        end = {p: hi for p in policies}
    frames = []
    for p in policies:
        periods = np.arange(start[p], end[p] + 1)
        grid = pd.DataFrame({"policy": p, "unit": np.repeat(units, len(periods)),
                             "period": np.tile(periods, len(units))})
        frames.append(grid)
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["policy", "unit", "period"])
    first = adopt.rename(columns={"period": "adopted"})
    rows = rows.merge(first, on=["policy", "unit"], how="left")
    rows = rows[rows["adopted"].isna() | (rows["period"] <= rows["adopted"])]
    return adopt, rows[["policy", "unit", "period"]].reset_index(drop=True)


def sources_adopted(study_or_adoptions, relation: Relation, *, decay: float | None = None,
                    relation_lag: int = 0, adoption_lag: int = 1) -> pd.DataFrame:
    """Number of a unit's inferred sources that had adopted (by default before t), per row.

    For unit i, policy p and period t: ``sum over j with an edge i -> j in force at
    t - relation_lag and T_jp <= t - adoption_lag`` of 1, or of ``exp(-decay * (t -
    T_jp))`` with ``decay`` (Boehmke et al. 2017's decayed sources). Edges are read as
    :func:`as_relation` writes them (source = receiver, target = its source); static
    edges are in force in every period. The defaults (year t's network, adopters up to
    t-1) are the toolkit's; Desmarais, Harden & Boehmke (2015) count adopters up to and
    including t (``adoption_lag=0``), which makes the count simultaneous with the outcome.

    Rows: every unit of the study (or, for an adoptions table, every unit seen) in every
    period of the policy's window (the table's first to last period) up to and including
    its adoption period, so the column lines up with a monadic risk set.

    Parameters
    ----------
    study_or_adoptions : Study or DataFrame with policy, unit, period
    relation : Relation
    decay : float, optional
        Rate of the exponential decay of a source's influence; None counts sources.
    relation_lag : int
        Which period's network: 0 = the edges of period t, 1 = those of t-1.
    adoption_lag : int
        Sources that adopted up to ``t - adoption_lag``; 0 includes same-period adopters.

    Returns
    -------
    pandas.DataFrame
        ``policy``, ``unit``, ``period``, ``sources_adopted``.

    Examples
    --------
    >>> import pandas as pd, polars as pl
    >>> from policydiffusion.study import Relation
    >>> rel = Relation.from_edges(pl.DataFrame({"s": ["OR"], "t": ["CA"]}), name="n",
    ...                           source="s", target="t", directed=True)
    >>> a = pd.DataFrame({"policy": ["p", "p"], "unit": ["CA", "OR"], "period": [1990, 1992]})
    >>> sources_adopted(a, rel).query("unit == 'OR'")["sources_adopted"].tolist()
    [0.0, 1.0, 1.0]
    >>> sources_adopted(a, rel, adoption_lag=0).query("unit == 'OR'")["sources_adopted"].tolist()
    [1.0, 1.0, 1.0]
    """
    if decay is not None and not (math.isfinite(decay) and decay >= 0):
        raise InvalidOptionError(f"decay must be a number >= 0; got {decay!r}.")
    relation_lag = check_lag(relation_lag, name="relation_lag")
    adoption_lag = check_lag(adoption_lag, name="adoption_lag")
    adopt, rows = _rows(study_or_adoptions)
    e = relation.edges.select("source", "target", "period").to_pandas()
    static = e[e["period"].isna()][["source", "target"]]
    timed = e[e["period"].notna()].astype({"period": "int64"})
    if len(timed) and not len(static) and len(rows):
        check_periods_meet(relation.name, set(timed["period"].tolist()),
                           (int(rows["period"].min()), int(rows["period"].max())), relation_lag)
    timed["period"] = timed["period"] + relation_lag  # the network of t - lag serves row t
    a = adopt.rename(columns={"unit": "target", "period": "t_j"})
    parts = []
    if len(static):
        m = rows.merge(static, left_on="unit", right_on="source")
        parts.append(m)
    if len(timed):
        m = rows.merge(timed, left_on=["unit", "period"], right_on=["source", "period"])
        parts.append(m)
    out = rows.copy()
    out["sources_adopted"] = 0.0
    if parts:
        m = pd.concat(parts, ignore_index=True)[["policy", "unit", "period", "target"]]
        m = m.drop_duplicates().merge(a, on=["policy", "target"])
        m = m[m["t_j"] <= m["period"] - adoption_lag]
        m["w"] = 1.0 if decay is None else np.exp(-decay * (m["period"] - m["t_j"]))
        s = m.groupby(["policy", "unit", "period"], sort=False)["w"].sum().rename("s")
        out = out.merge(s.reset_index(), on=["policy", "unit", "period"], how="left")
        out["sources_adopted"] = out["s"].fillna(0.0)
        out = out.drop(columns="s")
    return out.sort_values(["policy", "unit", "period"], kind="stable").reset_index(drop=True)
