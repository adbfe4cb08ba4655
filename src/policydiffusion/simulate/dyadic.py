"""Directed-dyad data-generating process: i emulates j after j has adopted.

Construction (so that the directed-dyad logit is exactly correctly specified):

* the *conditional* dyadic risk set of period t holds the dyads (i, j) with i not yet
  adopted (by t - 1) and j adopted by t - 1 (Boehmke 2009, "opportunity to emulate");
* each such dyad independently "fires" (i emulates j) with probability
  F(eta_ijt), eta_ijt = x_ijt' beta, F the logit, probit or cloglog link;
* independently, i may adopt on its own ("innovation") with probability
  F(z_it' gamma), so that first adopters exist;
* i adopts in t if any of its dyads fires or it innovates, and then leaves the risk set.

Given the history up to t - 1, the firing indicators ``emulated`` of all dyad rows up
to and including i's adoption period are independent Bernoulli(F(eta)) draws, and the
decision to stop observing i depends only on draws already made, so the likelihood
factorises over dyad rows: a directed-dyad logit (probit, cloglog) of ``emulated`` on
x recovers beta with nominal coverage. What a researcher observes is
``adopt_after_source`` (i adopts in t and j adopted before t), which equals 1 on every
row of an adopting i, including sources that were not emulated and adoptions by pure
innovation. Its logit estimates move in the same direction as beta but are not beta:
the any-of-K aggregation and the innovation channel attenuate and mix them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
import polars as pl

from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.simulate._common import (check_names, formula_of, linear_predictor, make_rng,
                                              package_versions)

__all__ = ["simulate_dyadic", "DyadicSimulation"]


@dataclass(frozen=True)
class DyadicSimulation:
    """Result of :func:`simulate_dyadic`.

    Attributes
    ----------
    adoptions : polars.DataFrame
        ``unit``, ``period``, ``channel`` (``"emulation"``, ``"innovation"`` or
        ``"both"``), one row per adopter (including ``initial`` adopters, channel
        ``"initial"``).
    dyads : polars.DataFrame
        The conditional directed-dyad risk set: ``unit`` (i, at risk), ``source``
        (j, adopted by t - 1), ``period``, every dyadic, receiver (``<name>``) and
        source (``source_<name>``) covariate, ``national_share``, each of the
        ``group_shares``, ``emulated`` (the
        firing indicator: the correctly specified outcome) and ``adopt_after_source``
        (i adopts in t: the observable outcome).
    units_at_risk : polars.DataFrame
        Monadic rows (``unit``, ``period``, receiver covariates, ``national_share``,
        the ``group_shares``, ``innovated``, ``adopt``).
    truth : dict
        ``coefs``, ``innovation``, ``link``, ``seed``, ``subgroup``.
    provenance : dict
        Versions and options.
    """

    adoptions: pl.DataFrame
    dyads: pl.DataFrame
    units_at_risk: pl.DataFrame
    truth: dict
    provenance: dict = field(default_factory=dict)

    def formula(self, outcome: str = "emulated") -> str:
        """The correctly specified formula of the firing model (single coefficient set)."""
        coefs = self.truth["coefs"]
        if self.truth.get("subgroup"):
            raise InvalidOptionError("subgroup-specific coefficients: fit each subgroup with "
                                     "formula_for(group).")
        return formula_of(coefs, outcome)

    def formula_for(self, group: object, outcome: str = "emulated") -> str:
        """Formula of one subgroup's firing model (when ``subgroup`` was used)."""
        return formula_of(self.truth["coefs"][group], outcome)


def _as_panel(name: str, arr: object, shape: tuple[int, ...]) -> np.ndarray:
    a = np.asarray(arr, dtype=float)
    if a.shape != shape:
        raise InvalidOptionError(f"covariate {name!r} has shape {a.shape}; expected {shape} "
                                 "(periods x units" + (" x units)" if len(shape) == 3 else ")"))
    if not np.all(np.isfinite(a)):
        raise InvalidOptionError(f"covariate {name!r} has missing or infinite values; the "
                                 "simulation needs a value for every period and unit.")
    return a


