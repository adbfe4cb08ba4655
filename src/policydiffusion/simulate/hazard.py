"""Discrete-time hazard DGP on a Study: Pr(adopt at t | at risk) = F(eta_it).

eta_it combines study covariates and the diffusion terms of
:mod:`policydiffusion.terms` (neighbours, region, national share, leaders, events,
exposure, ...). Each period the lagged terms are recomputed from the adoptions
simulated so far, so the process feeds back on itself exactly as the risk-set
builder would measure it afterwards. A term evaluates itself
(:meth:`~policydiffusion.terms.Term.simulate_values`, in the term's own module, with
numpy over the arrays of :class:`_Ctx`; tests/terms/test_simulate_values.py checks
every such term against ``monadic_riskset`` on simulated data); a term without that
method is computed by the real risk-set builder, period by period (exact, slower), on
the study with the adoptions simulated so far put in place directly (:func:`_adoption_frame`).
Facts of the whole risk set are not recomputed: a duration spline's knots are fixed once,
from the risk set the simulation starts from (:func:`_fix_knots`).
The simulated study returned is built through :func:`~policydiffusion.study.load_study`
once per simulation, so simulated adoptions are validated like any user data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.simulate._common import (check_names, formula_of, linear_predictor, make_rng,
                                              package_versions, split_term)
from policydiffusion.terms import Term
from policydiffusion.terms._simulation import NEVER as _NEVER
from policydiffusion.terms._time import DurationSpline, spline_knots_of

__all__ = ["simulate_hazard", "HazardSimulation"]


@dataclass(frozen=True)
class HazardSimulation:
    """Result of :func:`simulate_hazard`.

    Attributes
    ----------
    adoptions : polars.DataFrame
        ``unit``, ``period`` (simulated adopters only; ``initial`` ones have the
        period before the start).
    riskset : polars.DataFrame
        ``policy``, ``unit``, ``period``, every term and covariate the model used,
        ``adopt``: the monadic risk set the DGP drew from.
    study : Study
        The input study with its adoptions replaced by the simulated ones (one
        policy, read and validated by the study loader), ready for the risk-set
        builders.
    truth : dict
        ``coefs``, ``link``, ``seed``, ``terms`` (names).
    provenance : dict
        ``knots``: every knot (boundaries included) of each duration spline, by term
        name: the one set of knots the whole simulation used.
    """

    adoptions: pl.DataFrame
    riskset: pl.DataFrame
    study: object
    truth: dict
    provenance: dict = field(default_factory=dict)

    def formula(self, outcome: str = "adopt") -> str:
        """The correctly specified formula (exactly the DGP's terms)."""
        return formula_of(self.truth["coefs"], outcome)

    def cumulative(self) -> pl.DataFrame:
        """``period``, ``adopters`` (cumulative), ``share`` of the units."""
        n = self.truth["n_units"]
        per = pl.DataFrame({"period": self.truth["periods"]})
        counts = self.adoptions.group_by("period").agg(pl.len().alias("_k"))
        out = per.join(counts, on="period", how="left").with_columns(pl.col("_k").fill_null(0))
        n0 = self.truth["n_initial"]
        return out.select("period", (pl.col("_k").cum_sum() + n0).alias("adopters")).with_columns(
            (pl.col("adopters") / n).alias("share"))


# ----------------------------------------------------------------------------- context
class _Ctx:
    """Static pieces of the study, indexed for fast per-period term evaluation (the
    :class:`~policydiffusion.terms._simulation.SimulationContext` the terms read)."""

    def __init__(self, study, start: int, end: int) -> None:
        self.study = study
        self.units = study.unit_ids
        self.n = len(self.units)
        self.index = {u: k for k, u in enumerate(self.units)}
        ent = study.units.get_column("entry").to_numpy()
        ext = study.units.get_column("exit").to_numpy()
        self.entry = np.where(np.isnan(ent.astype(float)), -_NEVER, ent.astype(float))
        self.exit = np.where(np.isnan(ext.astype(float)), _NEVER, ext.astype(float))
        self.start, self.end = start, end
        self._cov: dict[str, dict[int, np.ndarray]] = {}
        self._edges: dict[str, tuple] = {}
        self._codes: dict[str, tuple[np.ndarray, int]] = {}

    def exist(self, t: int) -> np.ndarray:
        return (self.entry <= t) & (self.exit >= t)

    def values(self, column: str, t: int) -> np.ndarray:
        """Covariate ``column`` observed at period t (NaN where missing), or a static attribute."""
        cov = self.study.covariates
        if cov is not None and column in cov.columns and column not in ("unit", "period"):
            if column not in self._cov:
                by: dict[int, np.ndarray] = {}
                u = cov.get_column("unit").to_list()
                p = cov.get_column("period").to_numpy()
                v = cov.get_column(column).cast(pl.Float64).fill_null(np.nan).to_numpy()
                for uu, pp, vv in zip(u, p, v):
                    arr = by.setdefault(int(pp), np.full(self.n, np.nan))
                    if uu in self.index:
                        arr[self.index[uu]] = vv
                self._cov[column] = by
            return self._cov[column].get(t, np.full(self.n, np.nan))
        if column in self.study.units.columns and column not in ("unit", "name"):
            s = self.study.units.get_column(column)
            if s.dtype.is_numeric():
                return s.cast(pl.Float64).fill_null(np.nan).to_numpy()
            raise InvalidOptionError(f"unit attribute {column!r} is not numeric.")
        have = [c for c in (cov.columns if cov is not None else []) if c not in ("unit", "period")]
        raise InvalidOptionError(f"{column!r} is neither a covariate ({have or 'none'}) nor a "
                                 "numeric unit attribute.")

    def edges(self, relation: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(i, j, weight, period or -NEVER for static) of a relation, in stored order."""
        if relation not in self._edges:
            e = self.study.relation(relation).edges
            keep = [s in self.index and t in self.index for s, t in zip(e["source"], e["target"])]
            e = e.filter(pl.Series(keep))
            i = np.array([self.index[s] for s in e.get_column("source")], dtype=np.int64)
            j = np.array([self.index[s] for s in e.get_column("target")], dtype=np.int64)
            w = e.get_column("weight").to_numpy().astype(float)
            p = e.get_column("period").fill_null(-_NEVER).to_numpy().astype(np.int64)
            self._edges[relation] = (i, j, w, p)
        return self._edges[relation]

    def group_codes(self, column: str) -> tuple[np.ndarray, int]:
        """(code of each unit's value of attribute ``column``, -1 where missing; number of codes)."""
        if column not in self._codes:
            seen: dict[object, int] = {}
            g = self.study.units.get_column(column).to_list()
            codes = np.array([-1 if x is None else seen.setdefault(x, len(seen)) for x in g],
                             dtype=np.int64)
            self._codes[column] = (codes, len(seen))
        return self._codes[column]

    def relation_sums(self, relation: str, t: int, lag: int, adopted: np.ndarray, *,
                      weighted: bool = True,
                      values: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        i, j, w, p = self.edges(relation)
        m = (p == -_NEVER) | (p == t - lag)
        i, j, w = i[m], j[m], (w[m] if weighted else np.ones(int(m.sum())))
        if values is not None:
            w = w * values[j]
        num = np.bincount(i, weights=w * adopted[j], minlength=self.n)
        den = np.bincount(i, weights=w, minlength=self.n)
        return num, den


def _builder_columns(study, policy: str, terms: Sequence[Term], t: int, A: np.ndarray,
                     units: Sequence[str], start: int) -> dict[str, np.ndarray]:
    """Exact values of other terms at period t from the real risk-set builder.

    ``study`` carries the simulated policy in its policies table
    (:func:`_with_policy`); its adoptions up to t - 1 are put in place from ``A``.
    """
    from policydiffusion.riskset import monadic_riskset

    s = replace(study, adoptions=_adoption_frame(policy, units, A, t - 1))
    rs = monadic_riskset(s, policy=policy, terms=list(terms), start=start)
    rows = rs.data.filter(pl.col("period") == t)
    idx = {u: k for k, u in enumerate(units)}
    out: dict[str, np.ndarray] = {}
    for c in rows.columns:
        if c in ("policy", "unit", "period", "adopt") or c in study.units.columns or c.startswith("_"):
            continue
        arr = np.full(len(units), np.nan)
        for u, v in zip(rows.get_column("unit"), rows.get_column(c)):
            arr[idx[u]] = np.nan if v is None else float(v)
        out[c] = arr
    return out


def _fix_knots(study, policy: str, terms: Sequence[Term], A: np.ndarray, units: Sequence[str],
               start: int) -> tuple[list[Term], dict[str, list[float]]]:
    """``terms`` with every duration spline at one set of knots for the whole simulation,
    and those knots (boundaries included) by term name.

    Knots the data place (quantiles, smallest and largest duration) are resolved once,
    from the risk set the simulation starts from (``study`` with the seeds ``A`` as its
    adoptions): resolved each period from the adoptions simulated so far they would move
    as the simulation goes, and the simulated process would not be the stated model.
    """
    from policydiffusion.riskset import monadic_riskset

    open_ = [t for t in terms if isinstance(t, DurationSpline) and t.fixed_knots is None]
    knots: dict[str, list[float]] = {}
    if open_:
        s = replace(study, adoptions=_adoption_frame(policy, units, A, start - 1))
        knots = spline_knots_of(monadic_riskset(s, policy=policy, terms=open_,
                                                start=start).column_meta)
    fixed = [t.fixed(knots[t.name]) if any(t is o for o in open_) else t for t in terms]
    return fixed, {t.name: t.fixed_knots for t in fixed if isinstance(t, DurationSpline)}


def _as_pandas(frame: pl.DataFrame, *columns: str) -> pd.DataFrame:
    # built from lists: polars' to_pandas (pyarrow) would triple the loader's time here
    return pd.DataFrame({c: frame.get_column(c).to_list() for c in columns})


def _policy_rows(study, policy: str) -> pl.DataFrame:
    """The row of ``policy`` in the study's policies table (a new one if it has none)."""
    pol = study.policies.filter(pl.col("policy") == policy)
    if pol.height == 0:  # a new policy: a row of the study's own policies table
        pol = pl.concat([study.policies.clear(), pl.DataFrame({"policy": [policy]})],
                        how="diagonal_relaxed")
    return pol


def _with_policy(study, policy: str):
    """``study`` with ``policy`` as its only policy (and none of its adoptions yet)."""
    return replace(study, policies=_policy_rows(study, policy), adoptions=study.adoptions.clear())


def _adoption_frame(policy: str, units: Sequence[str], A: np.ndarray, upto: int) -> pl.DataFrame:
    """The adoptions of ``policy`` up to period ``upto`` (``A``: each unit's adoption
    period) as :func:`~policydiffusion.study.load_study` returns them (same columns,
    types and order; tests/simulate/test_hazard_adoption_state.py holds the two together).

    Built directly, not read: the simulation's own adoptions (a study unit, once, while it
    exists) need no reading each period; the study the simulation returns is read once
    (:func:`_with_adoptions`), which validates them all.
    """
    keep = np.nonzero(A <= upto)[0]
    periods = A[keep].tolist()
    return pl.DataFrame({"policy": [policy] * len(periods),
                         "unit": [units[k] for k in keep.tolist()], "period": periods,
                         "time": [str(p) for p in periods], "level": [None] * len(periods)},
                        schema={"policy": pl.Utf8, "unit": pl.Utf8, "period": pl.Int64,
                                "time": pl.Utf8, "level": pl.Float64}
                        ).sort(["policy", "period", "unit"])


def _with_adoptions(study, policy: str, units: Sequence[str], A: np.ndarray, upto: int, *,
                    start: int | None = None, end: int | None = None):
    """``study`` with the adoptions of ``policy`` up to period ``upto`` (``A``: each unit's
    adoption period) in place of its own, and the window ``start..end`` (default: the
    study's).

    The adoptions are read by :func:`~policydiffusion.study.load_study` like any user
    data (an unknown unit, an adoption outside a unit's entry/exit or a unit adopting
    twice is a StudyDataError naming the row), at ``period`` granularity: the study's
    integer periods are its own encoding whatever its granularity. Units adopting
    before ``start`` (seeds) stay, as prior adopters.
    """
    from policydiffusion.study import load_study

    start = study.start if start is None else start
    end = study.end if end is None else end
    pol = _policy_rows(study, policy)
    keep = A <= upto
    if not keep.any():  # nothing to read (the loader refuses an empty table)
        return replace(study, adoptions=study.adoptions.clear(), policies=pol, start=start, end=end)
    periods = A[keep].tolist()
    adopt = pd.DataFrame({"policy": [policy] * len(periods),
                          "unit": [u for u, k in zip(units, keep) if k], "time": periods})
    loaded = load_study(adopt, units=_as_pandas(study.units, "unit", "entry", "exit"),
                        policies=_as_pandas(pol, "policy", "opening", "end"), granularity="period",
                        start=min(start, *periods), end=max(end, *periods))
    return replace(study, adoptions=loaded.adoptions, policies=pol, start=start, end=end)


# ----------------------------------------------------------------------------- public
def simulate_hazard(
    study,
    *,
    coefs: Mapping[str, float],
    terms: Sequence[Term] = (),
    policy: str = "simulated",
    link: str = "logit",
    start: int | None = None,
    end: int | None = None,
    initial: Sequence[str] = (),
    seed: int,
) -> HazardSimulation:
    """Simulate adoptions of one policy from a discrete-time hazard model on a Study.

    Parameters
    ----------
    study
        A :class:`~policydiffusion.study.Study` (units, entry/exit, covariates,
        relations, events); its own adoptions are ignored.
    coefs
        Variable -> coefficient; variables are term names (``terms``), study
        covariates (at t) or numeric unit attributes; ``"Intercept"`` for the
        constant and ``"a:b"`` for products.
    terms
        Diffusion terms from :mod:`policydiffusion.terms` (e.g.
        ``T.neighbors_adopted()``, ``T.national_share()``). Adoption-based terms need
        ``lag >= 1``.
    policy
        Id of the simulated policy.
    link
        ``logit``, ``probit`` or ``cloglog``.
    start, end
        First and last period at risk (default: the study window).
    initial
        Units that adopted before ``start`` (seeds).
    seed
        Seed of ``numpy.random.default_rng``; each period draws one uniform per unit.

    Returns
    -------
    HazardSimulation

    Notes
    -----
    A :func:`~policydiffusion.terms.duration_spline` has one set of knots for the whole
    simulation: knots the data place (``knots=3``, or interior positions without
    ``boundary=``) are resolved once, from the risk set the simulation starts from (every
    unit at risk from ``start``, the ``initial`` seeds adopted), and every knot, boundaries
    included, is in ``provenance["knots"]`` by term name. A recovery fit of the simulated
    data with quantile knots places its knots at the *simulated* data's quantiles, so to
    recover the spline coefficients build its risk set with these knots:
    ``duration_spline(knots=k[1:-1], boundary=(k[0], k[-1]))``.

    Examples
    --------
    >>> from policydiffusion.simulate.designs import synthetic_study
    >>> study = synthetic_study(40, 10, seed=1)
    >>> sim = simulate_hazard(study, coefs={"Intercept": -2.5, "x": 0.5}, seed=1)
    >>> sim.formula()
    'adopt ~ x'
    >>> sim.riskset.columns
    ['policy', 'unit', 'period', 'x', 'adopt']
    """
    from policydiffusion.estimate._links import LINKS, cdf

    check_choice("link", link, LINKS)
    rng = make_rng(seed)
    start = study.start if start is None else int(start)
    end = study.end if end is None else int(end)
    if end < start:
        raise InvalidOptionError(f"end ({end}) is before start ({start}).")
    ctx = _Ctx(study, start, end)
    terms = list(terms)
    names = [t.name for t in terms]
    if len(set(names)) != len(names):
        raise InvalidOptionError(f"two terms share a column name: {names}; rename one with the builder's name=.")
    for term in terms:
        if term.reads_same_period_adoptions():
            raise InvalidOptionError(f"term {term.name!r} uses other units' adoptions with lag 0; "
                                     "a simulation needs lag >= 1 (information up to t-1).")
    bad_init = [u for u in initial if u not in ctx.index]
    if bad_init:
        raise InvalidOptionError(f"initial adopters not among the units: {bad_init}")

    # which names are available: probe every term once at the start period
    A = np.full(ctx.n, _NEVER, dtype=np.int64)
    for u in initial:
        A[ctx.index[u]] = start - 1
    sim_base = _with_policy(study, policy)
    terms, knots = _fix_knots(sim_base, policy, terms, A, ctx.units, start)
    probe = {id(term): term.simulate_values(ctx, start, A) for term in terms}
    fast = {k: v is not None for k, v in probe.items()}
    slow = [term for term in terms if not fast[id(term)]]
    term_cols: set[str] = {"duration"}
    for v in probe.values():
        term_cols |= set(v or {})
    first_slow = (_builder_columns(sim_base, policy, slow, start, A, ctx.units, start)
                  if slow else {})
    term_cols |= set(first_slow)
    base = {p for n in coefs for p in split_term(n)}
    cov_cols = sorted(b for b in base if b not in term_cols and b != "Intercept")
    for c in cov_cols:
        ctx.values(c, start)  # raises a clear error for unknown names
    check_names(coefs, term_cols | set(cov_cols), "hazard")

    rows: dict[str, list] = {"unit": [], "period": []}
    used = [c for c in sorted(term_cols | set(cov_cols)) if c != "duration" or "duration" in base
            or "duration" in names]
    for c in used:
        rows[c] = []
    rows["adopt"] = []
    units = np.asarray(ctx.units, dtype=object)
    for t in range(start, end + 1):
        u = rng.random(ctx.n)
        at_risk = ctx.exist(t) & (A > t - 1)
        if not at_risk.any():  # every unit has adopted (or none exists): no rows this period
            continue
        cols: dict[str, np.ndarray] = {"duration": t - np.maximum(start, ctx.entry) + 1.0}
        for term in terms:
            if fast[id(term)]:
                cols.update(term.simulate_values(ctx, t, A) or {})
        if slow:  # at the start, A is still what the probe saw
            cols.update(first_slow if t == start else
                        _builder_columns(sim_base, policy, slow, t, A, ctx.units, start))
        for c in cov_cols:
            cols[c] = ctx.values(c, t)
        miss = [c for c in used if np.isnan(cols[c][at_risk]).any()]
        if miss:
            who = units[at_risk & np.isnan(cols[miss[0]])][:5].tolist()
            raise InvalidOptionError(f"{miss[0]!r} is missing in period {t} for units {who}; the "
                                     "simulation needs a value for every unit at risk.")
        eta = linear_predictor(coefs, lambda name: cols[name], (ctx.n,))
        new = at_risk & (u < cdf(link, eta))
        k = np.nonzero(at_risk)[0]
        rows["unit"].extend(units[k].tolist())
        rows["period"].extend([t] * k.size)
        for c in used:
            rows[c].extend(cols[c][k].tolist())
        rows["adopt"].extend(new[k].astype(int).tolist())
        A[new] = t
    riskset = pl.DataFrame(rows, schema={"unit": pl.Utf8, "period": pl.Int64,
                                         **{c: pl.Float64 for c in used}, "adopt": pl.Int64})
    riskset = riskset.select(pl.lit(policy).alias("policy"), pl.all())
    done = np.nonzero((A >= start) & (A <= end))[0]
    adoptions = pl.DataFrame({"unit": units[done].tolist(), "period": A[done].tolist()},
                             schema={"unit": pl.Utf8, "period": pl.Int64}).sort(["period", "unit"])
    sim_study = _with_adoptions(study, policy, ctx.units, A, end, start=start, end=end)
    truth = {"coefs": dict(coefs), "link": link, "seed": int(seed), "terms": names,
             "n_units": ctx.n, "n_initial": len(initial), "periods": list(range(start, end + 1)),
             "initial": list(initial)}
    prov = {"process": "discrete-time hazard", "link": link, "policy": policy,
            "window": [start, end], "terms_by_builder": [t.name for t in slow],
            "knots": knots, "versions": package_versions()}
    return HazardSimulation(adoptions=adoptions, riskset=riskset, study=sim_study, truth=truth,
                            provenance=prov)
