"""S-curve with fitted curves, and the hazard of adoption by period."""

from __future__ import annotations

import numpy as np
import pandas as pd

from policydiffusion.report.figures._common import font_kw, kept_axes, new_axes, styled, year_ticks
from policydiffusion.report.figures._fonts import tr

__all__ = ["plot_adoption_curve", "plot_hazard"]

_STYLES = {"logistic": ("C0", "-"), "gompertz": ("C2", "--"), "bass": ("C3", "-."),
           "exponential": ("C4", ":")}


def plot_adoption_curve(curve: pd.DataFrame | object, fits=None, *, policy: str | None = None,
                        ax=None, lang: str = "en", takeoff: float | None = None,
                        title: str | None = None):
    """Observed cumulative share of units by period, with fitted curves.

    Parameters
    ----------
    curve
        One policy's rows of :func:`policydiffusion.curves.adoption_curve`, or a
        :class:`~policydiffusion.study.Study` with ``policy=`` (as
        :func:`~policydiffusion.report.figures.plot_choropleth` takes it).
    policy
        With a study: the policy drawn (may be left out when the study has one).
    fits
        A :class:`~policydiffusion.curves.CurveFits` (or None): each fitted family is
        drawn as a smooth line, labelled with its AIC; a family without a certified
        optimum (not identified, no finite optimum, not converged: its ``status``) is
        not drawn, its legend entry says so.
    takeoff
        A take-off period to mark with a vertical line.
    lang
        ``"en"`` or ``"zh"`` for labels.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.curves import adoption_curve
    >>> c = adoption_curve(pd.DataFrame({"policy": "p", "unit": list("ABC"), "period": [1, 2, 4]}),
    ...                    units=5)
    >>> ax = plot_adoption_curve(c)
    >>> ax.get_ylabel()
    'Cumulative share of units'
    >>> from policydiffusion.datasets import spid_study
    >>> ax = plot_adoption_curve(spid_study(policies=["aborparc"]), policy="aborparc")
    """
    if not isinstance(curve, pd.DataFrame):
        curve = _study_curve(curve, policy)
    fk = font_kw(lang)
    with styled(lang):
        # inside reuse_figures: the axes of the curve before, emptied (the layout is fixed)
        ax = kept_axes("curve", (lang,)) if ax is None and not title else ax
        ax = new_axes(ax)
        per = curve["period"].to_numpy(float)
        ax.plot(per, curve["cumulative_share"], marker="o", ms=2.5, lw=0, color="black",
                label=tr("Observed", lang), zorder=3)
        if fits is not None:
            grid = np.linspace(per.min() - 1, per.max(), 200)
            for name, f in fits.fits.items():
                col, ls = _STYLES.get(name, ("C5", "-"))
                if not f.has_optimum:  # no curve to draw: said in the legend instead
                    ax.plot([], [], color=col, ls=ls,
                            label=f"{tr(name, lang)}: {tr(f.status.replace('_', ' '), lang)}")
                    continue
                # F(t) is the share by the end of period t, drawn at the period's label
                ax.plot(grid, f.predict_periods(grid), color=col, ls=ls,
                        label=f"{tr(name, lang)} (AIC {f.aic:.1f})")
        if takeoff is not None and not pd.isna(takeoff):
            ax.axvline(float(takeoff), color="grey", lw=0.8, ls=":")
            ax.annotate(" " + tr("Take-off", lang), (float(takeoff), 0.99), xycoords=("data", "axes fraction"),
                        ha="left", va="top", fontsize=7, color="grey", **fk)
        ax.set_ylim(0, 1.02)
        year_ticks(ax.xaxis)
        ax.set_xlabel(tr("Period", lang), **fk)
        ax.set_ylabel(tr("Cumulative share of units", lang), **fk)
        if title:
            ax.set_title(title, **fk)
        # below the x label: a fixed distance in points, whatever the height of the axes
        from matplotlib.transforms import ScaledTranslation

        below = ax.transAxes + ScaledTranslation(0, -32 / 72, ax.figure.dpi_scale_trans)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=below, ncol=2,
                  fontsize=6.5, frameon=False, prop={"family": fk["fontfamily"]} if fk else None)
    return ax



def _study_curve(study, policy: str | None) -> pd.DataFrame:
    from policydiffusion.curves import adoption_curve
    from policydiffusion.errors import InvalidOptionError

    if policy is None:
        ids = study.policies.get_column("policy").to_list()
        if len(ids) != 1:
            raise InvalidOptionError(f"the study has {len(ids)} policies: name the one to "
                                     "draw with policy=.")
        policy = ids[0]
    return adoption_curve(study, policy)

def plot_hazard(curve: pd.DataFrame, *, ax=None, lang: str = "en", title: str | None = None):
    """Discrete hazard of adoption (new / at risk) by period, as bars.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.curves import adoption_curve
    >>> c = adoption_curve(pd.DataFrame({"policy": "p", "unit": list("ABC"), "period": [1, 2, 4]}),
    ...                    units=5)
    >>> len(plot_hazard(c).collections[0].get_paths())  # one bar a period
    4
    """
    fk = font_kw(lang)
    with styled(lang):
        ax = kept_axes("hazard", (lang,)) if ax is None and not title else ax
        ax = new_axes(ax)
        h = curve["hazard"].fillna(0.0)
        _bars(ax, curve["period"].to_numpy(float), h.to_numpy(float), width=0.85, color="C0")
        year_ticks(ax.xaxis)
        ax.set_xlabel(tr("Period", lang), **fk)
        ax.set_ylabel(tr("Hazard of adoption", lang), **fk)
        ax.set_ylim(0, max(float(h.max()) * 1.1, 0.05))
        if title:
            ax.set_title(title, **fk)
    return ax


def _bars(ax, x: np.ndarray, height: np.ndarray, *, width: float, color: str) -> None:
    """Bars from 0 as one collection of rectangles, drawn like ``ax.bar``'s patches (the
    same pixels) without an artist, a transform and a limits update per bar."""
    from matplotlib.collections import PolyCollection

    x0 = x - width / 2
    x1 = x0 + width  # as Rectangle has it: the same limits to the last bit
    bars = np.stack([np.column_stack([x0, x1, x1, x0, x0]),
                     np.column_stack([np.zeros_like(height), np.zeros_like(height), height, height,
                                      np.zeros_like(height)])], axis=2)
    coll = PolyCollection(list(bars), closed=False, facecolors=color, edgecolors="none",
                          linewidths=0)
    coll.sticky_edges.y.append(0)
    ax.add_collection(coll, autolim=True)
    ax.autoscale_view()