def _group_share(same: np.ndarray, adopted: np.ndarray) -> np.ndarray:
    """Share of the other members of each unit's group that have adopted (0 if none)."""
    size = same.sum(axis=1)
    return np.divide(same @ adopted.astype(float), size, out=np.zeros(len(size)), where=size > 0)


def simulate_dyadic(
    units: Sequence[str],
    periods: Sequence[int],
    *,
    coefs: Mapping[str, float] | Mapping[object, Mapping[str, float]],
    dyad_covariates: Mapping[str, object] | None = None,
    receiver_covariates: Mapping[str, object] | None = None,
    source_covariates: Mapping[str, object] | None = None,
    group_shares: Mapping[str, Sequence[object]] | None = None,
    innovation: Mapping[str, float] | None = None,
    subgroup: str | None = None,
    initial: Sequence[str] = (),
    link: str = "logit",
    seed: int,
) -> DyadicSimulation:
    """Simulate adoptions from the directed-dyad emulation process (see module notes).

    Parameters
    ----------
    units
        Unit ids (N).
    periods
        The T consecutive periods of the simulation.
    coefs
        Firing model: variable name -> coefficient, ``"Intercept"`` for the constant,
        ``"a:b"`` for a product (moderator). Variables are the keys of
        ``dyad_covariates``, of ``receiver_covariates`` (i's value), of
        ``source_covariates`` (j's value, named ``source_<name>``) and
        ``national_share`` (share of the other units adopted by t - 1) and the
        names in ``group_shares``. With
        ``subgroup``, a mapping group value -> such a mapping (subgroup-specific
        effects).
    dyad_covariates
        Name -> array (T, N, N); ``[t, i, j]`` is the value for receiver i and
        source j used in period ``periods[t]`` (lag it yourself, e.g. visits i -> j
        in t - 1).
    receiver_covariates, source_covariates
        Name -> array (T, N) of unit values used in period ``periods[t]``.
    group_shares
        Name -> one group label per unit (e.g. ``{"region_share": regions}``) or an
        (N, N) 0/1 peer matrix (``[i, j] = 1``: j is a peer of i, e.g. contiguity):
        the covariate ``<name>`` is the share of i's peers (the other units of its
        group) adopted by t - 1, 0 where i has none (the risk-set terms
        ``region_share`` and ``neighbors_adopted``).
    innovation
        Monadic hazard of adopting without emulation: name -> coefficient over
        ``receiver_covariates``, ``national_share`` and the ``group_shares``. ``None``: no innovation (then
        pass ``initial`` adopters, or nobody ever adopts).
    subgroup
        Name of a dyadic covariate whose values select the coefficient set.
    initial
        Units adopted before the first period (they are sources from the start).
    link
        ``logit`` (default), ``probit`` or ``cloglog``.
    seed
        Seed of ``numpy.random.default_rng``. Each period draws N + N*N uniforms
        whatever the parameters.

    Returns
    -------
    DyadicSimulation

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> visits = rng.poisson(0.5, size=(6, 20, 20)).astype(float)
    >>> sim = simulate_dyadic([f"u{i}" for i in range(20)], range(2001, 2007),
    ...                       coefs={"Intercept": -3.0, "visits": 0.8},
    ...                       dyad_covariates={"visits": visits},
    ...                       innovation={"Intercept": -2.5}, seed=7)
    >>> sim.formula()
    'emulated ~ visits'
    >>> set(sim.dyads.columns) >= {"unit", "source", "period", "visits", "emulated"}
    True
    """
    from policydiffusion.estimate._links import LINKS, cdf

    check_choice("link", link, LINKS)
    rng = make_rng(seed)
    units = [str(u) for u in units]
    periods = [int(p) for p in periods]
    n, T = len(units), len(periods)
    if n < 2 or T < 1:
        raise InvalidOptionError("need at least 2 units and 1 period.")
    if len(set(units)) != n:
        raise InvalidOptionError("unit ids must be unique.")
    if any(b - a != 1 for a, b in zip(periods, periods[1:])):
        raise InvalidOptionError("periods must be consecutive integers.")
    dyad = {k: _as_panel(k, v, (T, n, n)) for k, v in (dyad_covariates or {}).items()}
    recv = {k: _as_panel(k, v, (T, n)) for k, v in (receiver_covariates or {}).items()}
    src = {f"source_{k}": _as_panel(k, v, (T, n)) for k, v in (source_covariates or {}).items()}
    same_group: dict[str, np.ndarray] = {}
    for k, labels in (group_shares or {}).items():
        arr = np.asarray(labels)
        if arr.shape == (n, n):  # peers given as a 0/1 matrix: [i, j] = 1 if j is i's peer
            if not np.isin(arr, (0, 1)).all():
                raise InvalidOptionError(f"group_shares[{k!r}]: a peer matrix must hold 0 and 1.")
            same_group[k] = arr.astype(float) * ~np.eye(n, dtype=bool)
            continue
        lab = np.asarray(list(labels), dtype=object)
        if lab.shape != (n,):
            raise InvalidOptionError(f"group_shares[{k!r}] has shape {arr.shape}; expected one "
                                     f"label per unit ({n}) or an ({n}, {n}) peer matrix.")
        same_group[k] = ((lab[:, None] == lab[None, :]) & ~np.eye(n, dtype=bool)).astype(float)
    names = [set(dyad), set(recv), set(src), set(same_group), {"national_share"}]
    clash = {k for a in range(len(names)) for b in range(a + 1, len(names)) for k in names[a] & names[b]}
    if clash:
        raise InvalidOptionError(f"covariate names used twice: {sorted(clash)}")
    known = set(dyad) | set(recv) | set(src) | set(same_group) | {"national_share"}
    if subgroup is not None:
        if subgroup not in dyad:
            raise InvalidOptionError(f"subgroup={subgroup!r} must name a dyadic covariate.")
        groups = {g: dict(c) for g, c in coefs.items()}  # type: ignore[union-attr]
        for g, c in groups.items():
            check_names(c, known, f"subgroup {g!r} firing")
        coef_sets: dict[object, dict[str, float]] = groups
    else:
        check_names(coefs, known, "firing")  # type: ignore[arg-type]
        coef_sets = {None: dict(coefs)}  # type: ignore[arg-type]
    innov = dict(innovation) if innovation is not None else None
    if innov is not None:
        check_names(innov, set(recv) | set(same_group) | {"national_share"}, "innovation")
    bad_init = [u for u in initial if str(u) not in units]
    if bad_init:
        raise InvalidOptionError(f"initial adopters not among the units: {bad_init}")

    index = {u: k for k, u in enumerate(units)}
    adopted = np.zeros(n, dtype=bool)
    for u in initial:
        adopted[index[str(u)]] = True
    adopt_period = np.full(n, np.iinfo(np.int64).min, dtype=np.int64)
    channel = np.array([""] * n, dtype=object)
    channel[adopted] = "initial"
    dyad_rows: list[tuple[np.ndarray, ...]] = []
    mono_rows: list[tuple[np.ndarray, ...]] = []
    g_hist: list[dict[str, np.ndarray]] = []

    for t in range(T):
        u_innov = rng.random(n)
        u_dyad = rng.random((n, n))
        at_risk = ~adopted
        n_adopted = int(adopted.sum())
        share_i = (n_adopted - adopted.astype(float)) / (n - 1)
        g_share = {k: _group_share(m, adopted) for k, m in same_group.items()}
        g_hist.append(g_share)

        def value(name: str, t: int = t, share_i: np.ndarray = share_i) -> np.ndarray:
            if name in dyad:
                return dyad[name][t]
            if name in recv:
                return recv[name][t][:, None]
            if name in src:
                return src[name][t][None, :]
            if name in g_share:
                return g_share[name][:, None]
            return share_i[:, None]

        if subgroup is None:
            eta = linear_predictor(coef_sets[None], value, (n, n))
        else:
            eta = np.zeros((n, n))
            lab = dyad[subgroup][t]
            for g, c in coef_sets.items():
                eta = np.where(lab == float(g), linear_predictor(c, value, (n, n)), eta)  # type: ignore[arg-type]
        fire = at_risk[:, None] & adopted[None, :] & (u_dyad < cdf(link, eta))
        if innov is not None:
            eta_i = linear_predictor(
                innov, lambda nm: recv[nm][t] if nm in recv else g_share.get(nm, share_i), (n,))
            innovated = at_risk & (u_innov < cdf(link, eta_i))
        else:
            innovated = np.zeros(n, dtype=bool)
        emulating = fire.any(axis=1)
        new = innovated | emulating
        ii, jj = np.nonzero(at_risk[:, None] & adopted[None, :])
        dyad_rows.append((ii, jj, np.full(ii.size, t), fire[ii, jj], new[ii]))
        rr = np.nonzero(at_risk)[0]
        mono_rows.append((rr, np.full(rr.size, t), innovated[rr], new[rr]))
        channel[innovated & emulating] = "both"
        channel[innovated & ~emulating] = "innovation"
        channel[emulating & ~innovated] = "emulation"
        adopt_period[new] = periods[t]
        adopted = adopted | new

    ii = np.concatenate([r[0] for r in dyad_rows]).astype(np.int64)
    jj = np.concatenate([r[1] for r in dyad_rows]).astype(np.int64)
    tt = np.concatenate([r[2] for r in dyad_rows]).astype(np.int64)
    fired = np.concatenate([r[3] for r in dyad_rows])
    adopt_now = np.concatenate([r[4] for r in dyad_rows])
    per = np.asarray(periods, dtype=np.int64)
    uarr = np.asarray(units, dtype=object)
    # national share on i's rows (i not adopted): adopters by t - 1 over the N - 1 others
    n_before = np.array([(adopt_period < p).sum() for p in per], dtype=float)
    cols: dict[str, object] = {"unit": uarr[ii].tolist(), "source": uarr[jj].tolist(),
                               "period": per[tt]}
    for k, a in dyad.items():
        cols[k] = a[tt, ii, jj]
    for k, a in recv.items():
        cols[k] = a[tt, ii]
    for k, a in src.items():
        cols[k] = a[tt, jj]
    cols["national_share"] = n_before[tt] / (n - 1)
    for k in same_group:
        cols[k] = np.stack([g[k] for g in g_hist])[tt, ii]
    cols["emulated"] = fired.astype(np.int64)
    cols["adopt_after_source"] = adopt_now.astype(np.int64)
    dyads = pl.DataFrame(cols)

    mi = np.concatenate([r[0] for r in mono_rows]).astype(np.int64)
    mt = np.concatenate([r[1] for r in mono_rows]).astype(np.int64)
    mcols: dict[str, object] = {"unit": uarr[mi].tolist(), "period": per[mt]}
    for k, a in recv.items():
        mcols[k] = a[mt, mi]
    mcols["national_share"] = n_before[mt] / (n - 1)
    for k in same_group:
        mcols[k] = np.stack([g[k] for g in g_hist])[mt, mi]
    mcols["innovated"] = np.concatenate([r[2] for r in mono_rows]).astype(np.int64)
    mcols["adopt"] = np.concatenate([r[3] for r in mono_rows]).astype(np.int64)
    mono = pl.DataFrame(mcols)

    done = np.nonzero(channel != "")[0]
    adoptions = pl.DataFrame({
        "unit": uarr[done].tolist(),
        "period": [None if channel[k] == "initial" else int(adopt_period[k]) for k in done],
        "channel": channel[done].tolist(),
    }, schema={"unit": pl.Utf8, "period": pl.Int64, "channel": pl.Utf8}).sort(
        ["period", "unit"], nulls_last=False)
    truth = {"coefs": coef_sets[None] if subgroup is None else coef_sets, "innovation": innov,
             "link": link, "seed": int(seed) if not isinstance(seed, np.random.SeedSequence) else None,
             "subgroup": subgroup}
    prov = {"process": "directed-dyad emulation (conditional risk set)", "link": link,
            "units": n, "periods": [periods[0], periods[-1]], "versions": package_versions()}
    return DyadicSimulation(adoptions=adoptions, dyads=dyads, units_at_risk=mono, truth=truth,
                            provenance=prov)

