"""How sure are the edges? Bootstrap over cascades, random spreading of tied events,
and held-out-cascade likelihood to choose the number of edges.

Every random step takes a ``seed``. The transmission parameters are fixed at their
full-data value (initialised once, unless given) so that every draw scores delays the
same way and the draws differ only in the data.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import pandas as pd

from policydiffusion._warnings import warn
from policydiffusion.errors import InvalidOptionError, NetinfStopWarning
from policydiffusion.networks._cascades import Cascades
from policydiffusion.networks._engine import Engine
from policydiffusion.networks._netinf import _as_cascades, netinf
from policydiffusion.networks._options import NetinfOptions, netinf_options

__all__ = ["EdgeFrequencies", "EdgeCountChoice", "bootstrap_edges", "spread_ties", "choose_n_edges",
           "count_possible_edges"]


@dataclass(frozen=True)
class EdgeFrequencies:
    """Share of random draws in which each edge was inferred.

    ``edges`` has ``origin``, ``destination``, ``share`` (in [0, 1]), ``count`` and
    ``mean_improvement`` (over the draws that have the edge), sorted by share.
    """

    edges: pd.DataFrame
    n_draws: int
    method: str
    params: tuple[float, ...]
    provenance: dict = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """term, origin, destination, estimate (the share), count."""
        e = self.edges
        return pd.DataFrame({"term": e["origin"] + " -> " + e["destination"],
                             "origin": e["origin"], "destination": e["destination"],
                             "estimate": e["share"], "count": e["count"]})

    def summary(self) -> str:
        top = ", ".join(f"{r.origin}->{r.destination} ({r.share:.2f})"
                        for r in self.edges.head(5).itertuples())
        return f"{self.method}: {self.n_draws} draws, {len(self.edges)} distinct edges; top: {top}"


@dataclass(frozen=True)
class EdgeCountChoice:
    """Held-out cascade log-likelihood by number of edges (k-fold over cascades).

    ``table`` has ``n_edges`` and ``heldout_loglik`` (summed over folds);
    ``best_n_edges`` maximises it.
    """

    table: pd.DataFrame
    best_n_edges: int
    folds: int
    params: tuple[float, ...]
    provenance: dict = field(default_factory=dict)


def _tally(results: list[pd.DataFrame], n_draws: int) -> pd.DataFrame:
    if not results or all(len(r) == 0 for r in results):
        return pd.DataFrame(columns=["origin", "destination", "share", "count", "mean_improvement"])
    allr = pd.concat(results, ignore_index=True)
    g = allr.groupby(["origin", "destination"], sort=False)["improvement"]
    out = pd.DataFrame({"count": g.size(), "mean_improvement": g.mean()}).reset_index()
    out["share"] = out["count"] / n_draws
    out = out.sort_values(["share", "mean_improvement", "origin", "destination"],
                          ascending=[False, False, True, True], kind="stable")
    return out[["origin", "destination", "share", "count", "mean_improvement"]].reset_index(drop=True)


def bootstrap_edges(
    cascades: Cascades | pd.DataFrame,
    *,
    draws: int = 100,
    seed: int = 0,
    model: str = "exponential",
    params: float | Sequence[float] | None = None,
    params_init: str = "corrected",
    n_edges: int | None = None,
    p_value_cutoff: float | None = None,
    penalty: float | str | None = None,
    p_value: str | None = None,
    objective: str = "networkinference",
    compat: str | None = None,
    options: NetinfOptions | None = None,
) -> EdgeFrequencies:
    """Resample cascades with replacement and report how often each edge is inferred.

    ``model`` to ``compat`` are :func:`netinf`'s options, given as keywords or as one
    :class:`NetinfOptions` in ``options`` (not both). With a fixed ``n_edges`` a draw
    may give fewer edges (no zero-improvement edge is added unless ``compat`` asks);
    one warning counts such draws.

    Examples
    --------
    >>> from policydiffusion.datasets import load_dataset
    >>> from policydiffusion.networks import cascades_from_table
    >>> c = cascades_from_table(load_dataset("netinf_example_cascades"))
    >>> b = bootstrap_edges(c, draws=3, n_edges=5, seed=1)
    >>> b.n_draws, float(b.edges["share"].max()) <= 1
    (3, True)
    """
    casc = _as_cascades(cascades)
    opts = netinf_options(options, locals())
    rng = np.random.default_rng(seed)
    samples = (casc.subset(rng.integers(0, casc.n_cascades, casc.n_cascades)) for _ in range(int(draws)))
    results, par = _draw_networks(casc, samples, opts)
    prov = {"method": "bootstrap over cascades", "draws": int(draws), "seed": seed,
            "model": opts.model, "params": list(par), **opts.rule,
            "objective": opts.objective, "compat": opts.compat}
    return EdgeFrequencies(_tally(results, int(draws)), int(draws), "bootstrap", par, prov)


def _draw_networks(casc: Cascades, draws: Iterable[Cascades],
                   opts: NetinfOptions) -> tuple[list[pd.DataFrame], tuple[float, ...]]:
    """netinf's edges for every draw, with the parameters fixed at their value on
    ``casc`` (given, or initialised once) and the stopping rule capped per draw."""
    rule = opts.rule
    par = opts.resolve(casc)
    results, short = [], 0
    for sample in draws:
        fit = fit_rule(rule, sample)
        if fit is None:  # no possible edge in this draw: an empty network
            results.append(pd.DataFrame(columns=["origin", "destination", "improvement"]))
            continue
        with warnings.catch_warnings():  # counted once below, not once per draw
            warnings.simplefilter("ignore", NetinfStopWarning)
            edges = netinf(sample, options=opts.replace(params=par, **fit)).edges
        short += fit["n_edges"] is not None and len(edges) < fit["n_edges"]
        results.append(edges)
    if short:
        w = NetinfStopWarning(f"in {short} draw(s) netinf stopped before n_edges = "
                              f"{rule['n_edges']}: no remaining edge improved the likelihood "
                              f"(zero-improvement edges are not added).",
                              requested=int(rule["n_edges"]))
        warn(w, NetinfStopWarning)
    return results, par


def count_possible_edges(casc: Cascades) -> int:
    """Number of pairs u -> v with u's event strictly before v's in some cascade.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.networks import cascades_from_table
    >>> c = cascades_from_table(pd.DataFrame({"cascade_id": list("aaabb"), "node": list("xyzxy"),
    ...                                       "time": [1, 1, 2, 1, 2]}))
    >>> count_possible_edges(c)   # x->z, y->z and x->y (tied x, y in cascade a form no edge)
    3
    """
    keys = []
    for ns, ts in zip(casc.nodes, casc.times):
        if len(ns) > 1:
            i, j = np.triu_indices(len(ns), 1)
            ok = ts[j] > ts[i]
            keys.append(ns[j][ok] * casc.n_nodes + ns[i][ok])
    return len(np.unique(np.concatenate(keys))) if keys else 0


def fit_rule(rule: dict, casc: Cascades) -> dict | None:
    """The stopping rule for one draw; a fixed n_edges is capped at what the draw allows.
    None when the draw allows no edge at all."""
    possible = count_possible_edges(casc)
    if possible == 0:
        return None
    if rule["n_edges"] is None:
        return rule
    return {**rule, "n_edges": min(int(rule["n_edges"]), possible)}


def spread_ties(
    cascades: Cascades | pd.DataFrame,
    *,
    draws: int = 20,
    seed: int = 0,
    width: float = 1.0,
    model: str = "exponential",
    params: float | Sequence[float] | None = None,
    params_init: str = "corrected",
    n_edges: int | None = None,
    p_value_cutoff: float | None = None,
    penalty: float | str | None = None,
    p_value: str | None = None,
    objective: str = "networkinference",
    compat: str | None = None,
    options: NetinfOptions | None = None,
) -> EdgeFrequencies:
    """Spread events uniformly within their period and report edge frequencies.

    With yearly data, adopters of the same year cannot be each other's source under the
    package's rule. Here each draw moves every event to ``t + U(0, width)`` (``width`` =
    the period length, 1 for years), which breaks ties at random while keeping the
    order of different periods, runs netinf, and counts the edges over draws.

    This is the random counterpart of ``netinf(..., ties=...)``: it is a function of its
    own because it returns edge frequencies over draws, not one network. ``model`` to
    ``compat`` are :func:`netinf`'s options, as keywords or one :class:`NetinfOptions`.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.networks import cascades_from_table
    >>> df = pd.DataFrame({"cascade_id": list("aaabbb"), "node": list("xyzxyz"),
    ...                    "time": [1, 1, 2, 1, 2, 2]})
    >>> f = spread_ties(cascades_from_table(df), draws=4, n_edges=1, params=1.0, seed=3)
    >>> f.n_draws
    4
    """
    casc = _as_cascades(cascades)
    if not width > 0:
        raise InvalidOptionError(f"width must be > 0; got {width!r}.")
    opts = netinf_options(options, locals())
    rng = np.random.default_rng(seed)
    jittered = (casc.with_times([t + rng.uniform(0, width, len(t)) for t in casc.times])
                for _ in range(int(draws)))
    results, par = _draw_networks(casc, jittered, opts)
    prov = {"method": "ties spread uniformly within the period", "draws": int(draws),
            "seed": seed, "width": width, "model": opts.model, "params": list(par), **opts.rule,
            "objective": opts.objective, "compat": opts.compat}
    return EdgeFrequencies(_tally(results, int(draws)), int(draws), "spread ties", par, prov)


def heldout_path(train_edges: pd.DataFrame, test: Cascades, model: str, params) -> np.ndarray:
    """Held-out tree log-likelihood after each prefix of ``train_edges`` (0..k edges)."""
    eng = Engine(test.nodes, test.times, test.n_nodes, model, params)
    index = {n: i for i, n in enumerate(test.node_names)}
    out = [eng.cascade_loglik()]
    for r in train_edges.itertuples(index=False):
        k = eng.edge_index(index[r.origin], index[r.destination]) if eng.n_edges else -1
        if k >= 0 and eng.alive[k]:
            eng.apply(k)
        out.append(eng.cascade_loglik())
    return np.array(out)


def choose_n_edges(
    cascades: Cascades | pd.DataFrame,
    *,
    max_edges: int,
    folds: int = 5,
    seed: int = 0,
    model: str = "exponential",
    params: float | Sequence[float] | None = None,
    params_init: str = "corrected",
    options: NetinfOptions | None = None,
) -> EdgeCountChoice:
    """Choose the number of edges by held-out cascade likelihood (k-fold over cascades).

    Cascades are split at random into ``folds`` groups; netinf is run on all but one
    group up to ``max_edges`` edges, and the tree log-likelihood of the left-out
    cascades is recorded after each added edge. The sum over folds is maximised.
    ``model``, ``params`` and ``params_init`` are :func:`netinf`'s, as keywords or one
    :class:`NetinfOptions` in ``options`` (which may set nothing else: the stopping rule
    is what is chosen here).

    Examples
    --------
    >>> from policydiffusion.datasets import load_dataset
    >>> from policydiffusion.networks import cascades_from_table
    >>> c = cascades_from_table(load_dataset("netinf_example_cascades"))
    >>> ch = choose_n_edges(c, max_edges=30, folds=3, seed=2)
    >>> 0 <= ch.best_n_edges <= 30
    True
    """
    casc = _as_cascades(cascades)
    if folds < 2 or folds > casc.n_cascades:
        raise InvalidOptionError(f"folds must be between 2 and the number of cascades "
                                 f"({casc.n_cascades}); got {folds}.")
    opts = netinf_options(options, locals())
    if opts != NetinfOptions(model=opts.model, params=opts.params, params_init=opts.params_init):
        raise InvalidOptionError("choose_n_edges uses only model, params and params_init of "
                                 "its options; it chooses the stopping rule itself.")
    model, par = opts.model, opts.resolve(casc)
    rng = np.random.default_rng(seed)
    fold_of = rng.permutation(np.arange(casc.n_cascades) % folds)
    total = np.zeros(int(max_edges) + 1)
    for f in range(folds):
        train = casc.subset(np.flatnonzero(fold_of != f))
        test = casc.subset(np.flatnonzero(fold_of == f))
        k = min(int(max_edges), count_possible_edges(train))
        with warnings.catch_warnings():  # a shorter path is held at its last value below
            warnings.simplefilter("ignore", NetinfStopWarning)
            edges = netinf(train, model=model, params=par, n_edges=k).edges if k > 0 else \
                pd.DataFrame(columns=["origin", "destination"])
        path = heldout_path(edges, test, model, par)
        total += np.concatenate([path, np.full(len(total) - len(path), path[-1])])
    table = pd.DataFrame({"n_edges": np.arange(len(total)), "heldout_loglik": total})
    best = int(table["n_edges"][int(np.argmax(total))])
    prov = {"method": "k-fold held-out cascade likelihood", "folds": folds, "seed": seed,
            "model": model, "params": list(par), "max_edges": int(max_edges)}
    return EdgeCountChoice(table, best, folds, par, prov)
