"""Parameter recovery and power: simulate-then-fit, many times.

``recovery`` repeats (simulate with a seed, fit the correctly specified model) and
reports, per parameter, the bias, RMSE and the share of 95% intervals that cover the
truth. ``power_analysis`` runs the same loop over a grid of designs (effect sizes,
numbers of units and periods) and reports the share of fits in which a term is
significant. Seeds of the repetitions are drawn from ``SeedSequence(seed)`` so a run
is reproducible and repetitions are independent.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError, PolicyDiffusionError, raise_problems
from policydiffusion.estimate._hazard import IN_SEPARATED_FIT, SEPARATED
from policydiffusion.simulate._common import package_versions

__all__ = ["recovery", "RecoveryResult", "power_analysis", "PowerResult", "fit_simulation",
           "rep_seeds"]


def rep_seeds(seed: int, reps: int) -> list[int]:
    """Independent 63-bit seeds for ``reps`` repetitions (from SeedSequence(seed)).

    Examples
    --------
    >>> rep_seeds(1, 3) == rep_seeds(1, 3), len(set(rep_seeds(1, 100)))
    (True, 100)
    """
    ss = np.random.SeedSequence(seed)
    return [int(c.generate_state(1, dtype=np.uint64)[0] >> np.uint64(1)) for c in ss.spawn(reps)]


def _data_and_formula(sim: Any, outcome: str | None) -> tuple[Any, str, Mapping[str, float], str]:
    """Estimation rows, formula, true coefficients and link of a simulation result."""
    if hasattr(sim, "dyads"):  # DyadicSimulation
        return sim.dyads, sim.formula(outcome or "emulated"), sim.truth["coefs"], sim.truth["link"]
    if hasattr(sim, "riskset"):  # HazardSimulation
        return sim.riskset, sim.formula(outcome or "adopt"), sim.truth["coefs"], sim.truth["link"]
    raise InvalidOptionError("simulate must return a HazardSimulation or DyadicSimulation.")


def fit_simulation(sim: Any, *, outcome: str | None = None, vcov: Any = "classical") -> pd.DataFrame:
    """Fit the correctly specified model to a simulation; tidy table plus ``truth``.

    Uses :func:`policydiffusion.estimate.fit_hazard`.

    Examples
    --------
    >>> from policydiffusion.simulate import simulate_hazard, synthetic_study
    >>> sim = simulate_hazard(synthetic_study(40, 10, seed=1), coefs={"Intercept": -2.5, "x": 0.8},
    ...                       seed=2)
    >>> fit_simulation(sim)[["term", "truth"]].values.tolist()
    [['Intercept', -2.5], ['x', 0.8]]
    """
    data, formula, truth, link = _data_and_formula(sim, outcome)
    tidy = _fit(data, formula, link, vcov)
    tidy["truth"] = tidy["term"].map(dict(truth))
    return tidy


def _fit(data: Any, formula: str, link: str, vcov: Any) -> pd.DataFrame:
    from policydiffusion.estimate import fit_hazard

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fit_hazard(data, formula, link=link, vcov=vcov).tidy()


@dataclass(frozen=True)
class RecoveryResult:
    """Per-parameter recovery over repeated simulate-then-fit.

    ``table`` columns: term, truth, mean_estimate, bias, rmse, sd_estimate,
    mean_std_error, median_std_error (robust to the odd quasi-separated fit), coverage
    (share of 95% intervals covering the truth), power
    (share with p < alpha), reps (successful fits). ``draws`` holds every fit.
    Failed repetitions are left out of every column and said in ``failures`` (with
    the fit's reason for each term it could not estimate); ``n_separated`` counts
    those whose fit had (quasi-)complete separation.
    """

    table: pd.DataFrame
    draws: pd.DataFrame
    n_failed: int
    failures: tuple[str, ...] = ()
    provenance: dict = field(default_factory=dict)
    n_separated: int = 0

    def tidy(self) -> pd.DataFrame:
        """The per-parameter table."""
        return self.table.copy()

    def summary(self) -> str:
        """The table as text, with the number of failed fits."""
        head = (f"Parameter recovery: {int(self.table['reps'].max()) if len(self.table) else 0} "
                f"fits, {self.n_failed} failed"
                + (f" ({self.n_separated} separated)" if self.n_separated else ""))
        return head + "\n" + self.table.to_string(index=False, float_format=lambda v: f"{v:.3f}")

    def __str__(self) -> str:
        return self.summary()


def _summarise(draws: pd.DataFrame, alpha: float) -> pd.DataFrame:
    rows = []
    for term, d in draws.groupby("term", sort=False):
        err = d["estimate"] - d["truth"]
        rows.append({
            "term": term, "truth": d["truth"].iloc[0], "mean_estimate": d["estimate"].mean(),
            "bias": err.mean(), "rmse": float(np.sqrt((err ** 2).mean())),
            "sd_estimate": d["estimate"].std(ddof=1) if len(d) > 1 else np.nan,
            "mean_std_error": d["std_error"].mean(), "median_std_error": d["std_error"].median(),
            "coverage": ((d["conf_low"] <= d["truth"]) & (d["truth"] <= d["conf_high"])).mean(),
            "power": (d["p_value"] < alpha).mean(), "reps": len(d)})
    return pd.DataFrame(rows)


def recovery(simulate: Callable[[int], Any], *, reps: int, seed: int, outcome: str | None = None,
             vcov: Any = "classical", alpha: float = 0.05) -> RecoveryResult:
    """Repeat simulate-then-fit and report bias, RMSE and 95% CI coverage per parameter.

    Parameters
    ----------
    simulate
        ``seed -> simulation`` (e.g. ``lambda s: simulate_hazard(study, coefs=..., seed=s)``),
        a :class:`HazardSimulation` (fit ``adopt``) or :class:`DyadicSimulation` (fit
        ``emulated``) whose truth is known.
    reps
        Number of repetitions.
    seed
        Master seed; repetition k uses ``rep_seeds(seed, reps)[k]``.
    outcome
        Outcome column to fit (default ``adopt`` / ``emulated``); with
        ``"adopt_after_source"`` the table shows how far the observable dyadic outcome
        is from the firing parameters.
    vcov
        Variance estimator passed to the fit.
    alpha
        Level for ``power``.

    Returns
    -------
    RecoveryResult

    Examples
    --------
    >>> from policydiffusion.simulate import simulate_hazard, synthetic_study
    >>> study = synthetic_study(30, 8, seed=1)
    >>> res = recovery(lambda s: simulate_hazard(study, coefs={"Intercept": -2.0, "x": 0.5}, seed=s),
    ...                reps=5, seed=1)
    >>> res.table["term"].tolist()
    ['Intercept', 'x']
    """
    raise_problems(power_problems({}, reps=reps, alpha=alpha))
    parts, failed, separated = [], [], 0
    for k, s in enumerate(rep_seeds(seed, reps)):
        sim = simulate(s)
        try:
            t = fit_simulation(sim, outcome=outcome, vcov=vcov)
        except (PolicyDiffusionError, np.linalg.LinAlgError, ValueError) as exc:
            failed.append(f"rep {k} (seed {s}): {str(exc).splitlines()[0][:120]}")
            continue
        if not np.all(np.isfinite(t[["estimate", "std_error"]].to_numpy(float))):
            why = t.attrs.get("not_estimable") or {}
            separated += any(w in (SEPARATED, IN_SEPARATED_FIT) for w in why.values())
            failed.append(f"rep {k} (seed {s}): " + ("; ".join(
                f"{term} not estimable ({w})" for term, w in why.items())
                or "non-finite estimate or standard error"))
            continue
        parts.append(t.assign(rep=k, seed=s))
    draws = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(
        columns=["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high",
                 "truth", "rep", "seed"])
    return RecoveryResult(table=_summarise(draws, alpha), draws=draws, n_failed=len(failed),
                          failures=tuple(failed),
                          provenance={"reps": reps, "seed": seed, "vcov": str(vcov),
                                      "alpha": alpha, "versions": package_versions()},
                          n_separated=separated)


@dataclass(frozen=True)
class PowerResult:
    """Share of simulations in which ``term`` is significant, over a design grid.

    ``table``: one row per grid point with the grid values, ``power``,
    ``mean_estimate``, ``coverage``, ``reps`` (the fits they are computed from),
    ``failed`` and ``separated`` (failed fits with (quasi-)complete separation).
    Power is the share among the fits that gave an estimate: a separated draw, often
    one where the effect is large for the data, is left out, so where ``failed`` is
    not 0 the power is conditional on an estimable fit (the summary says so).
    """

    table: pd.DataFrame
    term: str
    alpha: float
    provenance: dict = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """The power table."""
        return self.table.copy()

    def summary(self) -> str:
        """The power table as text, with a note where fits failed."""
        text = (f"Power for {self.term!r} at alpha={self.alpha:g}\n"
                + self.table.to_string(index=False, float_format=lambda v: f"{v:.3f}"))
        note = failed_note(self.table)
        return text + ("\n" + note if note else "")

    def __str__(self) -> str:
        return self.summary()


def failed_note(table: pd.DataFrame) -> str | None:
    """What a power table's numbers leave out, or None when every fit succeeded.

    Examples
    --------
    >>> failed_note(pd.DataFrame({"reps": [17], "failed": [13], "separated": [12]}))[:56]
    'power, mean_estimate and coverage are over the fits that'
    """
    failed = int(table["failed"].sum()) if len(table) else 0
    if not failed:
        return None
    sep = int(table["separated"].sum()) if "separated" in table else 0
    return (f"power, mean_estimate and coverage are over the fits that gave an estimate "
            f"(reps; fits in the CLI): {failed} simulation(s) failed, {sep} of them with (quasi-)complete "
            "separation (often a large effect for the data); power is conditional on an "
            "estimable fit.")


def power_problems(grid: Mapping[str, Sequence[Any]], *, reps: int, alpha: float) -> list[str]:
    """Every problem with the options of a power analysis (checked before any simulation).

    Examples
    --------
    >>> power_problems({"effect": []}, reps=0, alpha=1.5)  # doctest: +NORMALIZE_WHITESPACE
    ['reps must be at least 1; got 0.', 'alpha must be between 0 and 1; got 1.5.',
     "grid['effect'] has no values."]
    """
    problems = []
    if not (isinstance(reps, (int, np.integer)) and reps >= 1):
        problems.append(f"reps must be at least 1; got {reps!r}.")
    if not (isinstance(alpha, (int, float)) and 0 < alpha < 1):
        problems.append(f"alpha must be between 0 and 1; got {alpha!r}.")
    problems += [f"grid[{k!r}] has no values." for k, v in grid.items() if len(list(v)) == 0]
    return problems


def power_analysis(design: Callable[..., Any], *, grid: Mapping[str, Sequence[Any]], term: str,
                   reps: int, seed: int, alpha: float = 0.05, outcome: str | None = None,
                   vcov: Any = "classical") -> PowerResult:
    """Power to detect ``term`` over a grid of designs.

    Parameters
    ----------
    design
        ``design(seed=..., **point) -> simulation`` for each grid point, e.g.
        :func:`mechanism_design` (``effect``, ``n_units``, ``n_periods``).
    grid
        Name -> values; every combination is run.
    term
        The coefficient whose significance counts.
    reps, seed, alpha, outcome, vcov
        As in :func:`recovery`; the same repetition seeds are used at every grid point
        (common random numbers make the power curve smoother).

    Examples
    --------
    >>> from policydiffusion.simulate import mechanism_design
    >>> res = power_analysis(mechanism_design, grid={"effect": [0.0, 1.0], "n_units": [30]},
    ...                      term="x", reps=4, seed=1)
    >>> res.table.columns.tolist()[:3]
    ['effect', 'n_units', 'power']
    """
    problems = power_problems(grid, reps=reps, alpha=alpha)
    if not grid:
        problems.insert(0, "grid needs at least one parameter with values.")
    raise_problems(problems)
    keys = list(grid)
    rows = []
    for values in itertools.product(*[list(grid[k]) for k in keys]):
        point = dict(zip(keys, values))
        res = recovery(lambda s, p=point: design(seed=s, **p), reps=reps, seed=seed,
                       outcome=outcome, vcov=vcov, alpha=alpha)
        row = res.table[res.table["term"] == term]
        if row.empty and res.n_failed < reps:
            raise InvalidOptionError(f"term {term!r} is not in the fitted model; terms: "
                                     f"{res.table['term'].tolist()}")
        r = row.iloc[0] if not row.empty else None
        rows.append({**point,
                     "power": float(r["power"]) if r is not None else np.nan,
                     "mean_estimate": float(r["mean_estimate"]) if r is not None else np.nan,
                     "truth": float(r["truth"]) if r is not None else np.nan,
                     "coverage": float(r["coverage"]) if r is not None else np.nan,
                     "reps": int(r["reps"]) if r is not None else 0, "failed": res.n_failed,
                     "separated": res.n_separated})
    return PowerResult(table=pd.DataFrame(rows), term=term, alpha=alpha,
                       provenance={"reps": reps, "seed": seed, "grid": {k: list(v) for k, v in grid.items()},
                                   "versions": package_versions()})
