"""Threshold diffusion on a network (netdiffuseR's ``rdiffnet``).

Each node draws a threshold; a share of nodes is seeded at the first period
(at random, the most central or the most marginal by degree, or a given list); in
every later period a node adopts when its exposure (the weighted share, or count, of
its alters that adopted by the previous period) is at least its threshold. The graph
may be rewired each period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import polars as pl

from policydiffusion.errors import InvalidOptionError, check_choice, raise_problems
from policydiffusion.simulate._common import make_rng, package_versions
from policydiffusion.simulate.cascades import _indexed

__all__ = ["simulate_threshold", "ThresholdSimulation"]


@dataclass(frozen=True)
class ThresholdSimulation:
    """Result of :func:`simulate_threshold`.

    Attributes
    ----------
    adoptions : polars.DataFrame
        ``unit``, ``period`` (null: never adopted), ``seed`` (bool), ``threshold``.
    exposure : polars.DataFrame
        ``unit``, ``period``, ``exposure`` (from adoptions by the previous period),
        ``adopted`` (cumulative, end of period).
    provenance : dict
    """

    adoptions: pl.DataFrame
    exposure: pl.DataFrame
    provenance: dict = field(default_factory=dict)

    def cumulative(self) -> pl.DataFrame:
        """Adopters by period: ``period``, ``adopters``, ``share``."""
        per = self.exposure.group_by("period").agg(pl.col("adopted").sum().alias("adopters"))
        n = self.adoptions.height
        return per.sort("period").with_columns((pl.col("adopters") / n).alias("share"))


def simulate_threshold(
    network: object,
    *,
    n_periods: int,
    threshold: float | Sequence[float] | Callable[[np.random.Generator, int], np.ndarray] = "uniform",
    seed_nodes: str | Sequence[str] = "random",
    seed_share: float = 0.05,
    exposure: str = "share",
    rewire: float = 0.0,
    nodes: Sequence[str] | None = None,
    start: int = 1,
    seed: int,
) -> ThresholdSimulation:
    """Simulate threshold adoption on a network (rdiffnet).

    Parameters
    ----------
    network
        Edges ``source -> target`` (``target`` is an alter of ``source``; exposure of
        i is over i's out-ties), optional ``weight``; DataFrame, Relation or
        networkx DiGraph. Undirected Relations are stored in both directions.
    n_periods
        Number of periods (the seeds adopt in the first).
    threshold
        ``"uniform"`` (U(0, 1) per node, rdiffnet's default), a number for every
        node, one number per node, or a function ``(rng, n) -> array``.
    seed_nodes
        ``"random"``, ``"central"`` (highest degree), ``"marginal"`` (lowest degree)
        or a list of nodes.
    seed_share
        Share of nodes seeded when ``seed_nodes`` is a rule (at least one).
    exposure
        ``"share"`` (weighted share of alters adopted) or ``"count"``.
    rewire
        Each period, every edge is redirected to a uniformly drawn new target with
        this probability (0: static graph).
    nodes
        All nodes (default: those in the network).
    start
        Label of the first period.
    seed
        Seed of ``numpy.random.default_rng``.

    Examples
    --------
    >>> from policydiffusion.simulate.cascades import random_network
    >>> sim = simulate_threshold(random_network(30, n_edges=120, seed=1), n_periods=8, seed=3)
    >>> sim.cumulative()["adopters"].to_list()[0] >= 1
    True
    """
    check_choice("exposure", exposure, ("share", "count"))
    raise_problems([msg for bad, msg in (
        (not n_periods >= 1, f"n_periods must be at least 1; got {n_periods!r}."),
        (not 0.0 <= rewire <= 1.0, f"rewire is a probability between 0 and 1; got {rewire!r}."),
        (not 0.0 <= seed_share <= 1.0, f"seed_share is a share between 0 and 1; got {seed_share!r}."),
    ) if bad])
    rng = make_rng(seed)
    e, names, idx, src, dst = _indexed(network, nodes)
    n = len(names)
    w = e["weight"].to_numpy(float) if "weight" in e.columns else np.ones(len(e))

    if isinstance(threshold, str):
        check_choice("threshold", threshold, ("uniform",))
        thr = rng.random(n)
    elif callable(threshold):
        thr = np.asarray(threshold(rng, n), dtype=float)
    else:
        thr = np.broadcast_to(np.asarray(threshold, dtype=float), (n,)).copy()
    if thr.shape != (n,) or not np.all(np.isfinite(thr)):
        raise InvalidOptionError(f"threshold must give one finite number per node ({n}).")

    deg = np.bincount(src, minlength=n) + np.bincount(dst, minlength=n)
    k = max(1, int(round(seed_share * n)))
    order = rng.permutation(n)  # random tie-breaking, drawn for every rule
    if isinstance(seed_nodes, str):
        check_choice("seed_nodes", seed_nodes, ("random", "central", "marginal"))
        if seed_nodes == "random":
            seeds = order[:k]
        else:
            key = -deg[order] if seed_nodes == "central" else deg[order]
            seeds = order[np.argsort(key, kind="stable")[:k]]
    else:
        bad = [s for s in seed_nodes if str(s) not in idx]
        if bad:
            raise InvalidOptionError(f"seed nodes not in the network: {bad[:5]}")
        seeds = np.array([idx[str(s)] for s in seed_nodes], dtype=int)

    adopted = np.zeros(n, dtype=bool)
    adopted[seeds] = True
    when = np.full(n, -1)
    when[seeds] = start
    rec_u, rec_p, rec_e, rec_a = [], [], [], []
    cur_dst = dst.copy()
    expo = np.zeros(n)
    den = np.bincount(src, weights=w, minlength=n)  # src and w never change
    for t in range(n_periods):
        if t > 0:
            if rewire > 0:
                flip = rng.random(len(cur_dst)) < rewire
                new = rng.integers(0, n - 1, size=len(cur_dst))
                new = new + (new >= src)  # no self-loops
                cur_dst = np.where(flip, new, cur_dst)
            num = np.bincount(src, weights=w * adopted[cur_dst], minlength=n)
            if exposure == "share":
                expo = np.divide(num, den, out=np.zeros(n), where=den > 0)
            else:
                expo = num
            new_adopt = ~adopted & (expo >= thr)
            when[new_adopt] = start + t
            adopted = adopted | new_adopt
        rec_u.extend(names)
        rec_p.extend([start + t] * n)
        rec_e.extend(expo.tolist())
        rec_a.extend(adopted.tolist())
    adoptions = pl.DataFrame({
        "unit": names,
        "period": [int(x) if x >= 0 else None for x in when],
        "seed": np.isin(np.arange(n), seeds).tolist(),
        "threshold": thr,
    }, schema={"unit": pl.Utf8, "period": pl.Int64, "seed": pl.Boolean, "threshold": pl.Float64})
    expo_df = pl.DataFrame({"unit": rec_u, "period": rec_p, "exposure": rec_e, "adopted": rec_a})
    prov = {"process": "threshold (rdiffnet)", "seed_nodes": seed_nodes if isinstance(seed_nodes, str)
            else "list", "seed_share": seed_share, "exposure": exposure, "rewire": rewire,
            "versions": package_versions()}
    return ThresholdSimulation(adoptions=adoptions, exposure=expo_df, provenance=prov)
