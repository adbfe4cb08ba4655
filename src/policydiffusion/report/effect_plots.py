"""Plots of estimated effects: a marginal effect across a moderator, subgroup estimates.

Both take plain DataFrames, ``ax=None``, and return the axes (they never show).

Examples
--------
>>> import pandas as pd
>>> f = pd.DataFrame({"value": [0, 1, 2], "estimate": [0.1, 0.2, 0.3],
...                   "conf_low": [0.0, 0.1, 0.1], "conf_high": [0.2, 0.3, 0.5]})
>>> ax = plot_marginal_effect(f)
>>> len(ax.lines) >= 1
True
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

__all__ = ["plot_marginal_effect", "plot_subgroup_estimates"]


def plot_marginal_effect(frame: pd.DataFrame, *, x: str = "value", effect: str = "estimate",
                         low: str = "conf_low", high: str = "conf_high", ax=None,
                         xlabel: str | None = None, ylabel: str | None = None,
                         band_label: str | None = None, discrete: bool = False,
                         rug: Sequence[float] | None = None,
                         no_interval_note: str = "No interval where the standard error is "
                                                 "not identified"):
    """The effect of a variable and its confidence interval across a moderator ``x``.

    A continuous moderator gets a line with a band; a discrete one (``discrete=True``)
    gets a point with an interval at each value, since nothing lies between them.
    ``rug`` marks the moderator's observed values along the x axis, so the reader sees
    where the data are and where the curve is extrapolated.

    Parameters
    ----------
    frame
        One row per moderator value with the effect and its interval: the frame of
        :func:`~policydiffusion.interpret.marginal_effect_across` as it is.
    x, effect, low, high
        Column names (by default those of ``marginal_effect_across``).
    xlabel, ylabel, band_label
        Axis and legend texts (already in the report's language).
    discrete
        Points with error bars instead of a line with a band.
    rug
        Observed moderator values (one tick each).
    no_interval_note
        Written on the plot when some rows have no interval (their standard error is
        not identified, e.g. ``frame.attrs["se_not_identified"]``), so a missing band is
        not read as a zero-width one.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> f = pd.DataFrame({"value": [0, 1], "estimate": [0.1, 0.3], "conf_low": [0.0, 0.1],
    ...                   "conf_high": [0.2, 0.5]})
    >>> ax = plot_marginal_effect(f, discrete=True)
    >>> len(ax.collections) >= 1 and list(ax.get_xticks()) == [0, 1]
    True
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.4))
    f = frame.sort_values(x)
    if discrete:
        err = [f[effect] - f[low], f[high] - f[effect]]
        ax.errorbar(f[x], f[effect], yerr=err, fmt="o", color="#08519c", ecolor="#6baed6",
                    capsize=3, markersize=5, linewidth=1.4, label=band_label)
        ax.set_xticks(list(f[x]))
        ax.margins(x=0.15)
    else:
        ax.fill_between(f[x], f[low], f[high], color="#9ecae1", alpha=0.6, linewidth=0,
                        label=band_label)
        ax.plot(f[x], f[effect], color="#08519c", linewidth=1.6)
    if rug is not None and len(rug):
        ax.plot(list(rug), [0.0] * len(rug), "|", color="0.25", alpha=0.35, markersize=8,
                transform=ax.get_xaxis_transform(), clip_on=False)
    ax.axhline(0, color="0.4", linewidth=0.8, linestyle="--")
    ax.set_xlabel(xlabel or x)
    if ylabel:
        ax.set_ylabel(ylabel)
    missing = f[low].isna() | f[high].isna()
    if missing.any():
        ax.text(0.01, 0.99, no_interval_note, transform=ax.transAxes, va="top", ha="left",
                fontsize="x-small", color="0.3")
    if band_label and not missing.all():
        ax.legend(loc="best", frameon=False, fontsize="small")
    return ax


def plot_subgroup_estimates(frame: pd.DataFrame, *, term: str = "term", group: str = "group",
                            estimate: str = "estimate", std_error: str = "std_error",
                            ax=None, xlabel: str | None = None, term_labels=None,
                            group_labels=None,
                            no_interval_note: str = "No interval where the standard error is "
                                                    "not identified"):
    """Estimates with 95% intervals, one row per term, one marker per subgroup.

    Parameters
    ----------
    frame
        Columns ``term``, ``group``, ``estimate``, ``std_error`` (names adjustable).
    term_labels, group_labels
        Mappings from the values to display texts.
    no_interval_note
        Written on the plot when an estimate has no standard error (not identified,
        e.g. nested in the clusters); its marker is hollow, so a missing interval is
        not read as a zero-width one.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> f = pd.DataFrame({"term": ["x", "x"], "group": ["a", "b"], "estimate": [0.5, 1.0],
    ...                   "std_error": [0.2, 0.3]})
    >>> [t.get_text() for t in plot_subgroup_estimates(f).get_yticklabels()]
    ['x']
    """
    import matplotlib.pyplot as plt

    terms = list(dict.fromkeys(frame[term]))
    groups = list(dict.fromkeys(frame[group]))
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 0.6 + 0.55 * len(terms) * max(1, len(groups)) / 1.5))
    colours = ["#08519c", "#cb181d", "#238b45", "#6a51a3"]
    step = 0.6 / max(1, len(groups))
    missing = False
    for k, g in enumerate(groups):
        sub = frame[frame[group] == g].set_index(term)
        ys, xs, errs = [], [], []
        for i, t in enumerate(terms):
            if t in sub.index:
                ys.append(i + (k - (len(groups) - 1) / 2) * step)
                xs.append(float(sub.loc[t, estimate]))
                errs.append(1.96 * float(sub.loc[t, std_error]))
        lab = (group_labels or {}).get(g, str(g))
        colour = colours[k % len(colours)]
        bare = np.isnan(errs)
        ax.errorbar(np.asarray(xs)[~bare], np.asarray(ys)[~bare],
                    xerr=np.asarray(errs)[~bare], fmt="o", color=colour, capsize=2,
                    markersize=4, linewidth=1, label=lab)
        if bare.any():  # hollow: an estimate without an interval
            missing = True
            ax.plot(np.asarray(xs)[bare], np.asarray(ys)[bare], "o", markersize=4,
                    markerfacecolor="none", color=colour)
    ax.axvline(0, color="0.4", linewidth=0.8, linestyle="--")
    if missing:
        ax.text(0.01, 0.01, no_interval_note, transform=ax.transAxes, va="bottom",
                ha="left", fontsize="x-small", color="0.3")
    ax.set_yticks(range(len(terms)))
    ax.set_yticklabels([(term_labels or {}).get(t, t) for t in terms])
    ax.invert_yaxis()
    if xlabel:
        ax.set_xlabel(xlabel)
    ax.legend(loc="best", frameon=False, fontsize="small")
    return ax
