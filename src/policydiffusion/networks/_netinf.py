"""netinf: infer the latent diffusion network from cascades (Gomez-Rodriguez, Leskovec &
Krause 2010), as NetworkInference 1.2.5 does it, faster, with its mistakes fixable."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.networks._cascades import Cascades, cascades_from_table
from policydiffusion.networks._engine import BETA, EPSILON, Engine
from policydiffusion.networks._options import NetinfOptions
from policydiffusion.networks._pvalue import VuongState

__all__ = ["netinf", "NetinfResult", "NetinfSummary"]

TIES = ("forbid", "delay")
_SPREAD_HINT = ("'spread' would give a distribution of networks, not one: spreading tied "
                "events within their period is random, so it needs draws and a seed and returns "
                "edge frequencies. Use spread_ties(cascades, draws=..., seed=..., width=...), "
                "which takes the same options and returns EdgeFrequencies.")
EDGE_COLUMNS = ["origin", "destination", "improvement", "p_value"]


class NetinfSummary(str):
    """A printable summary of a :class:`NetinfResult` (a ``str``)."""


@dataclass(frozen=True)
class NetinfResult:
    """An inferred diffusion network.

    Attributes
    ----------
    edges : pandas.DataFrame
        ``origin``, ``destination``, ``improvement`` (gain in the tree log-likelihood
        when the edge was added) and ``p_value`` (Vuong-style test for that edge), in
        the order the greedy algorithm selected them. ``origin -> destination`` reads
        "destination learns from origin".
    model : str
    params : tuple of float
        The transmission-model parameters used.
    trees : pandas.DataFrame or None
        With ``trees=True``: the inferred parent of every adopter that has one, per
        cascade: ``cascade_id``, ``child``, ``parent``, ``log_score``, ``via``
        ("network" for an inferred edge, "external" for the epsilon edge).
    node_names : tuple of str
    stop : str
        Why the algorithm stopped.
    provenance : dict
        Versions and every option that shaped the result.
    """

    edges: pd.DataFrame
    model: str
    params: tuple[float, ...]
    trees: pd.DataFrame | None
    node_names: tuple[str, ...]
    stop: str
    provenance: dict = field(default_factory=dict)

    @property
    def n_edges(self) -> int:
        return len(self.edges)

    def tidy(self) -> pd.DataFrame:
        """One row per edge: term ("origin -> destination"), origin, destination,
        estimate (the improvement), p_value."""
        e = self.edges
        return pd.DataFrame({
            "term": e["origin"] + " -> " + e["destination"],
            "origin": e["origin"], "destination": e["destination"],
            "estimate": e["improvement"], "p_value": e["p_value"]})

    def to_dict(self) -> dict:
        """JSON-ready: model, params (a list), edges (list of objects), stop, provenance."""
        return {
            "model": self.model,
            "params": [float(p) for p in self.params],
            "edges": [{"origin": str(r.origin), "destination": str(r.destination),
                       "improvement": float(r.improvement), "p_value": float(r.p_value)}
                      for r in self.edges.itertuples(index=False)],
            "stop": self.stop,
            "provenance": self.provenance,
        }

    def summary(self) -> NetinfSummary:
        """A few lines: model, parameters, edge count, stopping reason, top edges."""
        lines = [f"netinf: {self.n_edges} edges among {len(self.node_names)} nodes "
                 f"({self.provenance.get('n_cascades', '?')} cascades)",
                 f"  model {self.model}, params {tuple(round(p, 6) for p in self.params)}",
                 f"  stopped: {self.stop}"]
        for r in self.edges.head(5).itertuples(index=False):
            lines.append(f"  {r.origin} -> {r.destination}: improvement {r.improvement:.3f}, "
                         f"p {r.p_value:.3g}")
        return NetinfSummary("\n".join(lines))

    def __repr__(self) -> str:
        return f"NetinfResult(model={self.model!r}, edges={self.n_edges}, stop={self.stop!r})"


def _as_cascades(cascades: Cascades | pd.DataFrame) -> Cascades:
    if isinstance(cascades, Cascades):
        return cascades
    if isinstance(cascades, pd.DataFrame):
        return cascades_from_table(cascades)
    from policydiffusion.networks._cascades import cascades_from_study
    if hasattr(cascades, "adoptions") and hasattr(cascades, "unit_ids"):
        return cascades_from_study(cascades)
    raise InvalidOptionError("cascades must be a Cascades object (cascades_from_table / "
                             "cascades_from_study), a long DataFrame or a Study; got "
                             f"{type(cascades).__name__}.")


def netinf(
    cascades: Cascades | pd.DataFrame,
    *,
    model: str = "exponential",
    params: float | Sequence[float] | str | None = None,
    params_init: str = "corrected",
    n_edges: int | None = None,
    p_value_cutoff: float | None = None,
    penalty: float | str | None = None,
    p_value: str = "package",
    ties: str = "forbid",
    tie_delay: float = 0.5,
    trees: bool = False,
    options: NetinfOptions | None = None,
) -> NetinfResult:
    """Infer the diffusion network behind a set of cascades by greedy netinf.

    Each cascade spreads along a tree: every adopter was infected by one earlier adopter
    through an edge of the unknown network (weight beta = 0.5) or from outside the
    network (epsilon = 1e-10), with a transmission density of the delay. Edges are added
    one at a time, each time the one that most improves the likelihood of the best
    trees (Gomez-Rodriguez, Leskovec & Krause 2010), exactly as the R package
    NetworkInference 1.2.5 does: same edges in the same order, same improvements and
    p-values, same tie-breaking (among equal gains the last edge in (destination id,
    origin id) order wins; ids are positions in ``cascades.node_names``).

    Parameters
    ----------
    cascades : Cascades, long DataFrame (cascade_id, node, time) or Study
        See :func:`cascades_from_table`, :func:`cascades_from_study`.
    model : {"exponential", "rayleigh", "log-normal", "power-law"}
        Transmission model (see :mod:`policydiffusion.networks._models`).
    params : float, sequence, "auto" or None
        Model parameters; None or "auto" initialises them from the data.
    params_init : {"corrected", "package"}
        How to initialise: "package" reproduces NetworkInference (whose Rayleigh start is
        NaN on data with more than 171 delays and whose log-normal start ignores half
        its estimates); "corrected" (default) fixes both. Same value for exponential.
    n_edges, p_value_cutoff, penalty
        Exactly one stopping rule: a fixed number of edges; the package's rule (stop at
        the first edge whose p-value is at or above the cutoff, keeping that edge); or a
        penalised gain (stop before the first edge whose improvement is below
        ``penalty``; ``"bic"`` means log(number of cascades) / 2).
    p_value : {"package", "corrected"}
        How p-values are computed (:mod:`policydiffusion.networks._pvalue`): "package"
        (default) reproduces NetworkInference's numbers and so its stopping point;
        "corrected" removes its score-drift bug and uses the exact normal CDF.
    ties : {"forbid", "delay"}
        Equal times never form an edge ("forbid", the package), or tied events may be
        each other's source with delay ``tie_delay`` ("delay"). Spreading tied events at
        random within their period is :func:`spread_ties` (see Notes).
    trees : bool
        Also return the inferred parent of every adopter.
    options : NetinfOptions, optional
        ``model``, ``params``, ``params_init``, the stopping rule and ``p_value`` in one
        record, instead of the keywords (not both).

    Returns
    -------
    NetinfResult

    Notes
    -----
    Why random tie spreading is not a ``ties=`` value: ``netinf`` is deterministic and
    returns one network. Spreading each event to ``t + U(0, width)`` gives a different
    network in every draw, so the answer is how often each edge appears over draws
    (:class:`EdgeFrequencies`), which needs ``draws=`` and ``seed=``. That is
    :func:`spread_ties`; ``ties="spread"`` raises an error that points there.

    Examples
    --------
    >>> from policydiffusion.datasets import load_dataset
    >>> c = cascades_from_table(load_dataset("netinf_example_cascades"),
    ...                         node_names=[str(i) for i in range(32)])
    >>> res = netinf(c, n_edges=3)
    >>> res.edges[["origin", "destination"]].values.tolist()
    [['23', '0'], ['9', '5'], ['0', '31']]
    """
    casc = _as_cascades(cascades)
    opts = NetinfOptions.merge(options, model=model, params=params, params_init=params_init,
                               n_edges=n_edges, p_value_cutoff=p_value_cutoff, penalty=penalty,
                               p_value=p_value)
    model, params, params_init, p_value = opts.model, opts.params, opts.params_init, opts.p_value
    n_edges, p_value_cutoff, penalty = opts.n_edges, opts.p_value_cutoff, opts.penalty
    if ties not in TIES:
        raise InvalidOptionError(f"ties must be one of 'forbid', 'delay'; got {ties!r}. "
                                 + (_SPREAD_HINT if ties == "spread" else
                                    "To spread tied events at random within their period use "
                                    "spread_ties(cascades, draws=..., seed=...)."))
    rules = [r for r, v in opts.rule.items() if v is not None]
    if n_edges is not None and (int(n_edges) != n_edges or n_edges < 1):
        raise InvalidOptionError(f"n_edges must be a whole number >= 1; got {n_edges!r}.")
    if p_value_cutoff is not None and not 0 < float(p_value_cutoff) <= 1:
        raise InvalidOptionError(f"p_value_cutoff must be in (0, 1]; got {p_value_cutoff!r}.")
    if isinstance(penalty, str):
        check_choice("penalty", penalty, ("bic",))
        penalty_value = math.log(max(casc.n_cascades, 1)) / 2
    elif penalty is not None:
        penalty_value = float(penalty)
    if ties == "delay" and not tie_delay > 0:
        raise InvalidOptionError(f"tie_delay must be > 0; got {tie_delay!r}.")
    if casc.n_cascades < 2:
        raise InvalidOptionError(f"netinf needs at least two cascades; got {casc.n_cascades}. "
                                 "An edge's p-value compares how much it improves each "
                                 "cascade, which one cascade cannot show.")
    par = opts.resolve(casc)
    eng = Engine(casc.nodes, casc.times, casc.n_nodes, model, par,
                 tie_delay=tie_delay if ties == "delay" else None)
    if eng.n_edges == 0:
        raise InvalidOptionError("no edge is possible: no cascade has a node with an event "
                                 "strictly after another's.")
    if n_edges is not None and n_edges > eng.n_edges:
        raise InvalidOptionError(f"n_edges = {n_edges} exceeds the number of possible edges "
                                 f"({eng.n_edges}).")
    vuong = VuongState(eng.tree_scores(), p_value)
    limit = int(n_edges) if n_edges is not None else eng.n_edges
    chosen, gains, pvals = [], [], []
    stop = "reached the maximum number of possible edges"
    for _ in range(limit):
        k = eng.best()
        gain = float(eng.gains[k])
        if penalty is not None and not gain > penalty_value:
            stop = f"next edge's improvement {gain:.4g} <= penalty {penalty_value:.4g}"
            break
        changed = eng.apply(k)
        p = vuong.step(changed, eng.tree_scores(changed))
        chosen.append(k)
        gains.append(gain)
        pvals.append(p)
        if p_value_cutoff is not None and p >= p_value_cutoff:
            stop = f"p-value {p:.4g} >= cutoff {p_value_cutoff} (that edge is kept, as in the package)"
            break
    else:
        if n_edges is not None:
            stop = f"{n_edges} edges requested"
    names = np.array(casc.node_names, dtype=object)
    ch = np.array(chosen, dtype=np.int64)
    edges = pd.DataFrame({
        "origin": pd.Series(names[eng.edge_parent[ch]], dtype=object),
        "destination": pd.Series(names[eng.edge_child[ch]], dtype=object),
        "improvement": np.array(gains, dtype=float),
        "p_value": np.array(pvals, dtype=float)}, columns=EDGE_COLUMNS)
    tree_df = _trees(eng, casc) if trees else None
    from policydiffusion import __version__
    prov = {"policydiffusion": __version__, "algorithm": "netinf (greedy, exact recomputation)",
            "model": model, "params": list(par), "params_init": params_init,
            "params_given": not (params is None or isinstance(params, str)),
            "stopping_rule": rules[0], "n_edges": n_edges, "p_value_cutoff": p_value_cutoff,
            "penalty": penalty, "p_value": p_value, "ties": ties,
            "tie_delay": tie_delay if ties == "delay" else None,
            "beta": BETA, "epsilon": EPSILON, "n_cascades": casc.n_cascades,
            "n_nodes": casc.n_nodes, "n_events": casc.n_events,
            "n_possible_edges": eng.n_edges, "cascade_source": casc.source,
            "node_order": casc.meta.get("order")}
    return NetinfResult(edges=edges, model=model, params=par, trees=tree_df,
                        node_names=casc.node_names, stop=stop, provenance=prov)


def _trees(eng: Engine, casc: Cascades) -> pd.DataFrame:
    has = eng.parent >= 0
    names = np.array(casc.node_names, dtype=object)
    ids = np.array(casc.cascade_ids, dtype=object)
    out = pd.DataFrame({
        "cascade_id": ids[eng.flat_cascade[has]],
        "child": names[eng.flat_node[has]],
        "parent": names[eng.parent[has]],
        "log_score": eng.cur[has]})
    net = _network_flags(eng)[has]
    out["via"] = np.where(net, "network", "external")
    return out.reset_index(drop=True)


def _network_flags(eng: Engine) -> np.ndarray:
    """True where a node's current parent is an inferred edge (not the epsilon edge)."""
    flags = np.zeros(len(eng.cur), dtype=bool)
    done = ~eng.alive
    for k in np.flatnonzero(done):
        a, b = eng.edge_entry_start[k], eng.edge_entry_end[k]
        flat = eng.e_flat[a:b]
        hit = (eng.parent[flat] == eng.edge_parent[k]) & (eng.cur[flat] == eng.e_score[a:b])
        flags[flat[hit]] = True
    return flags
