"""The greedy netinf engine on flat numpy arrays.

Every possible (cascade, receiver v, candidate source u) triple is an *entry*; entries
are sorted by edge key ``(v, u)`` (the package's ``std::map`` order, by integer node ids)
and, within an edge, by cascade. For each (cascade, node) position the engine keeps the
current best parent and its score. The gain of edge u -> v is
``sum over its entries of max(0, beta_score - current)``, summed in cascade order as the
package does, so equal gains compare equal bit for bit. Adding u -> v changes only the
positions of v, so only the gains of edges into v are recomputed.

Two objectives (``objective=``):

``"networkinference"``
    NetworkInference 1.2.5: an edge of the network transmits with weight beta = 0.5,
    so its score is ``log(0.5 f(d))``; a node without an inferred parent takes its best
    earlier node with weight epsilon = 1e-10, ``log(1e-10 f(d))``.
``"snap"``
    SNAP's C++ ``netinf`` (examples/netinf, Gomez-Rodriguez et al. 2010): an edge scores
    ``log f(d)`` (no beta) and a node without a parent scores the constant
    ``log(1e-64)``, whatever its delay (no density term). Every node, the first of its
    cascade included, starts at ``log(1e-64)``.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from policydiffusion.errors import InvalidOptionError
from policydiffusion.networks._models import log_score

__all__ = ["Engine", "BETA", "EPSILON", "SNAP_EPSILON", "OBJECTIVES"]

BETA = 0.5
EPSILON = 1e-10
SNAP_EPSILON = 1e-64
OBJECTIVES = ("networkinference", "snap")
_TRIU: dict[int, tuple[np.ndarray, np.ndarray]] = {}


def _pairs(m: int) -> tuple[np.ndarray, np.ndarray]:
    if m not in _TRIU:
        i, j = np.triu_indices(m, 1)
        _TRIU[m] = (i, j)
    return _TRIU[m]


class Engine:
    """State of one greedy run (mutable; internal).

    Parameters
    ----------
    nodes, times : per-cascade arrays (sorted by time)
    n_nodes : number of nodes
    model, params : transmission model
    tie_delay : None forbids edges between equal times (the package); a positive number
        lets tied events be each other's source with that delay.
    objective : "networkinference" or "snap" (see the module docstring)
    """

    def __init__(self, nodes: Sequence[np.ndarray], times: Sequence[np.ndarray], n_nodes: int,
                 model: str, params: Sequence[float], *, tie_delay: float | None = None,
                 objective: str = "networkinference") -> None:
        self.n_nodes = n_nodes
        self.n_cascades = len(nodes)
        sizes = np.array([len(n) for n in nodes], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(sizes)])
        self.flat_node = np.concatenate(nodes).astype(np.int64) if len(nodes) else np.empty(0, np.int64)
        self.flat_cascade = np.repeat(np.arange(self.n_cascades), sizes)
        self.sizes = sizes
        par_pos, child_pos, delay = [], [], []
        for c, (ns, ts) in enumerate(zip(nodes, times)):
            m = len(ns)
            if m < 2:
                continue
            i, j = _pairs(m)
            dt = ts[j] - ts[i]
            off = self.offsets[c]
            if tie_delay is None:
                keep = dt > 0
                par_pos.append(off + i[keep])
                child_pos.append(off + j[keep])
                delay.append(dt[keep])
            else:
                # forward pairs (positive delay or tie), and the reverse of ties
                par_pos.append(off + i)
                child_pos.append(off + j)
                delay.append(np.where(dt > 0, dt, tie_delay))
                tie = dt == 0
                par_pos.append(off + j[tie])
                child_pos.append(off + i[tie])
                delay.append(np.full(int(tie.sum()), float(tie_delay)))
        cat = (lambda xs, dt: np.concatenate(xs) if xs else np.empty(0, dt))
        par_pos, child_pos, delay = cat(par_pos, np.int64), cat(child_pos, np.int64), cat(delay, float)
        if tie_delay is not None and len(par_pos):
            # candidate parents in cascade order within each child (matters only for
            # which of several equally good parents is reported)
            o = np.lexsort((par_pos, child_pos))
            par_pos, child_pos, delay = par_pos[o], child_pos[o], delay[o]
            o = np.argsort(self.flat_cascade[child_pos], kind="stable")
            par_pos, child_pos, delay = par_pos[o], child_pos[o], delay[o]
        snap = objective == "snap"
        eps = log_score(model, delay, params, EPSILON)
        beta = log_score(model, delay, params, 1.0 if snap else BETA)
        if np.isnan(eps).any():
            raise InvalidOptionError(f"the {model} density is not a number for some delays with "
                                     f"parameters {tuple(params)}; check params.")
        # initial trees: every node takes its best earlier node, epsilon-weighted; the first
        # one in cascade order wins ties (strict >, as the package)
        n_flat = len(self.flat_node)
        self.cur = np.full(n_flat, math.log(SNAP_EPSILON) if snap else np.nan)
        self.parent = np.full(n_flat, -1, dtype=np.int64)
        if len(child_pos) and not snap:
            o = np.lexsort((par_pos, -eps, child_pos))
            first = np.ones(len(o), dtype=bool)
            first[1:] = child_pos[o][1:] != child_pos[o][:-1]
            best = o[first]
            if np.isneginf(eps[best]).any():
                raise InvalidOptionError(
                    "an observed delay has zero likelihood under the model (e.g. a power-law "
                    "delay below delta); adjust params.")
            self.cur[child_pos[best]] = eps[best]
            self.parent[child_pos[best]] = self.flat_node[par_pos[best]]
        # entries sorted by edge key (child, parent), then cascade
        child_node = self.flat_node[child_pos]
        parent_node = self.flat_node[par_pos]
        key = child_node * n_nodes + parent_node
        o = np.argsort(key, kind="stable")
        key = key[o]
        self.e_flat = child_pos[o]
        self.e_score = beta[o]
        self.e_delay = delay[o]
        self.e_cascade = self.flat_cascade[self.e_flat]
        uniq, e_start, counts = np.unique(key, return_index=True, return_counts=True)
        self.n_edges = len(uniq)
        self.edge_child = uniq // n_nodes
        self.edge_parent = uniq % n_nodes
        self.edge_entry_start = e_start
        self.edge_entry_end = e_start + counts
        self.e_edge = np.repeat(np.arange(self.n_edges), counts)
        self.child_edge_start = np.searchsorted(self.edge_child, np.arange(n_nodes), "left")
        self.child_edge_end = np.searchsorted(self.edge_child, np.arange(n_nodes), "right")
        self.alive = np.ones(self.n_edges, dtype=bool)
        self.gains = self._gains(0, len(self.e_flat), 0, self.n_edges)
        # node scores as a (position, cascade) matrix, 0 for roots and padding, so tree
        # scores can be summed in cascade order with one vector operation per position
        self.flat_pos = np.arange(n_flat) - self.offsets[self.flat_cascade]
        self.mat = np.zeros((int(sizes.max()) if len(sizes) else 0, self.n_cascades))
        self.mat[self.flat_pos, self.flat_cascade] = np.where(np.isnan(self.cur), 0.0, self.cur)

    # ------------------------------------------------------------------ pieces
    def _gains(self, a: int, b: int, ea: int, eb: int) -> np.ndarray:
        s = self.e_score[a:b]
        cur = self.cur[self.e_flat[a:b]]
        w = np.where(s > cur, s - cur, 0.0)
        return np.bincount(self.e_edge[a:b] - ea, weights=w, minlength=eb - ea)

    def edge_index(self, parent: int, child: int) -> int:
        """Index of edge parent -> child, or -1 if it is possible in no cascade."""
        a, b = self.child_edge_start[child], self.child_edge_end[child]
        k = a + int(np.searchsorted(self.edge_parent[a:b], parent))
        return k if k < b and self.edge_parent[k] == parent else -1

    def tree_scores(self, cascades: np.ndarray | None = None) -> np.ndarray:
        """Sum of node scores per cascade, in cascade order (roots skipped)."""
        cs = np.arange(self.n_cascades) if cascades is None else np.asarray(cascades)
        out = np.zeros(len(cs))
        if len(cs) == 0:
            return out
        sub = self.mat[:, cs]
        for row in sub:  # sequential, as the package's loop (numpy's sum may reorder)
            out += row
        return out

    def best(self) -> int:
        """The edge the package picks: the largest gain, the last in key order on ties."""
        g = np.where(self.alive, self.gains, -np.inf)
        m = g.max()
        return int(np.flatnonzero(g == m)[-1])

    def apply(self, k: int) -> np.ndarray:
        """Add edge k to the network; return the cascades whose tree changed."""
        a, b = self.edge_entry_start[k], self.edge_entry_end[k]
        flat = self.e_flat[a:b]
        s = self.e_score[a:b]
        better = s > self.cur[flat]
        self.cur[flat[better]] = s[better]
        self.parent[flat[better]] = self.edge_parent[k]
        self.mat[self.flat_pos[flat[better]], self.flat_cascade[flat[better]]] = s[better]
        self.alive[k] = False
        v = self.edge_child[k]
        ea, eb = self.child_edge_start[v], self.child_edge_end[v]
        if eb > ea:
            xa, xb = self.edge_entry_start[ea], self.edge_entry_end[eb - 1]
            self.gains[ea:eb] = self._gains(xa, xb, ea, eb)
        return np.unique(self.e_cascade[a:b][better])

    def cascade_loglik(self) -> float:
        """Total tree log-likelihood (sum over cascades)."""
        return float(math.fsum(self.tree_scores().tolist()))
