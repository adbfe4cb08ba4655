"""The re-invention figure: each adopter's text similarity to the reference text
against its adoption time, with the least-squares trend per policy.

(Moved from ``policydiffusion.reinvention``; ``Drift.plot()`` still draws it.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from policydiffusion.reinvention import Drift

__all__ = ["plot_drift"]


def plot_drift(drift: "Drift", *, ax=None, lang: str = "en"):
    """Similarity to the reference against adoption time, one panel line per policy.

    Returns the matplotlib Figure. ``lang="zh"`` labels in Chinese (shipped font).

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.reinvention import (likely_sources, pair_similarity, read_texts,
    ...                                          reinvention_index)
    >>> t = read_texts(pd.DataFrame({"policy": "p", "unit": ["A", "B", "C"], "text": [
    ...     "One two three four five six.", "One two three four seven eight.",
    ...     "One two nine ten eleven twelve."]}),
    ...     adoptions=pd.DataFrame({"policy": "p", "unit": ["A", "B", "C"], "year": [1, 2, 3]}))
    >>> fig = plot_drift(reinvention_index(likely_sources(pair_similarity(t), t)))
    >>> fig.axes[0].get_ylabel()
    'similarity to the first text'
    """
    import matplotlib.pyplot as plt

    from policydiffusion.report._fonts import figure_style

    zh = lang == "zh"
    with figure_style(lang):
        fig, ax = plt.subplots(figsize=(6.4, 4.0)) if ax is None else (ax.figure, ax)
        for policy, g in drift.points.groupby("policy", sort=True):
            later = g[g["unit"] != drift.table.set_index("policy").loc[policy, "reference"]]
            pts = ax.scatter(later["time"], later["similarity"], s=18, label=str(policy))
            row = drift.table.set_index("policy").loc[policy]
            if np.isfinite(row["slope"]):
                x = np.array([later["time"].min(), later["time"].max()])
                ax.plot(x, row["intercept"] + row["slope"] * (x - row["start"]),
                        color=pts.get_facecolor()[0], lw=1)
        ax.set_xlabel("采纳时间" if zh else "adoption time")
        ref = {"first": ("最早文本", "first text"), "central": ("中心文本", "central text")}
        ax.set_ylabel(("与" + ref[drift.reference][0] + "的相似度") if zh else
                      f"similarity to the {ref[drift.reference][1]}")
        ax.set_ylim(0, 1.02)
        ax.legend(frameon=False, fontsize=8)
        fig.tight_layout()
        if zh:  # name the font on every text, so the figure draws right outside this style
            import matplotlib
            from matplotlib.text import Text

            for text in fig.findobj(Text):
                text.set_fontfamily(matplotlib.rcParams["font.sans-serif"])
    return fig
