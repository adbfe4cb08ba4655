"""Heterogeneity-robust staggered-adoption estimators.

Callaway & Sant'Anna (2021) group-time effects are computed here transparently
(no covariates: each ATT(g, t) is a 2x2 difference in mean changes), with the
analytic influence-function standard errors of R ``did`` (``bstrap = FALSE``),
including the estimation of the aggregation weights. Sun & Abraham (2021)
interaction-weighted effects come from pyfixest's saturated event study.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from policydiffusion.effects._design import adoption_columns, as_pandas, period_numbers
from policydiffusion.effects._event_study import covariance_rank, no_test_reasons
from policydiffusion.errors import (ExclusionWarning, InvalidOptionError, Problem, StudyDataError,
                                    check_choice)

__all__ = ["callaway_santanna", "GroupTimeResult", "sun_abraham", "cohorts"]

NO_COMPARISON = "no comparison units"


def one_unit_reason(cohort: float) -> str:
    """Why an effect resting on one adopting unit has no standard error.

    Examples
    --------
    >>> one_unit_reason(5.0)[:38]
    'one adopting unit only (cohort 5): its'
    """
    return (f"one adopting unit only (cohort {cohort:g}): its standard error is not identified "
            "(the variance of the adopters' change cannot be estimated from one unit)")


def _tested(att: np.ndarray, se: np.ndarray, why: list[str]) -> np.ndarray:
    """Two-sided normal p-values, NaN where a reason says there is no test."""
    with np.errstate(divide="ignore", invalid="ignore"):
        p = 2 * stats.norm.sf(np.abs(np.asarray(att) / np.asarray(se)))
    return np.where([w == "" for w in why], p, np.nan)


def cohorts(panel: pd.DataFrame, adoptions: pd.DataFrame, *, unit: str, time: str,
            policy: str | None = None) -> pd.Series:
    """First adoption period of each panel unit (NaN for never-adopters), indexed by unit.

    Examples
    --------
    >>> p = pd.DataFrame({"unit": ["a", "a", "b", "b"], "t": [1, 2, 1, 2]})
    >>> cohorts(p, pd.DataFrame({"policy": ["x"], "unit": ["a"], "t": [2]}), unit="unit", time="t")
    unit
    a    2.0
    b    NaN
    Name: cohort, dtype: float64
    """
    a = as_pandas(adoptions, "adoptions")
    ucol, tcol = adoption_columns(a, unit, time)
    pols = pd.unique(a["policy"])
    if policy is None:
        if len(pols) > 1:
            raise InvalidOptionError(f"adoptions hold {len(pols)} policies; name one with policy=.")
    else:
        a = a[a["policy"] == policy]
    first = period_numbers(pd.to_datetime(a[tcol]) if pd.api.types.is_datetime64_any_dtype(panel[time])
                           else a[tcol]).groupby(a[ucol]).min()
    units = pd.Index(pd.unique(panel[unit]), name=unit)
    return first.reindex(units).astype(float).rename("cohort")


@dataclass(frozen=True)
class GroupTimeResult:
    """Group-time ATTs with their influence functions and aggregations.

    ``att_gt`` has one row per (cohort, period) with ``att``, ``std_error``,
    ``p_value`` and ``se_not_identified`` (why a cell has no standard error or no test;
    empty); :meth:`aggregate` gives event-time (``"dynamic"``) or cohort (``"group"``)
    summaries. ``influence`` is the n_units x n_pairs influence-function matrix
    (scaled so that the variance of a combination ``w`` is ``mean((IF w)^2) / n``).
    """

    att_gt: pd.DataFrame
    influence: np.ndarray
    group_share: Mapping[float, float]
    unit_cohort: np.ndarray
    control: str
    n_units: int
    #: (cohort, period, reason) of each group-time cell that could not be estimated
    skipped: tuple[tuple[float, float, str], ...] = ()

    def notes(self) -> list[str]:
        """Table notes: the group-time cells left out, counted by reason.

        Examples
        --------
        >>> r = GroupTimeResult(pd.DataFrame(), np.zeros((0, 0)), {}, np.zeros(0), "notyet", 0,
        ...                     skipped=((5.0, 6.0, NO_COMPARISON),))
        >>> r.notes()
        ['1 group-time cell not estimated (no comparison units): cohort 5 in period 6']
        """
        by: dict[str, list[str]] = {}
        for g, t, why in self.skipped:
            by.setdefault(why, []).append(f"cohort {g:g} in period {t:g}")
        out = [f"{len(cells)} group-time cell{'s' if len(cells) > 1 else ''} not estimated "
               f"({why}): {', '.join(cells)}" for why, cells in by.items()]
        if "se_not_identified" in self.att_gt:
            marked = self.att_gt.loc[self.att_gt["se_not_identified"] != "", "se_not_identified"]
            for why, n in marked.value_counts(sort=False).items():
                out.append(f"no standard error, test or interval for {n} group-time "
                           f"cell{'s' if n > 1 else ''}: {why}")
        return out

    def tidy(self) -> pd.DataFrame:
        """The group-time effects: cohort, period, event_time, att, std_error, p_value and
        se_not_identified (why a cell has no standard error or no test; empty)."""
        return self.att_gt.copy()

    def _se(self, inf: np.ndarray) -> float:
        return float(np.sqrt(np.mean(inf ** 2) / self.n_units))

    def _marked(self, se: float, cohorts: np.ndarray) -> tuple[float, str]:
        # One adopting unit behind an effect: its deviation from its cohort's mean is 0
        # by construction, so the influence function holds only the comparison side.
        # With two or more adopters (also in different cohorts: the estimated weights'
        # influence carries the between-cohort part) the adopters' variance is there.
        if sum(int(np.sum(self.unit_cohort == g)) for g in set(cohorts)) == 1:
            return float("nan"), one_unit_reason(float(cohorts[0]))
        return se, no_test_reasons([se])[0]

    def _wif(self, keep: np.ndarray) -> np.ndarray:
        # Influence of estimating the cohort-share weights (R did's wif()).
        g = self.att_gt["cohort"].to_numpy()[keep]
        pg = np.array([self.group_share[x] for x in g])
        ind = (self.unit_cohort[:, None] == g[None, :]).astype(float) - pg[None, :]
        return ind / pg.sum() - ind.sum(axis=1, keepdims=True) * (pg / pg.sum() ** 2)[None, :]

    def aggregate(self, by: str = "dynamic") -> pd.DataFrame:
        """Aggregate ATT(g, t): ``"dynamic"`` by event time e = t - g (cohort-share
        weights, as R ``aggte(type = "dynamic")``) or ``"group"`` by cohort (mean over
        its post-adoption periods, as ``aggte(type = "group")``), with analytic SEs.

        An aggregate that rests on one adopting unit (a cohort of one, or an event time
        only a cohort of one reaches) has no standard error, test or interval, and its
        ``se_not_identified`` column says why (as a group-time cell of a cohort of one);
        one that pools two or more adopters keeps its SE (the influence of the estimated
        cohort weights carries the variation between cohorts), as in R ``did``.
        """
        check_choice("by", by, ("dynamic", "group"))
        t = self.att_gt
        att = t["att"].to_numpy()
        rows = []
        if by == "dynamic":
            for e in sorted(t["event_time"].unique()):
                keep = (t["event_time"] == e).to_numpy()
                pg = np.array([self.group_share[x] for x in t.loc[keep, "cohort"]])
                w = pg / pg.sum()
                inf = self.influence[:, keep] @ w + self._wif(keep) @ att[keep]
                rows.append((int(e), float(att[keep] @ w),
                             *self._marked(self._se(inf), t.loc[keep, "cohort"].to_numpy())))
        else:
            for g in sorted(t["cohort"].unique()):
                keep = ((t["cohort"] == g) & (t["event_time"] >= 0)).to_numpy()
                if not keep.any():
                    continue
                w = np.full(keep.sum(), 1.0 / keep.sum())
                rows.append((g, float(att[keep] @ w),
                             *self._marked(self._se(self.influence[:, keep] @ w), np.array([g]))))
        key = "event_time" if by == "dynamic" else "cohort"
        out = pd.DataFrame(rows, columns=[key, "att", "std_error", "se_not_identified"])
        out.insert(3, "p_value", _tested(out["att"], out["std_error"],
                                         out["se_not_identified"].tolist()))
        return out

    def pretrend_test(self, *, zero_tol: float = 1e-10, nonzero_tol: float = 1e-8
                      ) -> dict[str, object]:
        """Joint Wald test that every pre-adoption ATT(g, t) is zero (chi-squared).

        Uses the influence functions for the joint covariance, as R ``did``'s pre-test.
        Cells without an identified standard error (a cohort of one) are left out and
        counted in ``n_excluded``. The covariance is inverted on its eigenvectors:
        eigenvalues at most ``zero_tol`` times the largest are rounding noise (a cell that
        is a combination of others; taken as 0, and ``df`` is the number kept, which
        ``note`` states), those above ``nonzero_tol`` times it are real; with any in
        between the rank is ambiguous and the test is not computed (NaN, with a
        ``reason``) rather than let rounding set its degrees of freedom.

        Returns statistic, df, p_value, n_tested, n_excluded, note and reason ('' if none).

        Examples
        --------
        >>> r = GroupTimeResult(pd.DataFrame({"cohort": [3.0, 3.0], "event_time": [-2, -1],
        ...     "att": [0.1, 0.2], "std_error": [0.1, 0.1], "se_not_identified": ["", ""]}),
        ...     np.array([[1.0, 1.0], [-1.0, -1.0]]), {3.0: 0.5}, np.array([3.0, np.inf]),
        ...     "never", 2)
        >>> t = r.pretrend_test()
        >>> t["df"], t["note"][:52]
        (1, 'the covariance of the 2 tested effects has rank 1 (e')
        """
        pre = (self.att_gt["event_time"] < 0).to_numpy()
        if not pre.any():
            raise InvalidOptionError("no pre-adoption group-time effects to test.")
        why = (self.att_gt["se_not_identified"].to_numpy() if "se_not_identified" in self.att_gt
               else np.full(len(pre), ""))
        use = pre & (why == "")
        k = int(use.sum())
        out: dict[str, object] = {"statistic": float("nan"), "df": k, "p_value": float("nan"),
                                  "n_tested": k, "n_excluded": int(pre.sum()) - k,
                                  "note": "", "reason": ""}
        if out["n_excluded"]:
            out["note"] = (f"{out['n_excluded']} pre-adoption cells left out: "
                           + "; ".join(sorted(set(why[pre & ~use]))))
        if not k:
            out["reason"] = "no pre-adoption cell has an identified standard error"
            return out
        b = self.att_gt["att"].to_numpy()[use]
        inf = self.influence[:, use]
        lam, vec, real, why = covariance_rank(inf.T @ inf / self.n_units ** 2,
                                              what=f"{k} tested effects", zero_tol=zero_tol,
                                              nonzero_tol=nonzero_tol)
        if why:
            out["reason"] = why
            return out
        z = vec[:, real].T @ b
        stat = float(np.sum(z ** 2 / lam[real]))
        df = int(real.sum())
        if df < k:
            out["note"] = "; ".join(filter(None, [
                f"the covariance of the {k} tested effects has rank {df} (eigenvalues at most "
                f"{zero_tol:g} times the largest taken as 0): chi-squared on {df} df",
                str(out["note"] or "")]))
        out.update(statistic=stat, df=df, p_value=float(stats.chi2.sf(stat, df)))
        return out


def callaway_santanna(panel: pd.DataFrame, adoptions: pd.DataFrame, *, outcome: str, unit: str,
                      time: str, policy: str | None = None, control: str = "never",
                      ) -> GroupTimeResult:
    """Callaway & Sant'Anna group-time average treatment effects (no covariates).

    ATT(g, t) compares the change in the outcome of cohort g (units first adopting
    in period g) with that of the comparison group: never-adopters
    (``control="never"``) or units not yet adopting by max(t, base)
    (``"notyet"``). Post-adoption cells use as base the last period before g;
    pre-adoption cells the period before t (R ``did``'s default ``base_period =
    "varying"``); "before" means the previous period of the panel, so gapped periods
    (every other year, monthly dates) work as in R ``did``. The panel must be balanced.
    Units adopting in the first period are left out (no pre-period), as R ``did``
    does. A cell with no comparison units (``"notyet"`` once all have adopted) is not
    estimated: it is listed in ``skipped`` and :meth:`GroupTimeResult.notes`, with an
    :class:`~policydiffusion.errors.ExclusionWarning`.

    A cohort of ONE adopting unit keeps its ATT(g, t) but gets no standard error, test
    or interval (``se_not_identified`` says why, and the notes count it): the influence
    function of its 2x2 comparison is 0 for the one adopter, so the analytic SE holds
    the comparison units' variance only, and a true null was rejected in 73% of 200
    simulated panels at 5% (a cohort of one beside one of ten and 30 never-adopters;
    ``benchmarks/bench_cs_singleton.py``). Callaway & Sant'Anna
    (2021)'s asymptotics hold each cohort's share fixed as units grow, which a cohort of
    one is not; R ``did`` only warns about groups under 5 units ("Be aware that there are
    some small groups") and prints the comparison-only SE. Aggregates pooling two or more
    adopters keep their SE (see :meth:`GroupTimeResult.aggregate`); the pre-trend test
    leaves the marked cells out and counts them. A standard error of exactly 0 gets no
    test either.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = pd.DataFrame({"unit": np.repeat(range(60), 5), "t": np.tile(range(1, 6), 60)})
    >>> a = pd.DataFrame({"policy": "x", "unit": range(40), "t": [3] * 20 + [4] * 20})
    >>> post = p["t"] >= p["unit"].map(dict(zip(a["unit"], a["t"]))).fillna(99)
    >>> p["y"] = p["t"] + 2.0 * post + rng.normal(0, 0.01, len(p))
    >>> r = callaway_santanna(p, a, outcome="y", unit="unit", time="t")
    >>> r.aggregate("dynamic").query("event_time >= 0")["att"].round(1).tolist()
    [2.0, 2.0, 2.0]
    """
    check_choice("control", control, ("never", "notyet"))
    panel = as_pandas(panel, "panel")
    panel[time] = period_numbers(panel[time])
    wide = panel.pivot_table(index=unit, columns=time, values=outcome, aggfunc="first", dropna=False)
    if wide.isna().any().any() or len(wide) * wide.shape[1] != len(panel):
        raise StudyDataError([Problem("panel", None, outcome, None,
                                      "callaway_santanna needs a balanced panel with no missing "
                                      "outcome (one row per unit and period)")])
    periods = np.array(sorted(wide.columns), dtype=float)
    adoptions = as_pandas(adoptions, "adoptions")
    acol = adoption_columns(adoptions, unit, time)[1]
    if pd.api.types.is_datetime64_any_dtype(adoptions[acol]):
        adoptions[acol] = period_numbers(adoptions[acol])
    g_unit = cohorts(panel, adoptions, unit=unit, time=time, policy=policy).reindex(wide.index)
    first = periods[0]
    dropped = int((g_unit <= first).sum())
    if dropped:
        warnings.warn(f"{dropped} units adopting in the first period have no pre-period and are "
                      "left out", ExclusionWarning, stacklevel=2)
    keep_units = ~(g_unit <= first).to_numpy()
    y = wide.to_numpy(dtype=float)[keep_units]
    g = g_unit.to_numpy()[keep_units]
    n = len(g)
    never = np.isnan(g)
    g_code = np.where(never, np.inf, g)
    col = {p: i for i, p in enumerate(periods)}
    rows, infs, skipped, why = [], [], [], []
    for gg in sorted(set(g[~never])):
        treat = g_code == gg
        for i, t in enumerate(periods[1:], start=1):
            # the previous period of the panel, not t - 1: gapped periods as R did
            base = periods[periods < gg][-1] if t >= gg else periods[i - 1]
            if control == "never":
                ctrl = never
            else:
                ctrl = (g_code > max(t, base)) & ~treat
            if ctrl.sum() == 0:
                skipped.append((float(gg), float(t), NO_COMPARISON))
                continue
            dy = y[:, col[t]] - y[:, col[base]]
            mu1, mu0 = dy[treat].mean(), dy[ctrl].mean()
            p1, p0 = treat.mean(), ctrl.mean()
            inf = np.where(treat, (dy - mu1) / p1, 0.0) - np.where(ctrl, (dy - mu0) / p0, 0.0)
            se = float(np.sqrt(np.mean(inf ** 2) / n))
            # one adopting unit: (dy - mu1) is 0 for it, so the SE holds the comparison
            # side only (a true null was rejected in 73% of 200 simulated panels at 5%)
            why.append(one_unit_reason(gg) if treat.sum() == 1 else no_test_reasons([se])[0])
            rows.append((gg, t, t - gg, mu1 - mu0, np.nan if treat.sum() == 1 else se))
            infs.append(inf)
    if not rows:
        raise InvalidOptionError("no cohort has both a pre-period and comparison units.")
    if skipped:
        warnings.warn(f"{len(skipped)} group-time cells have no comparison units and are not "
                      "estimated (listed in the result's skipped)", ExclusionWarning,
                      stacklevel=2)
    att = pd.DataFrame(rows, columns=["cohort", "period", "event_time", "att", "std_error"])
    att["p_value"] = _tested(att["att"], att["std_error"], why)
    att["se_not_identified"] = why
    shares = {float(x): float(np.mean(g_code == x)) for x in set(g[~never])}
    return GroupTimeResult(att, np.column_stack(infs), shares, g_code, control, n,
                           skipped=tuple(skipped))


def sun_abraham(panel: pd.DataFrame, adoptions: pd.DataFrame, *, outcome: str, unit: str, time: str,
                policy: str | None = None, cluster: str | None = None) -> pd.DataFrame:
    """Sun & Abraham interaction-weighted event-time effects (pyfixest's saturated event study).

    Cohort x event-time interactions (reference: event time -1 and never-adopters)
    with unit and period fixed effects, averaged over cohorts with their shares
    among units at each event time; SEs clustered by ``cluster`` (default the unit).
    Returns event_time, estimate, std_error, p_value, conf_low, conf_high and
    se_not_identified (why an event time has no standard error or no test; empty).

    An event time that ONE adopting unit reaches (only a cohort of one gets there) keeps
    its estimate but gets no standard error, test or interval, as in
    :func:`callaway_santanna`: its interaction is nonzero in one cluster only, so the
    clustered sandwich holds no variation of the adopter's own and prints a number from
    the comparison units alone (a true null was rejected in 77.0% and 71.5% of 200
    simulated panels at 5% at the two event times only a cohort of one reaches, beside a
    cohort of ten and 30 never-adopters; ``benchmarks/bench_sa_singleton.py``). The same
    holds when the adopters reaching it all lie in one cluster of ``cluster``. Event times
    pooling adopters of two or more clusters keep pyfixest's SE and test (unchanged);
    with few adopters these are oversized too (6.5-11% at 5% beside a cohort of one in the
    same simulation, 4-9% without it; docs/effects.md).
    There is no joint (pre-trend) test here: pyfixest's aggregation gives no covariance of
    the event-time effects (see :meth:`GroupTimeResult.pretrend_test`).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = pd.DataFrame({"unit": np.repeat(range(31), 5), "t": np.tile(range(1, 6), 31)})
    >>> a = pd.DataFrame({"policy": "x", "unit": [0] + list(range(1, 11)), "t": [2] + [4] * 10})
    >>> p["y"] = rng.normal(size=len(p))
    >>> r = sun_abraham(p, a, outcome="y", unit="unit", time="t")
    >>> r.loc[r["event_time"] == 3, "se_not_identified"].iloc[0][:38]
    'one adopting unit only (cohort 2): its'
    >>> r.loc[r["event_time"] == 1, "std_error"].notna().item()
    True
    """
    out, d, names = _sun_abraham_fit(panel, adoptions, outcome=outcome, unit=unit, time=time,
                                     policy=policy, cluster=cluster)
    nested = [one_cluster_reason(d, e, cluster, cluster_names=names) for e in out["event_time"]]
    out.loc[[n != "" for n in nested], "std_error"] = np.nan
    why = [n or r for n, r in zip(nested, no_test_reasons(out["std_error"]))]
    out.loc[[w != "" for w in why], ["p_value", "conf_low", "conf_high"]] = np.nan
    out["se_not_identified"] = why
    return out


def one_cluster_reason(d: pd.DataFrame, event_time: int, cluster: str | None, *,
                       cluster_names: Sequence) -> str:
    """Why the effect at ``event_time`` has no identified clustered standard error (its
    adopters are one unit, or lie in one cluster), '' otherwise.

    ``d`` holds a row per unit and period with ``y``, ``unit``, ``period``, the cohort
    ``g`` (0 for never-adopters) and the cluster code ``cl``, the position of its label
    in ``cluster_names``.

    Examples
    --------
    >>> d = pd.DataFrame({"y": 0.0, "unit": [1, 1, 2, 2], "period": [1, 2, 1, 2],
    ...                   "g": [2, 2, 0, 0], "cl": [0, 0, 1, 1]})
    >>> one_cluster_reason(d, 0, None, cluster_names=["a", "b"])[:38]
    'one adopting unit only (cohort 2): its'
    >>> one_cluster_reason(d, 1, None, cluster_names=["a", "b"])
    ''
    """
    at = d[(d["g"] > 0) & d["y"].notna() & (d["period"] - d["g"] == event_time)]
    if at["unit"].nunique() == 1:
        return one_unit_reason(float(at["g"].iloc[0]))
    codes = pd.unique(at["cl"])
    if cluster is not None and len(codes) == 1:
        return (f"the adopters reaching event time {event_time} are in one cluster of "
                f"{cluster} only ({cluster_names[codes[0]]}): its cluster-robust standard error is not "
                "identified")
    return ""


def _sun_abraham_fit(panel: pd.DataFrame, adoptions: pd.DataFrame, *, outcome: str, unit: str,
                     time: str, policy: str | None, cluster: str | None
                     ) -> tuple[pd.DataFrame, pd.DataFrame, pd.Index]:
    """pyfixest's aggregated saturated event study as it prints it, the data it fit and
    the cluster labels (by the code ``cl`` that the data hold)."""
    from policydiffusion.effects._fixest import pyfixest, quiet_fixest

    pf = pyfixest()
    panel = as_pandas(panel, "panel")
    g = cohorts(panel, adoptions, unit=unit, time=time, policy=policy)
    d = pd.DataFrame({"y": panel[outcome].to_numpy(dtype=float),
                      "unit": pd.factorize(panel[unit])[0],
                      "period": period_numbers(panel[time]).to_numpy()})
    d["g"] = panel[unit].map(g).fillna(0).to_numpy()
    d["cl"], names = pd.factorize(panel[cluster] if cluster else panel[unit])
    with quiet_fixest():
        fit = pf.event_study(d, yname="y", idname="unit",
                             tname="period", gname="g", cluster="cl", estimator="saturated")
        agg = fit.aggregate()
    out = pd.DataFrame({"event_time": agg.index.astype(float).astype(int),
                        "estimate": agg["Estimate"].astype(float).to_numpy(),
                        "std_error": agg["Std. Error"].astype(float).to_numpy(),
                        "p_value": agg["Pr(>|t|)"].astype(float).to_numpy(),
                        "conf_low": agg["2.5%"].astype(float).to_numpy(),
                        "conf_high": agg["97.5%"].astype(float).to_numpy()})
    return out.sort_values("event_time").reset_index(drop=True), d, names
