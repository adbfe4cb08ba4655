"""Benefit components of the diffusion evaluation index, beside the process ones.

The process components (breadth, speed, depth, clustering, hierarchy) come from
:func:`policydiffusion.curves.diffusion_index`; this module measures what the
policy achieved where it spread and joins the two with documented weights.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from policydiffusion.curves._index import index_weights
from policydiffusion.effects._design import adoption_columns, as_pandas, event_time_indicators
from policydiffusion.effects._diffusion_links import effect_heterogeneity
from policydiffusion.effects._event_study import event_study
from policydiffusion.errors import InvalidOptionError, check_choice

__all__ = ["unit_effects", "benefit_components", "evaluation_index", "BENEFIT_COMPONENTS"]

#: Benefit components, each in [0, 1], higher = more benefit.
BENEFIT_COMPONENTS = ("average_benefit", "significant_share", "consistency")
_PROCESS = ("breadth", "speed", "depth", "clustering", "hierarchy")


def unit_effects(panel: pd.DataFrame, adoptions: pd.DataFrame, *, outcome: str, unit: str, time: str,
                 policy: str, window: tuple[int, int], controls: Sequence[str] = (),
                 absorb: Sequence[str] | None = None, cluster: str | None = None) -> pd.DataFrame:
    """Each adopter's own effect over the event-time ``window``, from one pooled regression.

    The window indicator of ``policy`` is interacted with every adopter (other
    policies keep their window indicator), so each unit's estimate shares the fixed
    effects, controls and clustered covariance of the whole panel. Adopters with no
    usable row inside or outside the window cannot be identified: they are listed
    with ``identified`` False and no estimate (never silently dropped).

    Clustering by the unit itself is refused: with unit fixed effects each unit's
    own effect has a zero score sum within its one cluster, so its clustered
    variance is degenerate. Cluster by period or leave ``cluster=None`` (robust).

    Returns unit, estimate, std_error, p_value, identified.
    """
    if cluster is not None and cluster == unit:
        raise InvalidOptionError("unit_effects cannot cluster by the unit (each unit's effect lives "
                                 "in one cluster); cluster by period or use cluster=None.")
    panel = as_pandas(panel, "panel").reset_index(drop=True)
    adoptions = as_pandas(adoptions, "adoptions")
    acol = adoption_columns(adoptions, unit, time)[0]
    adopters = pd.unique(adoptions.loc[adoptions["policy"] == policy, acol])
    x = event_time_indicators(panel, adoptions[adoptions["policy"] == policy], unit=unit, time=time,
                              bins=[window]).iloc[:, 0]
    usable = panel[outcome].notna()
    for c in controls:
        usable &= panel[c].notna()
    inside = (x == 1) & usable
    outside = (x == 0) & usable
    ok = [u for u in adopters
          if inside[panel[unit] == u].any() and outside[panel[unit] == u].any()]
    mod = pd.DataFrame({acol: ok, "_id": [str(u) for u in ok]})
    # Unidentified adopters keep their window rows out of the comparison group.
    keep = ~(panel[unit].isin(set(adopters) - set(ok)) & (x == 1))
    h = effect_heterogeneity(panel[keep], adoptions, outcome=outcome, unit=unit, time=time,
                             bins=[window], policy=policy, moderator=mod, column="_id",
                             controls=controls, absorb=absorb, cluster=cluster)
    t = h.tidy()
    est = dict(zip(t["group"], zip(t["estimate"], t["std_error"], t["p_value"])))
    rows = [(u, *est.get(str(u), (np.nan, np.nan, np.nan)), str(u) in est) for u in adopters]
    return pd.DataFrame(rows, columns=[unit, "estimate", "std_error", "p_value", "identified"])


def benefit_components(panel: pd.DataFrame, adoptions: pd.DataFrame, *, outcome: str, unit: str,
                       time: str, window: tuple[int, int], policies: Sequence[str] | None = None,
                       benefit: str = "decrease", scale: float | None = None, alpha: float = 0.05,
                       controls: Sequence[str] = (), absorb: Sequence[str] | None = None,
                       cluster: str | None = None) -> pd.DataFrame:
    """Benefit components of each policy over the event-time ``window``.

    - ``average_effect`` (and ``average_se``): the pooled event-study effect of the
      window (all policies in one regression); ``average_benefit`` = that effect in
      the benefit direction divided by ``scale`` and clipped to [0, 1] (1 = a benefit
      of at least ``scale``; 0 = no benefit or harm).
    - ``significant_share``: share of identified adopters whose own effect
      (:func:`unit_effects`) is a benefit with two-sided p < ``alpha``, among those
      with a test (``n_tested``; an effect with no identified standard error, e.g. a
      window inside one cluster, is neither counted significant nor not).
    - ``dispersion``: the spread of the tested unit effects beyond sampling noise,
      ``tau = sqrt(max(0, var(estimates) - mean(se^2)))`` (method of moments);
      ``consistency = 1 / (1 + (tau / scale)^2)`` (1 = everyone gains alike).

    ``benefit`` is ``"decrease"`` (lower outcome is better, e.g. case growth) or
    ``"increase"``; ``scale`` defaults to the outcome's standard deviation in the
    estimation sample.
    """
    check_choice("benefit", benefit, ("decrease", "increase"))
    if not 0 < alpha < 1:
        raise InvalidOptionError(f"alpha must be in (0, 1); got {alpha}.")
    panel = as_pandas(panel, "panel")
    adoptions = as_pandas(adoptions, "adoptions")
    sign = -1.0 if benefit == "decrease" else 1.0
    if scale is None:
        scale = float(panel[outcome].std())
    if not scale > 0:
        raise InvalidOptionError(f"scale must be positive; got {scale}.")
    pooled = event_study(panel, adoptions, outcome=outcome, unit=unit, time=time, bins=[window],
                         controls=controls, absorb=absorb, cluster=cluster).tidy().set_index("policy")
    rows = []
    for p in (policies or list(pd.unique(adoptions["policy"]))):
        ue = unit_effects(panel, adoptions, outcome=outcome, unit=unit, time=time, policy=p,
                          window=window, controls=controls, absorb=absorb, cluster=cluster)
        ok = ue[ue["identified"] & ue["p_value"].notna()]
        sig = ((sign * ok["estimate"] > 0) & (ok["p_value"] < alpha)).mean() if len(ok) else np.nan
        tau = (float(np.sqrt(max(0.0, ok["estimate"].var(ddof=1) - np.mean(ok["std_error"] ** 2))))
               if len(ok) > 1 else np.nan)
        eff, se = float(pooled.at[p, "estimate"]), float(pooled.at[p, "std_error"])
        rows.append({"policy": p, "average_effect": eff, "average_se": se,
                     "average_benefit": float(np.clip(sign * eff / scale, 0, 1)),
                     "significant_share": float(sig), "dispersion": tau,
                     "consistency": 1 / (1 + (tau / scale) ** 2) if not np.isnan(tau) else np.nan,
                     "n_identified": int(ue["identified"].sum()), "n_tested": int(len(ok)),
                     "n_adopters": int(len(ue)), "scale": scale})
    return pd.DataFrame(rows)


def evaluation_index(process: pd.DataFrame, benefits: pd.DataFrame, *,
                     weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Join process components (``diffusion_index``) and benefit components into one index.

    ``process_index`` and ``benefit_index`` are the weighted means of each side's
    available components; ``index`` is the weighted mean over all available
    components, with ``weights`` mapping component names (process: breadth, speed,
    depth, clustering, hierarchy; benefit: average_benefit, significant_share,
    consistency) to non-negative weights (default 1 each; 0 leaves one out).

    Examples
    --------
    >>> proc = pd.DataFrame({"policy": ["p"], "breadth": [1.0], "speed": [0.5], "depth": [None],
    ...                      "clustering": [0.3], "hierarchy": [None]})
    >>> ben = pd.DataFrame({"policy": ["p"], "average_benefit": [0.2], "significant_share": [0.4],
    ...                     "consistency": [0.9]})
    >>> evaluation_index(proc, ben, weights={"speed": 0})[["process_index", "benefit_index", "index"]].round(3).values.tolist()
    [[0.65, 0.5, 0.56]]
    """
    comps = _PROCESS + BENEFIT_COMPONENTS
    w = index_weights(weights, comps)
    proc = as_pandas(process, "process")
    keep = ["policy"] + [c for c in _PROCESS if c in proc.columns]
    m = proc[keep].merge(as_pandas(benefits, "benefits"), on="policy", how="outer")

    def mean(row: pd.Series, cols: Sequence[str]) -> float:
        vals = [(w[c], float(row[c])) for c in cols if c in row and pd.notna(row[c]) and w[c] > 0]
        tot = sum(a for a, _ in vals)
        return sum(a * b for a, b in vals) / tot if tot > 0 else np.nan

    m["process_index"] = m.apply(lambda r: mean(r, _PROCESS), axis=1)
    m["benefit_index"] = m.apply(lambda r: mean(r, BENEFIT_COMPONENTS), axis=1)
    m["index"] = m.apply(lambda r: mean(r, comps), axis=1)
    return m
