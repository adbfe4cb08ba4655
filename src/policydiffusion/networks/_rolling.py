"""Rolling-window networks (Desmarais, Harden & Boehmke 2015; METHODS 5.12).

For each period t the network E_t is inferred from the adoptions in [t - w, t) only,
each cascade re-zeroed at its first adoption inside the window. E_t therefore uses no
information from t or later and can enter a model of adoption in t.

Windowing and shifting: a cascade enters window [t - w, t) with its events in that
window only (an adoption at t - w is in, one at t is out); its first event in the
window gets time 0 and the others their delay from it. Cascades with no event in the
window are left out. The shift changes no delay, so no edge score: under both
objectives only differences of times enter.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from policydiffusion._warnings import warn
from policydiffusion.errors import InvalidOptionError, NetinfStopWarning
from policydiffusion.networks._cascades import Cascades
from policydiffusion.networks._netinf import _as_cascades, _mode, netinf
from policydiffusion.networks._options import NetinfOptions, netinf_options
from policydiffusion.networks._uncertainty import fit_rule

__all__ = ["RollingNetinf", "rolling_netinf", "window_cascades"]


@dataclass(frozen=True)
class RollingNetinf:
    """One inferred network per period.

    Attributes
    ----------
    edges : pandas.DataFrame
        ``period``, ``origin``, ``destination``, ``improvement``, ``p_value``: the network
        used at ``period``, inferred from events in ``[period - window, period)``.
    params : pandas.DataFrame
        ``period`` and the parameters used in that period (``param_1``, ...).
    skipped : pandas.DataFrame
        ``period`` and ``reason`` for periods without a network (no possible edge).
    window : int
    node_names : tuple of str
    provenance : dict
    stops : pandas.DataFrame
        ``period``, ``n_edges`` (edges inferred) and ``stop`` (why that period's run
        stopped), one row per period with a network.
    """

    edges: pd.DataFrame
    params: pd.DataFrame
    skipped: pd.DataFrame
    window: float
    node_names: tuple[str, ...]
    model: str
    provenance: dict = field(default_factory=dict)
    stops: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(
        columns=["period", "n_edges", "stop"]))

    @property
    def periods(self) -> list:
        return sorted(set(self.params["period"]))

    def at(self, period) -> pd.DataFrame:
        """Edges of the network used at ``period``."""
        return self.edges[self.edges["period"] == period].reset_index(drop=True)

    def summary(self) -> str:
        n = self.edges.groupby("period").size()
        return (f"rolling netinf ({self.model}), window {self.window}: {len(self.params)} "
                f"periods with a network, {len(self.skipped)} skipped; edges per period "
                f"min {int(n.min()) if len(n) else 0}, max {int(n.max()) if len(n) else 0}")


def window_cascades(cascades: Cascades, start: float, end: float) -> Cascades:
    """Events with ``start <= time < end``, each cascade re-zeroed at its first event
    in the window; cascades without events in the window are left out.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.networks import cascades_from_table
    >>> c = cascades_from_table(pd.DataFrame({"cascade_id": list("aaab"), "node": list("xyzx"),
    ...                                       "time": [1990, 1993, 1999, 2001]}))
    >>> w = window_cascades(c, 1992, 2000)
    >>> w.cascade_ids, [t.tolist() for t in w.times]
    (('a',), [[0.0, 6.0]])
    """
    keep_ids, nodes, times = [], [], []
    for cid, ns, ts in zip(cascades.cascade_ids, cascades.nodes, cascades.times):
        m = (ts >= start) & (ts < end)
        if m.any():
            keep_ids.append(cid)
            nodes.append(ns[m])
            times.append(ts[m] - ts[m][0])
    return Cascades(node_names=cascades.node_names, cascade_ids=tuple(keep_ids),
                    nodes=tuple(nodes), times=tuple(times), source=cascades.source,
                    meta={**cascades.meta, "window": (start, end)})


def rolling_netinf(
    cascades,
    *,
    window: float,
    periods: Sequence[float] | None = None,
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
) -> RollingNetinf:
    """Infer a network for every period from the adoptions in the preceding window.

    Parameters
    ----------
    cascades : Cascades, long DataFrame or Study
    window : number
        w: the network used at t is inferred from events with t - w <= time < t.
    periods : sequence, optional
        The periods t to build networks for. Default: every integer from the first
        event time + 1 to the last event time + 1.
    model, params, params_init, n_edges, p_value_cutoff, penalty, p_value, objective, compat
        As in :func:`netinf`. Without ``params`` they are initialised in each window.
        A fixed ``n_edges`` is capped at the number of edges a window allows; a window
        whose remaining edges improve nothing stops earlier (``stops`` says where, and
        one :class:`NetinfStopWarning` counts those periods) unless
        ``compat="networkinference"`` asks for the package's zero-improvement padding.
        ``objective="snap"`` reproduces the SNAP netinf that Desmarais, Harden & Boehmke
        (2015) ran on each window.
    options : NetinfOptions, optional
        The same options as one record, instead of the keywords (not both).

    Returns
    -------
    RollingNetinf

    Notes
    -----
    Each window's cascades are :func:`window_cascades`: events in ``[t - w, t)``, each
    cascade shifted so that its first adoption in the window is at time 0.

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> from policydiffusion.networks import cascades_from_study
    >>> c = cascades_from_study(spid_study())
    >>> roll = rolling_netinf(c, window=10, periods=[2000, 2001], n_edges=20)
    >>> roll.edges.groupby("period").size().tolist()
    [20, 20]
    """
    casc = _as_cascades(cascades)
    if not window > 0:
        raise InvalidOptionError(f"window must be > 0; got {window!r}.")
    opts = netinf_options(options, locals())
    rules = opts.rule
    if periods is None:
        allt = np.concatenate(casc.times) if casc.n_cascades else np.empty(0)
        if len(allt) == 0:
            raise InvalidOptionError("the cascades have no events.")
        periods = list(range(int(np.floor(allt.min())) + 1, int(np.floor(allt.max())) + 2))
    edges, pars, skipped, stops, short = [], [], [], [], []
    for t in periods:
        sub = window_cascades(casc, t - window, t)
        if sub.n_cascades < 2:  # an edge's p-value needs two cascades to compare
            skipped.append((t, "fewer than two cascades in the window"))
            continue
        rule = fit_rule(rules, sub)
        if rule is None:
            skipped.append((t, "no possible edge in the window"))
            continue
        try:
            par = opts.resolve(sub)
        except InvalidOptionError as exc:
            skipped.append((t, f"parameters could not be initialised: {exc}"))
            continue
        with warnings.catch_warnings():  # counted once below, not once per period
            warnings.simplefilter("ignore", NetinfStopWarning)
            res = netinf(sub, options=opts.replace(params=par, **rule))
        stops.append((t, res.n_edges, res.stop))
        if rule["n_edges"] is not None and res.n_edges < rule["n_edges"]:
            short.append(t)
        e = res.edges.copy()
        e.insert(0, "period", t)
        edges.append(e)
        pars.append((t, *par))
    cols = ["period", "origin", "destination", "improvement", "p_value"]
    edge_df = pd.concat(edges, ignore_index=True) if edges else pd.DataFrame(columns=cols)
    npar = max((len(p) - 1 for p in pars), default=1)
    par_df = pd.DataFrame(pars, columns=["period"] + [f"param_{i + 1}" for i in range(npar)])
    if short:
        w = NetinfStopWarning(
            f"in {len(short)} of {len(stops)} periods ({_span(short)}) netinf stopped before "
            f"n_edges = {rules['n_edges']}: no remaining edge improved the window's likelihood "
            f"and zero-improvement edges are not added (see .stops; compat='networkinference' "
            f"pads as NetworkInference does).", requested=int(rules["n_edges"]), periods=short)
        warn(w, NetinfStopWarning)
    prov = {"method": "rolling-window netinf (Desmarais, Harden & Boehmke 2015)",
            "window": window, "model": opts.model, "params": opts.params,
            "params_init": opts.params_init, **rules, "p_value": opts.p_value_method,
            "objective": opts.objective, "compat": opts.compat, "mode": _mode(opts),
            "n_periods": len(list(periods)), "periods_stopped_early": len(short),
            "convention": "network at t from events in [t-w, t), each cascade shifted so "
                          "that its first event in the window is at time 0"}
    return RollingNetinf(edges=edge_df, params=par_df,
                         skipped=pd.DataFrame(skipped, columns=["period", "reason"]),
                         window=window, node_names=casc.node_names, model=opts.model, provenance=prov,
                         stops=pd.DataFrame(stops, columns=["period", "n_edges", "stop"]))


def _span(periods: list) -> str:
    shown = ", ".join(str(p) for p in periods[:5])
    return shown + (f", ... {periods[-1]}" if len(periods) > 5 else "")
