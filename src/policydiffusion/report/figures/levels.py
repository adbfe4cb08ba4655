"""A multi-level timeline: the centre, provinces and cities on one time axis, pilots marked."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import polars as pl

from policydiffusion.report.figures._common import font_kw, new_axes, styled, unit_labels
from policydiffusion.report.figures._fonts import tr

__all__ = ["plot_level_timeline"]

_COLORS = ("#b2182b", "#2166ac", "#4d9221", "#8c510a", "#762a83")


def plot_level_timeline(study, policy: str, *, levels: Sequence[str] | None = None,
                        pilots: pl.DataFrame | None = None, max_rows: int = 12, ax=None,
                        lang: str = "en", label_by: str = "name", title: str | None = None):
    """Adoptions of one policy by level: one band per level, top level first.

    Each adopter is a dot at its adoption period; a level with up to ``max_rows``
    adopters gets one labelled row per adopter, a larger one a single strip (labelled
    with the count). A dashed line marks each top-level adoption (the central date).
    Pilots (``policy, unit, period``, as :func:`~policydiffusion.study.read_pilots`
    returns them) are circled, with an open square at their designation.

    Parameters
    ----------
    levels
        Level names top to bottom (default: the hierarchy's order, see
        :func:`~policydiffusion.study.hierarchy`).
    label_by
        ``"name"`` (``name_zh`` for ``lang="zh"``) or ``"unit"`` (the ids).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from policydiffusion.datasets.china_levels import china_regulations_study
    >>> ax = plot_level_timeline(china_regulations_study(), "business_environment",
    ...                          label_by="unit")
    >>> [t.get_text() for t in ax.get_yticklabels()][:2]
    ['central (1)', '100000']
    """
    from policydiffusion.study import hierarchy

    h = hierarchy(study, levels=levels)
    level_of = h.level_of()
    a = study.adoptions_of(policy)
    names = unit_labels(study, lang) if label_by == "name" else {u: u for u in study.unit_ids}
    pil = {}
    if pilots is not None:
        p = pilots.filter(pl.col("policy") == policy)
        pil = dict(zip(p.get_column("unit"), p.get_column("period")))
    fk = font_kw(lang)
    with styled(lang):
        by_level = {lv: [(u, t) for u, t in zip(a.get_column("unit"), a.get_column("period"))
                         if level_of.get(u) == lv] for lv in h.levels}
        n_rows = sum(1 + (len(v) if len(v) <= max_rows else 1) for v in by_level.values() if v)
        ax = new_axes(ax, figsize=(5.0, max(2.0, 0.16 * n_rows + 0.8)))
        y, ticks, labels = 0.0, [], []
        top = h.levels[0]
        for k, lv in enumerate(h.levels):
            rows = by_level[lv]
            if not rows:
                continue
            color = _COLORS[k % len(_COLORS)]
            ticks.append(y)
            labels.append(f"{lv} ({len(rows)})")
            y -= 1
            if len(rows) <= max_rows:
                for u, t in rows:
                    ax.plot([t], [y], "o", color=color, ms=3.5)
                    if u in pil:
                        ax.plot([t], [y], "o", mfc="none", mec="black", ms=7, mew=0.8)
                        ax.plot([pil[u]], [y], "s", mfc="none", mec="black", ms=3.5, mew=0.7)
                    ticks.append(y)
                    labels.append(names.get(u, u))
                    y -= 1
            else:
                ts = np.array([t for _, t in rows], float)
                ax.plot(ts, np.full(len(ts), y), "o", color=color, ms=3, alpha=0.5)
                y -= 1
            if lv == top:
                for _, t in rows:
                    ax.axvline(t, color=color, ls="--", lw=0.7)
        ax.set_yticks(ticks)
        ax.set_yticklabels(labels, fontsize=5.5, **fk)
        ax.set_ylim(y + 0.5, 0.5)
        from matplotlib.ticker import FuncFormatter, MaxNLocator

        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: study.label(int(round(v)))))
        ax.set_xlabel(tr("Adoption period", lang), **fk)
        if title:
            ax.set_title(title, **fk)
    return ax
