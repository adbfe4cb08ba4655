"""Measures of an inferred network: degrees, PageRank, betweenness, top sources per
region, and how well the network conforms to a policy's adoption order (PolicyFlow)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion.errors import InvalidOptionError
from policydiffusion.networks._netinf import NetinfResult

__all__ = ["network_measures", "top_sources", "conforming_share"]


def _edges(edges) -> tuple[pd.DataFrame, list[str]]:
    if isinstance(edges, NetinfResult):
        return edges.edges[["origin", "destination"]], list(edges.node_names)
    e = pd.DataFrame(edges)
    if not {"origin", "destination"} <= set(e.columns):
        raise InvalidOptionError("edges need columns origin and destination (a NetinfResult's "
                                 ".edges has them).")
    nodes = list(dict.fromkeys(e["origin"].astype(str).tolist() + e["destination"].astype(str).tolist()))
    return e[["origin", "destination"]].astype(str), nodes


def network_measures(edges, *, nodes=None, damping: float = 0.85) -> pd.DataFrame:
    """Per node: in-degree (sources it learns from), out-degree (nodes that learn from it),
    PageRank and betweenness of the directed network origin -> destination.

    Parameters
    ----------
    edges : NetinfResult or DataFrame with origin, destination
    nodes : sequence, optional
        The node set (isolates included); default: the result's node names, or the nodes
        named in the edges.
    damping : float
        PageRank damping factor.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"origin": ["CA", "CA", "OR"], "destination": ["OR", "WA", "WA"]})
    >>> network_measures(e).set_index("node").loc["CA", ["in_degree", "out_degree"]].tolist()
    [0, 2]
    """
    import networkx as nx

    e, default_nodes = _edges(edges)
    node_list = [str(n) for n in (default_nodes if nodes is None else nodes)]
    g = nx.DiGraph()
    g.add_nodes_from(node_list)
    g.add_edges_from(zip(e["origin"], e["destination"]))
    pr = nx.pagerank(g, alpha=damping) if g.number_of_edges() else {n: 1 / len(g) for n in g}
    bc = nx.betweenness_centrality(g)
    return pd.DataFrame({
        "node": node_list,
        "in_degree": [g.in_degree(n) for n in node_list],
        "out_degree": [g.out_degree(n) for n in node_list],
        "pagerank": [pr[n] for n in node_list],
        "betweenness": [bc[n] for n in node_list],
    })


def top_sources(edges, units, *, unit_col: str = "unit", region_col: str = "region",
                top: int = 3) -> pd.DataFrame:
    """The ``top`` nodes per region by out-degree (ties broken by PageRank, then name).

    ``units`` is a table with the node ids in ``unit_col`` and a ``region_col``
    (e.g. ``spid_study().units`` with ``unit_col="name"`` when the network uses state
    names). Nodes without a region are reported under region ``None``.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"origin": ["CA", "CA", "NY"], "destination": ["OR", "WA", "NJ"]})
    >>> u = pd.DataFrame({"unit": ["CA", "OR", "WA", "NY", "NJ"],
    ...                   "region": ["West", "West", "West", "Northeast", "Northeast"]})
    >>> top_sources(e, u, top=1)[["region", "node"]].values.tolist()
    [['Northeast', 'NY'], ['West', 'CA']]
    """
    u = units.to_pandas() if isinstance(units, pl.DataFrame) else pd.DataFrame(units)
    for col in (unit_col, region_col):
        if col not in u.columns:
            raise InvalidOptionError(f"units has no column {col!r}; columns: {list(u.columns)}.")
    m = network_measures(edges, nodes=None if not isinstance(edges, pd.DataFrame)
                         else sorted(set(u[unit_col].astype(str)) | set(_edges(edges)[1])))
    reg = dict(zip(u[unit_col].astype(str), u[region_col]))
    m["region"] = [reg.get(n) for n in m["node"]]
    m = m.sort_values(["region", "out_degree", "pagerank", "node"],
                      ascending=[True, False, False, True], kind="stable", na_position="last")
    out = m.groupby("region", sort=True, dropna=False).head(top)
    out = out.assign(rank=out.groupby("region", dropna=False).cumcount() + 1)
    return out[["region", "rank", "node", "out_degree", "pagerank"]].reset_index(drop=True)


def conforming_share(edges, adoptions, *, policy_col: str = "policy", unit_col: str = "unit",
                     time_col: str = "period") -> pd.DataFrame:
    """PolicyFlow's conforming score per policy: the share of network edges u -> v, among
    those whose two ends both adopted the policy, with ``T_u <= T_v``.

    Returns a DataFrame with ``policy``, ``n_edges`` (edges with both ends adopting),
    ``conforming`` (edges with T_u <= T_v) and ``share`` (NaN when n_edges is 0).

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"origin": ["CA", "OR"], "destination": ["OR", "WA"]})
    >>> a = pd.DataFrame({"policy": ["p"] * 3, "unit": ["CA", "OR", "WA"],
    ...                   "period": [2000, 2001, 1999]})
    >>> conforming_share(e, a)[["n_edges", "conforming", "share"]].values.tolist()
    [[2.0, 1.0, 0.5]]
    """
    e, _ = _edges(edges)
    a = adoptions.to_pandas() if isinstance(adoptions, pl.DataFrame) else pd.DataFrame(adoptions)
    for col in (policy_col, unit_col, time_col):
        if col not in a.columns:
            raise InvalidOptionError(f"adoptions have no column {col!r}; columns: {list(a.columns)}.")
    a = a[[policy_col, unit_col, time_col]].rename(
        columns={policy_col: "policy", unit_col: "unit", time_col: "t"}).astype({"unit": str})
    m = (e.merge(a.rename(columns={"unit": "origin", "t": "t_u"}), on="origin")
          .merge(a.rename(columns={"unit": "destination", "t": "t_v"}), on=["destination", "policy"]))
    m["ok"] = (m["t_u"] <= m["t_v"]).astype(float)
    g = m.groupby("policy", sort=False)["ok"].agg(["size", "sum"])
    out = pd.DataFrame({"policy": list(dict.fromkeys(a["policy"]))})
    out = out.merge(g.reset_index(), on="policy", how="left").fillna({"size": 0, "sum": 0})
    out = out.rename(columns={"size": "n_edges", "sum": "conforming"})
    out["n_edges"] = out["n_edges"].astype(float)
    out["share"] = np.where(out["n_edges"] > 0, out["conforming"] / out["n_edges"].where(out["n_edges"] > 0), np.nan)
    return out[["policy", "n_edges", "conforming", "share"]]
