"""Continuous-time network cascades (the generative model behind netinf).

The model of Gomez-Rodriguez, Leskovec & Krause (2010) as simulated by the R package
NetworkInference (``simulate_cascades``): a cascade starts at a seed node at time 0;
every edge u -> v of the diffusion network carries an independent transmission delay
(exponential, Rayleigh or log-normal); a node's adoption time is the length of the
shortest delay path from an infected node (so the first parent to reach it infects
it). Each node may also be infected from outside the network after an
Exponential(epsilon) time (NetInf's epsilon edges), and it then spreads like any
other adopter. Nodes reached after ``max_time`` are censored (not in the cascade).
A partial cascade (some nodes already infected at known times) can be continued.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, NamedTuple, Sequence

import numpy as np
import pandas as pd
import polars as pl
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.simulate._common import make_rng, package_versions

__all__ = ["simulate_cascades", "CascadeSimulation", "random_network"]

MODELS = ("exponential", "rayleigh", "log-normal")


@dataclass(frozen=True)
class CascadeSimulation:
    """Result of :func:`simulate_cascades`.

    Attributes
    ----------
    cascades : polars.DataFrame
        ``cascade_id`` (1, 2, ...), ``node``, ``time``; one row per infected node,
        sorted by cascade and time (the layout of the shipped netinf example).
    network : polars.DataFrame
        The true diffusion network: ``source``, ``target``, ``rate``.
    parents : polars.DataFrame
        ``cascade_id``, ``node``, ``parent`` (the node that infected it; null for the
        seed and for infections from outside the network).
    provenance : dict
    """

    cascades: pl.DataFrame
    network: pl.DataFrame
    parents: pl.DataFrame
    provenance: dict = field(default_factory=dict)


def random_network(n_nodes: int, *, n_edges: int, seed: int, prefix: str = "") -> pl.DataFrame:
    """A random directed network without self-loops (uniform over edge sets of that size).

    Examples
    --------
    >>> random_network(10, n_edges=15, seed=1).height
    15
    """
    if n_edges > n_nodes * (n_nodes - 1):
        raise InvalidOptionError(f"{n_nodes} nodes have at most {n_nodes * (n_nodes - 1)} directed edges.")
    rng = make_rng(seed)
    flat = rng.choice(n_nodes * (n_nodes - 1), size=n_edges, replace=False)
    flat.sort()
    src = flat // (n_nodes - 1)
    off = flat % (n_nodes - 1)
    dst = off + (off >= src)
    names = [f"{prefix}{k}" for k in range(n_nodes)]
    return pl.DataFrame({"source": [names[k] for k in src], "target": [names[k] for k in dst]})


def _edges(network: object) -> pd.DataFrame:
    if isinstance(network, pl.DataFrame):
        df = network.to_pandas()
    elif isinstance(network, pd.DataFrame):
        df = network.copy()
    elif hasattr(network, "edges") and isinstance(getattr(network, "edges"), pl.DataFrame):
        df = network.edges.to_pandas()  # a Relation
    else:
        try:
            import networkx as nx

            if isinstance(network, nx.DiGraph):
                df = nx.to_pandas_edgelist(network)
            else:
                raise TypeError
        except (ImportError, TypeError):
            raise InvalidOptionError("network must be a DataFrame with 'source' and 'target' "
                                     "columns, a Relation or a networkx DiGraph.") from None
    missing = {"source", "target"} - set(df.columns)
    if missing:
        raise InvalidOptionError(f"the network has no column(s) {sorted(missing)}.")
    df["source"] = df["source"].astype(str)
    df["target"] = df["target"].astype(str)
    if (df["source"] == df["target"]).any():
        raise InvalidOptionError("the network has self-loops; remove them.")
    if df.duplicated(["source", "target"]).any():
        raise InvalidOptionError("the network lists some edges twice; keep one row per edge.")
    return df.reset_index(drop=True)


class _Indexed(NamedTuple):
    """A network's edges with its nodes numbered: ``names[k]`` is node k (the nodes given
    first, then those of the edges as they appear), ``index`` the inverse, ``src`` and
    ``dst`` the ends of each edge as numbers."""

    edges: pd.DataFrame
    names: list[str]
    index: dict[str, int]
    src: np.ndarray
    dst: np.ndarray


def _indexed(network: object, nodes: Sequence[object] | None) -> _Indexed:
    e = _edges(network)
    names = list(dict.fromkeys([*map(str, nodes or []), *e["source"], *e["target"]]))
    index = {v: k for k, v in enumerate(names)}
    return _Indexed(e, names, index, e["source"].map(index).to_numpy(),
                    e["target"].map(index).to_numpy())


def _delays(rng: np.random.Generator, size: int, model: str, params: Mapping[str, float],
            rate: np.ndarray) -> np.ndarray:
    u = rng.random(size)
    u = np.where(u <= 0.0, np.finfo(float).tiny, u)
    if model == "exponential":
        return -np.log(u) / rate
    if model == "rayleigh":
        return np.sqrt(-2.0 * np.log(u) / rate)
    # log-normal: delays exp(mu + sigma z); the edge rate divides the delay
    from scipy.special import ndtri

    z = ndtri(u)
    return np.exp(params["mu"] + params["sigma"] * z) / rate


def simulate_cascades(
    network: object,
    *,
    n_cascades: int,
    model: str = "exponential",
    params: Mapping[str, float] | None = None,
    nodes: Sequence[str] | None = None,
    epsilon: float = 0.0,
    max_time: float = np.inf,
    start_probabilities: Mapping[str, float] | None = None,
    partial_cascade: pd.DataFrame | pl.DataFrame | None = None,
    seed: int,
) -> CascadeSimulation:
    """Simulate cascades on a known diffusion network (NetworkInference's model).

    Parameters
    ----------
    network
        Edges ``source -> target`` (DataFrame, Relation or networkx DiGraph); an
        optional ``rate`` column overrides the model's rate edge by edge.
    n_cascades
        Number of cascades.
    model
        ``exponential`` (delay ~ Exp(lambda)), ``rayleigh`` (density
        alpha t exp(-alpha t^2 / 2)) or ``log-normal`` (exp(mu + sigma z) / rate).
    params
        ``{"lambda": 1}`` (exponential), ``{"alpha": 1}`` (Rayleigh) or
        ``{"mu": 0, "sigma": 1}`` (log-normal). Defaults as shown.
    nodes
        All nodes (default: those in the network); isolates can still be seeds or
        infected from outside.
    epsilon
        Rate of infection from outside the network (0: none).
    max_time
        Observation window: infections later than this (after the cascade start)
        are censored.
    start_probabilities
        Node -> probability of seeding a cascade (default: uniform).
    partial_cascade
        ``node``, ``time``: nodes already infected; every cascade continues from
        them (no new seed is drawn).
    seed
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    CascadeSimulation

    Examples
    --------
    >>> net = random_network(20, n_edges=40, seed=1)
    >>> sim = simulate_cascades(net, n_cascades=5, seed=2)
    >>> sim.cascades.columns
    ['cascade_id', 'node', 'time']
    >>> sim.cascades.filter(sim.cascades["time"] == 0).height
    5
    """
    check_choice("model", model, MODELS)
    rng = make_rng(seed)
    if n_cascades < 1:
        raise InvalidOptionError("n_cascades must be at least 1.")
    if epsilon < 0 or not np.isfinite(epsilon):
        raise InvalidOptionError("epsilon must be a finite number >= 0.")
    defaults = {"exponential": {"lambda": 1.0}, "rayleigh": {"alpha": 1.0},
                "log-normal": {"mu": 0.0, "sigma": 1.0}}[model]
    par = {**defaults, **(params or {})}
    unknown = set(par) - set(defaults)
    if unknown:
        raise InvalidOptionError(f"params {sorted(unknown)} do not belong to model {model!r}; "
                                 f"it takes {sorted(defaults)}.")
    e, names, idx, src, dst = _indexed(network, nodes)
    if nodes is not None and set(names) != set(map(str, nodes)):
        raise InvalidOptionError("the network has nodes that are not in `nodes`.")
    n = len(names)
    base_rate = par.get("lambda", par.get("alpha", 1.0))
    rate = (e["rate"].to_numpy(float) if "rate" in e.columns else np.full(len(e), float(base_rate)))
    if np.any(rate <= 0):
        raise InvalidOptionError("edge rates must be positive.")
    if start_probabilities is not None:
        p = np.array([float(start_probabilities.get(v, 0.0)) for v in names])
        if p.sum() <= 0 or np.any(p < 0):
            raise InvalidOptionError("start_probabilities must be >= 0 and not all 0.")
        p = p / p.sum()
    else:
        p = np.full(n, 1.0 / n)
    partial = None
    if partial_cascade is not None:
        pc = partial_cascade.to_pandas() if isinstance(partial_cascade, pl.DataFrame) else partial_cascade
        bad = [v for v in pc["node"].astype(str) if v not in idx]
        if bad:
            raise InvalidOptionError(f"partial_cascade names unknown nodes: {bad[:5]}")
        partial = (pc["node"].astype(str).map(idx).to_numpy(), pc["time"].to_numpy(float))

    rows_c, rows_n, rows_t, rows_p = [], [], [], []
    super_ = n  # a super-source: edge super -> k with weight (start time of k) + 1
    for c in range(n_cascades):
        seed_node = int(rng.choice(n, p=p))
        delay = _delays(rng, len(e), model, par, rate)
        ext = rng.standard_exponential(n)  # drawn whatever epsilon, for common random numbers
        ext = ext / epsilon if epsilon > 0 else np.full(n, np.inf)
        if partial is None:
            starts = {seed_node: 0.0}
        else:
            starts = {int(k): float(t) for k, t in zip(*partial)}
        t0 = min(starts.values())
        s_from, s_to, s_w = [], [], []
        for k, t in starts.items():
            s_from.append(super_), s_to.append(k), s_w.append(t - t0 + 1.0)
        for k in range(n):
            if k not in starts and np.isfinite(ext[k]):
                s_from.append(super_), s_to.append(k), s_w.append(ext[k] + 1.0)
        keep = ~np.isin(dst, list(starts))  # known infection times stay as given
        g = csr_matrix((np.concatenate([delay[keep], s_w]),
                        (np.concatenate([src[keep], s_from]), np.concatenate([dst[keep], s_to]))),
                       shape=(n + 1, n + 1))
        dist, pred = dijkstra(g, directed=True, indices=super_, return_predecessors=True)
        times = dist[:n] - 1.0 + t0
        for k in np.argsort(times, kind="stable"):
            if not np.isfinite(times[k]) or times[k] - t0 > max_time:
                continue
            rows_c.append(c + 1)
            rows_n.append(names[k])
            rows_t.append(float(times[k]))
            par_k = pred[k]
            rows_p.append(None if par_k in (super_, -9999) or par_k < 0 else names[par_k])
    cascades = pl.DataFrame({"cascade_id": rows_c, "node": rows_n, "time": rows_t},
                            schema={"cascade_id": pl.Int64, "node": pl.Utf8, "time": pl.Float64})
    parents = pl.DataFrame({"cascade_id": rows_c, "node": rows_n, "parent": rows_p},
                           schema={"cascade_id": pl.Int64, "node": pl.Utf8, "parent": pl.Utf8})
    net = pl.DataFrame({"source": e["source"].tolist(), "target": e["target"].tolist(), "rate": rate})
    prov = {"process": "continuous-time network cascades (NetInf)", "model": model, "params": par,
            "epsilon": epsilon, "max_time": max_time, "n_cascades": n_cascades,
            "versions": package_versions()}
    return CascadeSimulation(cascades=cascades, network=net, parents=parents, provenance=prov)
