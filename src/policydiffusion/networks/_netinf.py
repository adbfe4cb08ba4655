"""netinf: infer the latent diffusion network from cascades (Gomez-Rodriguez, Leskovec &
Krause 2010), as NetworkInference 1.2.5 or SNAP's C++ netinf does it, faster, with the
package's mistakes fixed by default and reproducible on request
(``compat="networkinference"``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from policydiffusion._warnings import warn
from policydiffusion.errors import InvalidOptionError, NetinfStopWarning, check_choice
from policydiffusion.networks._cascades import Cascades, cascades_from_table
from policydiffusion.networks._engine import BETA, EPSILON, SNAP_EPSILON, Engine
from policydiffusion.networks._options import NetinfOptions, netinf_options
from policydiffusion.networks._pvalue import UNDEFINED_P, VuongState

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
        when the edge was added) and ``p_value`` (Vuong-style test for that edge; NaN
        where the test is undefined, see :attr:`p_value_note`), in the order the greedy
        algorithm selected them. ``origin -> destination`` reads
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

    @property
    def p_value_note(self) -> str | None:
        """Why some edges have no p-value (None when every edge has one)."""
        n = int(self.edges["p_value"].isna().sum())
        return f"{n} edge(s) have no p-value: {UNDEFINED_P}" if n else None

    def tidy(self) -> pd.DataFrame:
        """One row per edge: term ("origin -> destination"), origin, destination,
        estimate (the improvement), p_value."""
        e = self.edges
        return pd.DataFrame({
            "term": e["origin"] + " -> " + e["destination"],
            "origin": e["origin"], "destination": e["destination"],
            "estimate": e["improvement"], "p_value": e["p_value"]})

    def to_dict(self) -> dict:
        """JSON-ready: model, params (a list), edges (list of objects; ``p_value`` null
        where the test is undefined), p_value_note, stop, mode (which behaviour ran:
        compatibility or corrected, objective, p-values), provenance."""
        return {
            "model": self.model,
            "params": [float(p) for p in self.params],
            "edges": [{"origin": str(r.origin), "destination": str(r.destination),
                       "improvement": float(r.improvement),
                       "p_value": None if math.isnan(r.p_value) else float(r.p_value)}
                      for r in self.edges.itertuples(index=False)],
            "p_value_note": self.p_value_note,
            "stop": self.stop,
            "mode": self.provenance.get("mode"),
            "provenance": self.provenance,
        }

    def summary(self) -> NetinfSummary:
        """A few lines: model, parameters, edge count, stopping reason, top edges."""
        lines = [f"netinf: {self.n_edges} edges among {len(self.node_names)} nodes "
                 f"({self.provenance.get('n_cascades', '?')} cascades)",
                 f"  model {self.model}, params {tuple(round(p, 6) for p in self.params)}",
                 f"  mode: {self.provenance.get('mode', '?')}",
                 f"  stopped: {self.stop}"]
        if self.p_value_note:
            lines.append(f"  {self.p_value_note}")
        for r in self.edges.head(5).itertuples(index=False):
            p = "n/a" if math.isnan(r.p_value) else f"{r.p_value:.3g}"
            lines.append(f"  {r.origin} -> {r.destination}: improvement {r.improvement:.3f}, "
                         f"p {p}")
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
    p_value: str | None = None,
    objective: str = "networkinference",
    compat: str | None = None,
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
    trees (Gomez-Rodriguez, Leskovec & Krause 2010), as the R package NetworkInference
    1.2.5 does: same edges in the same order, same improvements, same tie-breaking
    (among equal gains the last edge in (destination id, origin id) order wins; ids are
    positions in ``cascades.node_names``).

    An edge that improves no tree is never added: when no remaining edge improves the
    likelihood, inference stops (``stop`` says so, with a :class:`NetinfStopWarning` if
    ``n_edges`` was not reached). NetworkInference instead pads the network with such
    edges up to ``n_edges`` (by its tie rule, the alphabetically last destinations);
    ``compat="networkinference"`` reproduces that, and its p-values, exactly.

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
        ``penalty``; ``"bic"`` means log(number of cascades) / 2). An edge whose
        p-value is undefined (NaN: every cascade gained the same) does not stop the
        cutoff rule, as the package's p = 0 for it does not.
    p_value : {"corrected", "package"}, optional
        How p-values are computed (:mod:`policydiffusion.networks._pvalue`): "corrected"
        (the default) is the test of METHODS 5.10 with exact tree scores and the exact
        normal CDF; "package" reproduces NetworkInference's numbers (its score-drift bug
        and approximate CDF) and so its stopping point. Default: "package" under
        ``compat="networkinference"``, else "corrected".
    objective : {"networkinference", "snap"}
        The tree likelihood maximised. "networkinference" (default): edges weighted by
        beta = 0.5, a node without a parent scores ``log(1e-10 f(d))`` for its best
        earlier node. "snap": SNAP's C++ ``netinf``, which Desmarais, Harden & Boehmke
        (2015) used: an edge scores ``log f(d)`` (no beta), a node without a parent the
        constant ``log(1e-64)`` (no density term); it stops at the first edge that adds
        nothing. SNAP's ``-a:`` alpha is ``params`` (exponential: lambda; its Rayleigh
        alpha is ``1 / a**2`` in our parameterisation; its power law is ours with
        ``delta = 1``, except that SNAP also scores delays below 1).
    compat : {None, "networkinference"}
        ``"networkinference"`` reproduces NetworkInference 1.2.5 exactly: zero-improvement
        edges are added to reach ``n_edges`` and p-values use the package's formula
        (unless ``p_value`` says otherwise). Parameter initialisation stays
        ``params_init``'s business (``"package"`` for the package's).
    ties : {"forbid", "delay"}
        Equal times never form an edge ("forbid", the package), or tied events may be
        each other's source with delay ``tie_delay`` ("delay"). Spreading tied events at
        random within their period is :func:`spread_ties` (see Notes).
    trees : bool
        Also return the inferred parent of every adopter.
    options : NetinfOptions, optional
        ``model``, ``params``, ``params_init``, the stopping rule, ``p_value``,
        ``objective`` and ``compat`` in one record, instead of the keywords (not both).

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
    opts = netinf_options(options, locals())
    model, params, params_init, p_value = opts.model, opts.params, opts.params_init, opts.p_value_method
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
                 tie_delay=tie_delay if ties == "delay" else None, objective=opts.objective)
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
        if not opts.pads and not gain > 0:
            stop = (f"no remaining edge improves the tree likelihood after {len(chosen)} edges"
                    + (f" ({n_edges} requested)" if n_edges is not None else ""))
            if n_edges is not None:
                w = NetinfStopWarning(
                    f"netinf stopped at {len(chosen)} of the {n_edges} edges requested: no "
                    f"remaining edge improves the tree likelihood, and zero-improvement edges are "
                    f"not added (compat='networkinference' adds them, as NetworkInference does).",
                    requested=int(n_edges), inferred=len(chosen))
                warn(w, NetinfStopWarning)
            break
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
            padded = sum(1 for g in gains if not g > 0)
            if padded:  # only in compat mode: say what the package would not
                stop += (f"; {padded} of them improve nothing (added, as NetworkInference "
                         f"does, because compat='networkinference')")
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
            "penalty": penalty, "p_value": p_value, "objective": opts.objective,
            "compat": opts.compat, "mode": _mode(opts), "ties": ties,
            "tie_delay": tie_delay if ties == "delay" else None,
            "beta": None if opts.objective == "snap" else BETA,
            "epsilon": SNAP_EPSILON if opts.objective == "snap" else EPSILON,
            "n_cascades": casc.n_cascades,
            "n_nodes": casc.n_nodes, "n_events": casc.n_events,
            "n_possible_edges": eng.n_edges, "cascade_source": casc.source,
            "node_order": casc.meta.get("order")}
    return NetinfResult(edges=edges, model=model, params=par, trees=tree_df,
                        node_names=casc.node_names, stop=stop, provenance=prov)


def _mode(opts: NetinfOptions) -> str:
    """One line saying which behaviour ran (for reports, JSON and summaries)."""
    if opts.compat == "networkinference":
        return ("NetworkInference 1.2.5 compatibility (zero-improvement edges added to reach "
                f"n_edges; {opts.p_value_method} p-values)")
    obj = ("SNAP objective (no beta, epsilon 1e-64)" if opts.objective == "snap"
           else "NetworkInference objective")
    return (f"{obj}; no zero-improvement edges; {opts.p_value_method} p-values"
            + (" (METHODS 5.10)" if opts.p_value_method == "corrected" else ""))


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
