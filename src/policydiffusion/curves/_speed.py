"""Policy adoption speed: Mallinson's Weibull speed, Nicholson-Crotty's fast indicator
and simple descriptive measures."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from policydiffusion.curves._aft import fit_aft
from policydiffusion.curves._data import as_study, policy_list, policy_times_many
from policydiffusion.errors import ConvergenceError

__all__ = ["policy_speed", "mallinson_data", "gini"]


def mallinson_data(adopt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Durations and events as in Mallinson (2016): ``T - first + 1`` for adopters;
    non-adopters censored at the policy's last adoption (``last - first + 1``).

    Examples
    --------
    >>> import numpy as np
    >>> mallinson_data(np.array([1990.0, 1995.0, np.nan]))
    (array([1., 6., 6.]), array([1, 1, 0]))
    """
    first, last = np.nanmin(adopt), np.nanmax(adopt)
    event = (~np.isnan(adopt)).astype(int)
    time = np.where(event == 1, adopt, last) - first + 1
    return time, event


def gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values (0: all equal).

    Examples
    --------
    >>> gini([1, 1, 1]), round(gini([0, 0, 3]), 4)
    (0.0, 0.6667)
    """
    x = np.asarray(x, float)
    if x.size == 0 or x.sum() == 0:
        return float("nan")
    diff = np.abs(x[:, None] - x[None, :]).sum()
    return float(diff / (2 * x.size**2 * x.mean()))


def _nicholson_crotty(durations: np.ndarray) -> int:
    # spans of 1-2 periods never reach here: policy_speed reports nc_fast undefined there
    span = int(durations.max())
    cut = round(span / 3)  # round half to even, as R's round()
    return int(np.mean(durations <= cut) > 0.5)


def policy_speed(study: object, policies: str | Sequence[str] | None = None, *,
                 distributions: Sequence[str] = ("weibull", "exponential", "lognormal", "loglogistic"),
                 units: int | Sequence[str] | None = None) -> pd.DataFrame:
    """Speed of diffusion of each policy (Mallinson 2016 and simpler measures).

    For each policy every unit of the study is a row: adopters have duration
    ``T - first + 1`` (the first adopter has 1) and an event; non-adopters are
    censored at the policy's last adoption (``last - first + 1``). An intercept-only
    Weibull AFT model (R ``survreg(Surv(duration, event) ~ 1)``) gives ``intercept``
    (log-time scale: larger = slower) and ``log_scale``; ``shape`` = 1/scale and
    ``log_shape`` = log(1/scale) as Mallinson reports it. The exponential,
    log-normal and log-logistic intercepts are added as ``<dist>_intercept``.

    ``speed_rescaled`` is the min-max normalisation of ``1 - intercept`` across the
    policies in the result (0 slowest, 1 fastest); ``speed_robust`` is
    ``(1 - intercept - median) / IQR``. Policies whose first and last adoption fall
    in the same period (or with no adopter) have no Weibull speed: they keep a row
    with ``excluded`` giving the reason.

    Simple measures: ``nc_fast`` (Nicholson-Crotty 2009: span = last - first + 1,
    cut = round(span / 3); 1 if more than half the adopters have duration <= cut),
    ``periods_to_half`` (periods from the first adoption to the period in which
    half the eventual adopters have adopted), ``adoptions_per_period`` (adopters /
    span) and ``gini`` (Gini coefficient of the number of adoptions per period from
    first to last: 0 = spread evenly, near 1 = a burst). Measures fixed by
    construction rather than measured are missing, and ``undefined`` names them
    and says why: with every adoption in one period ``gini`` (would be 0),
    ``periods_to_half`` (0) and ``nc_fast`` (1); with a span of two periods
    ``nc_fast`` (Nicholson-Crotty count spans <= 2 as fast whatever the adopters
    did).

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> sp = policy_speed(spid_study(policies=["aborparc", "aborparn"]), distributions=("weibull",))
    >>> sp[["policy", "n_adopters", "speed_rescaled"]].round(3)
         policy  n_adopters  speed_rescaled
    0  aborparc          15             0.0
    1  aborparn          17             1.0
    """
    st = as_study(study, units=units)
    rows = []
    for pt in policy_times_many(st, policy_list(st, policies)):
        row: dict = {"policy": pt.policy, "n_units": len(pt.units), "n_adopters": pt.n_adopters,
                     "first_period": pt.first, "last_period": pt.last}
        if pt.n_adopters == 0:
            row["excluded"] = "no adoptions"
            rows.append(row)
            continue
        time, event = mallinson_data(pt.adopt)
        dur = time[event == 1]
        span = pt.last - pt.first + 1
        counts = np.bincount((dur - 1).astype(int), minlength=span)
        cum = np.cumsum(counts)
        row.update(span=span, adoptions_per_period=pt.n_adopters / span)
        if span == 1:
            row["undefined"] = ("gini, periods_to_half, nc_fast: every adoption in one period "
                                "(0, 0 and 1 by construction)")
        else:
            row.update(periods_to_half=int(np.nonzero(cum >= pt.n_adopters / 2)[0][0]), gini=gini(counts))
            if span == 2:
                row["undefined"] = "nc_fast: a span of 2 periods counts as fast by convention, not measured"
            else:
                row["nc_fast"] = _nicholson_crotty(dur)
        if pt.first == pt.last:
            row["excluded"] = "first and last adoption in the same period"
            rows.append(row)
            continue
        try:
            for dist in distributions:
                f = fit_aft(time, event, dist=dist)
                if dist == "weibull":
                    row.update(intercept=f.intercept, intercept_se=f.intercept_se, log_scale=f.log_scale,
                               log_scale_se=f.log_scale_se, shape=float(np.exp(-f.log_scale)),
                               log_shape=-f.log_scale)
                else:
                    row[f"{dist}_intercept"] = f.intercept
        except ConvergenceError as exc:
            row["excluded"] = f"AFT fit failed: {exc}"
        rows.append(row)
    out = pd.DataFrame(rows)
    cols = ["policy", "n_units", "n_adopters", "first_period", "last_period", "span", "intercept",
            "intercept_se", "log_scale", "log_scale_se", "shape", "log_shape"]
    cols += [f"{d}_intercept" for d in distributions if d != "weibull"]
    cols += ["speed_rescaled", "speed_robust", "nc_fast", "periods_to_half", "adoptions_per_period",
             "gini", "excluded", "undefined"]
    out = out.reindex(columns=cols)
    v = 1 - out["intercept"].astype(float)
    rng = v.max() - v.min()
    out["speed_rescaled"] = (v - v.min()) / rng if rng > 0 else np.where(v.notna(), np.nan, np.nan)
    iqr = v.quantile(0.75) - v.quantile(0.25)
    out["speed_robust"] = (v - v.median()) / iqr if iqr > 0 else np.nan
    for c in ("first_period", "last_period", "span", "nc_fast", "periods_to_half"):
        out[c] = out[c].astype("Int64")
    return out
