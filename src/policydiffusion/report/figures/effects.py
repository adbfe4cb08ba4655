"""Event-study figures: estimates by event time with confidence intervals.

(Moved from ``policydiffusion.effects``, which still offers ``plot_event_study`` for
old imports; figures live in the report, which may read effects' results, not the
reverse.)
"""

from __future__ import annotations

import pandas as pd
from scipy import stats

__all__ = ["plot_event_study"]


def plot_event_study(result: object, *, level: float = 0.95, title: str | None = None, ax=None):
    """Plot event-time estimates with ``level`` confidence intervals; returns the Figure.

    ``result`` is an :class:`EventStudyResult` (one series per policy, bins drawn
    at their first period with a bar spanning the bin), or a table with
    ``event_time``, an estimate column (``estimate`` or ``att``) and ``std_error``
    (e.g. ``GroupTimeResult.aggregate()`` or :func:`sun_abraham`).

    Examples
    --------
    >>> t = pd.DataFrame({"event_time": [-1, 0, 1], "att": [0.0, 1.0, 2.0],
    ...                   "std_error": [0.1, 0.1, 0.2]})
    >>> fig = plot_event_study(t, title="toy")
    >>> fig.axes[0].get_title()
    'toy'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(7, 4))
    else:
        fig = ax.figure
    z = stats.norm.ppf(0.5 + level / 2)
    if hasattr(result, "tidy") and hasattr(result, "bins"):
        t = result.tidy(level=level)
        for i, (policy, d) in enumerate(t.groupby("policy", sort=False)):
            x = d["lo"].to_numpy() + i * 0.6
            ax.errorbar(x, d["estimate"], yerr=[d["estimate"] - d["conf_low"], d["conf_high"] - d["estimate"]],
                        fmt="o", capsize=3, label=policy)
        ax.legend(frameon=False, fontsize=8)
        ax.set_xlabel("periods since adoption (start of bin)")
    else:
        t = pd.DataFrame(result)
        est = t["estimate"] if "estimate" in t.columns else t["att"]
        se = t["std_error"].to_numpy()
        ax.errorbar(t["event_time"], est, yerr=z * se, fmt="o", capsize=3)
        ax.axvline(-0.5, color="grey", lw=0.8, ls=":")
        ax.set_xlabel("periods since adoption")
    ax.axhline(0, color="black", lw=0.8)
    ax.set_ylabel("effect")
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig
