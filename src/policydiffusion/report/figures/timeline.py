"""Adoption timeline: one dot per unit along time, grouped by region."""

from __future__ import annotations

import numpy as np

from policydiffusion.report.figures._common import (adoption_values, figure_renderer, font_kw, keep_figure,
                                                    kept_figure, new_axes, styled, unit_labels)
from policydiffusion.report.figures._fonts import tr

__all__ = ["plot_adoption_timeline"]


#: Point size of the unit labels: 6 pt is the smallest most journals accept in print.
LABEL_SIZE = 6.0


def plot_adoption_timeline(study, policy: str, *, by: str | None = "region", ax=None, lang: str = "en",
                           label_units: bool = True, title: str | None = None):
    """Dots at each unit's adoption period, units grouped by ``by`` (a units column).

    Within a group units are ordered by adoption period; non-adopters are drawn as
    grey crosses one period after the policy's end. Group names (translated for
    ``lang="zh"`` where known) label the y axis; unit names (``name_zh`` in Chinese)
    label the dots when ``label_units``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> ax = plot_adoption_timeline(spid_study(policies=["aborparc"]), "aborparc")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Midwest', 'Northeast', 'South', 'West']
    """
    from matplotlib.ticker import MaxNLocator

    units = study.unit_ids
    groups = (study.units.get_column(by).to_list() if by is not None and by in study.units.columns
              else ["" for _ in units])
    groups = ["" if g is None else str(g) for g in groups]
    adopt = adoption_values(study, policy)
    _, end = study.policy_window(policy)
    names = unit_labels(study, lang)
    fk = font_kw(lang)
    order = sorted(range(len(units)), key=lambda i: (groups[i], adopt.get(units[i], np.inf), units[i]))
    n = len(units)
    # rows (y from the top), group ticks and separators: the layout, the same for every policy
    y, ticks, labels, prev, start, seps, rows = 0.0, [], [], None, 0.0, [], []
    for i in order:
        g = groups[i]
        if prev is not None and g != prev:
            ticks.append((start + y - 1) / 2)
            labels.append(tr(prev, lang))
            seps.append(-(y - 0.25))
            y += 0.5
            start = y
        prev = g
        u = units[i]
        rows.append((u, adopt[u] if u in adopt else end + 1, -y))
        y += 1
    if prev is not None:
        ticks.append((start + y - 1) / 2)
        labels.append(tr(prev, lang))
    # inside reuse_figures the figure of the policy before is redrawn: same units, groups
    # and labels (their order within a group is the policy's)
    key = (id(study), by, lang, label_units, tuple(ticks)) if ax is None and title is None else None
    own = ax is None
    kept = kept_figure("timeline", key) if key is not None else None
    with styled(lang):
        if kept is not None:
            ax = kept.ax
            for t, (u, x, yy) in zip(kept.texts, rows):
                t.set_text(names[u])
                t.xy = (x, yy)
            texts = kept.texts
        else:
            # one row per unit, tall enough for a LABEL_SIZE label
            ax = new_axes(ax, figsize=(3.5, max(2.6, LABEL_SIZE * 1.25 / 72 * n + 0.8)))
            for s in seps:
                ax.axhline(s, color="0.85", lw=0.5)
            # every point lies inside axes autoscaled with margins, so matplotlib's check at
            # each draw and measure that it does (~0.3 ms a label) is left out: the same
            # labels drawn; not on axes the caller gives (their limits may cut points off)
            clip = False if own and min(ax.margins()) > 0 else None
            # offset in points: the same gap whatever the time span
            texts = [ax.annotate(names[u], (x, yy), xytext=(3, 0), textcoords="offset points",
                                 fontsize=LABEL_SIZE, va="center", annotation_clip=clip, **fk)
                     for u, x, yy in rows] if label_units else []
        # one line of markers per kind, not an artist per unit (most of the figure's
        # construction); lines are drawn before texts whatever the order they were added in
        lines = []
        for adopted, style, colour in ((True, "o", "C0"), (False, "x", "0.6")):
            xy = [(x, yy) for u, x, yy in rows if (u in adopt) == adopted]
            if kept is not None and kept.lines.get(adopted) is not None:
                kept.lines[adopted].set_data(*(map(np.asarray, zip(*xy)) if xy else ([], [])))
                kept.lines[adopted].set_visible(bool(xy))  # an empty one: not even an SVG group
            elif xy:  # the crosses' line after the dots', as in a new figure
                lines.append(ax.plot(*zip(*xy), style, ms=2.5, color=colour)[0])
                if kept is not None:
                    kept.lines[adopted] = lines[-1]
        if kept is not None:
            from matplotlib.ticker import AutoLocator

            ax.xaxis.set_major_locator(AutoLocator())  # a new axis's, when it is autoscaled
            ax.relim()  # the x range as a new figure's autoscaling finds it
            ax.set_autoscalex_on(True)
            ax.autoscale_view(scaley=False)
        else:
            ax.set_yticks([-t for t in ticks], labels, **fk)
            ax.tick_params(axis="y", length=0)
        _room_for_labels(ax, texts)
        # years only up to the policy's end; the column of crosses after it gets a caption
        ax.xaxis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
        lo = ax.get_xlim()[0]
        ax.set_xticks([t for t in ax.get_xticks() if lo <= t <= end])
        caption = (end + 1, -(y - 1))
        cap = None
        if kept is not None and kept.caption is not None:
            kept.caption.xy = caption
            kept.caption.set_visible(len(adopt) < n)
        elif len(adopt) < n:
            cap = ax.annotate(tr("Not adopted", lang), caption, xytext=(0, -6),
                              textcoords="offset points", ha="center", va="top", fontsize=LABEL_SIZE,
                              color="0.4", **fk)
            if kept is not None:
                kept.caption = cap
        if kept is None:
            ax.set_xlabel(tr("Adoption period", lang), **fk)
            ax.spines["left"].set_visible(False)
            if title:
                ax.set_title(title, **fk)
            if key is not None and adopt:  # the dots' line first: a figure to redraw
                from types import SimpleNamespace

                keep_figure("timeline", key, SimpleNamespace(
                    figure=ax.figure, ax=ax, study=study, texts=texts, lines=dict(zip((True, False), lines)),
                    caption=cap))
    return ax


def _room_for_labels(ax, texts: list) -> None:
    """Widen the x axis so that labels written right of their points end inside it.

    A label of ``p`` points at data ``x`` ends inside ``[lo, hi]`` when
    ``hi - lo >= (x - lo) / (1 - p / A)`` with ``A`` the axes width in points.
    """
    if not texts:
        return
    fig = ax.figure
    renderer = figure_renderer(fig)
    lo, hi = ax.get_xlim()
    width = ax.get_window_extent(renderer).width
    need = hi - lo
    for t in texts:
        p = t.get_window_extent(renderer).width + 3 * fig.dpi / 72 + 2
        if p < 0.8 * width:
            need = max(need, (t.xy[0] - lo) / (1 - p / width))
    ax.set_xlim(lo, lo + need)
