"""Figure drawers for the report: each returns ``draw(lang) -> matplotlib Figure``.

They call the plotting functions of :mod:`policydiffusion.report.figures`,
:mod:`policydiffusion.report.effect_plots` and the network plot with the run's
results; the language only changes labels.
"""

from __future__ import annotations

import math
from typing import Callable, Mapping

from policydiffusion.report.i18n import term_label, tr

__all__ = ["curves_drawer", "hazard_drawer", "map_drawer", "timeline_drawer", "network_drawer",
           "marginal_drawer", "subgroup_drawer", "simulation_drawer", "group_label", "unit_names"]

Drawer = Callable[[str], object]


def unit_names(study: object, lang: str) -> dict[str, str]:
    """Display names of units in ``lang`` (``name_zh`` for Chinese when present)."""
    from policydiffusion.report.figures._common import unit_labels

    return unit_labels(study, lang)


def group_label(group: object, lang: str) -> str:
    """A subgroup's display text: ``low``/``high`` translated, other values as they are."""
    if group in ("low", "high"):
        return tr(f"group.{group}", lang)
    return str(group)


def _grid(n: int, *, width: float = 9.0, height: float = 2.6):
    import matplotlib.pyplot as plt

    ncols = min(3, n)
    nrows = math.ceil(n / ncols)
    if n == 1:
        width, height = 6.0, 3.6
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height * nrows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def _small_multiples(descriptions: Mapping, label: Callable[[str, str], str],
                     panel: Callable[..., object]) -> Drawer:
    def draw(lang: str) -> object:
        fig, axes = _grid(len(descriptions))
        for ax, (p, d) in zip(axes, descriptions.items()):
            panel(d, ax=ax, lang=lang, title=label(p, lang))
        fig.tight_layout()
        return fig
    return draw


def curves_drawer(descriptions: Mapping, label: Callable[[str, str], str]) -> Drawer:
    """Small multiples: each policy's cumulative adoption share with fitted curves."""
    from policydiffusion.report.figures import plot_adoption_curve

    return _small_multiples(descriptions, label, lambda d, **kw: plot_adoption_curve(
        d.curve, d.fits, takeoff=d.takeoff.get("takeoff_period"), **kw))


def hazard_drawer(descriptions: Mapping, label: Callable[[str, str], str]) -> Drawer:
    """Small multiples: each policy's adoption rate among units still at risk."""
    from policydiffusion.report.figures import plot_hazard

    return _small_multiples(descriptions, label, lambda d, **kw: plot_hazard(d.curve, **kw))


def map_drawer(study: object, policy: str) -> Drawer:
    """A choropleth of adoption periods (US states or Chinese provinces)."""
    def draw(lang: str) -> object:
        import matplotlib.pyplot as plt

        from policydiffusion.report.figures import plot_choropleth

        fig, ax = plt.subplots(figsize=(8, 5))
        plot_choropleth(study, policy, ax=ax, lang=lang)
        return fig
    return draw


def timeline_drawer(study: object, policy: str) -> Drawer:
    """Adoptions over time, one row per unit, grouped by region."""
    def draw(lang: str) -> object:
        import matplotlib.pyplot as plt

        from policydiffusion.report.figures import plot_adoption_timeline

        # near the paper size the function is drawn for (its unit labels are 4 pt)
        n = len(study.unit_ids)  # type: ignore[attr-defined]
        fig, ax = plt.subplots(figsize=(4.5, max(3.0, 0.085 * n + 1.0)))
        plot_adoption_timeline(study, policy, ax=ax, lang=lang)
        return fig
    return draw


def network_drawer(study: object, edges: object, *, top: int = 150) -> Drawer:
    """The inferred network (its ``top`` strongest edges), nodes labelled in ``lang``."""
    def draw(lang: str) -> object:
        import matplotlib.pyplot as plt

        from policydiffusion.report.figures.network import plot_network

        units = study.units.to_pandas()  # type: ignore[attr-defined]
        label = "name_zh" if lang == "zh" and "name_zh" in units.columns else (
            "unit" if units["unit"].str.len().max() <= 3 else "name")
        fig, ax = plt.subplots(figsize=(9, 6))
        plot_network(edges, units=units, ax=ax, label_col=label, top=top)
        return fig
    return draw


def marginal_drawer(mo: object, labels: Mapping) -> Drawer:
    """Marginal effect of a variable across a moderator with 95% intervals: points at the
    observed values of a discrete moderator, a band over a continuous one's observed range
    with a rug of its values."""
    def draw(lang: str) -> object:
        import matplotlib.pyplot as plt

        from policydiffusion.report.effect_plots import plot_marginal_effect

        fig, ax = plt.subplots(figsize=(5.5, 3.4))
        f = mo.frame  # type: ignore[attr-defined]
        probability = bool((f["scale"] == "response").all()) if "scale" in f else False
        discrete = bool(f["discrete"].all()) if "discrete" in f else False
        plot_marginal_effect(f, x="value", effect="estimate", ax=ax, discrete=discrete,
                             rug=None if discrete else mo.observed,  # type: ignore[attr-defined]
                             xlabel=term_label(mo.moderator, lang, labels),  # type: ignore[attr-defined]
                             ylabel=tr("axis.effect_prob" if probability
                                       else "axis.effect_linear", lang),
                             band_label=tr("legend.ci", lang),
                             no_interval_note=tr("fig.no_interval", lang))
        return fig
    return draw


def subgroup_drawer(h: object, labels: Mapping) -> Drawer:
    """Subgroup estimates side by side with 95% intervals."""
    def draw(lang: str) -> object:
        from policydiffusion.report.effect_plots import plot_subgroup_estimates

        f = h.frame  # type: ignore[attr-defined]
        if "not_estimable" in f:  # no marker, no interval for what cannot be estimated
            f = f[~f["not_estimable"].fillna("").astype(bool)]
        firth = "estimator" in f and (f["estimator"] == "firth").any()
        ax = plot_subgroup_estimates(
            f, xlabel=tr("axis.estimate_firth" if firth else "axis.estimate", lang),
            term_labels={t: term_label(t, lang, labels) for t in f["term"]},
            group_labels={g: group_label(g, lang) for g in f["group"]},
            no_interval_note=tr("fig.no_interval", lang))
        return ax.figure
    return draw


def simulation_drawer(frame: object) -> Drawer:
    """Observed cumulative share and the simulated mean with its 95% band."""
    def draw(lang: str) -> object:
        import matplotlib.pyplot as plt

        f = frame  # type: ignore[assignment]
        fig, ax = plt.subplots(figsize=(5.5, 3.4))
        ax.fill_between(f["period"], f["simulated_q025"], f["simulated_q975"], color="#9ecae1",
                        alpha=0.6, linewidth=0, label=tr("legend.sim_band", lang))
        ax.plot(f["period"], f["simulated_mean"], color="#08519c", label=tr("legend.sim_mean", lang))
        ax.plot(f["period"], f["observed"], color="black", drawstyle="steps-post",
                label=tr("legend.observed", lang))
        ax.set_xlabel(tr("axis.period", lang))
        ax.set_ylabel(tr("axis.cumulative_share", lang))
        ax.set_ylim(0, 1.02)
        ax.legend(loc="upper left", frameon=False, fontsize="small")
        return fig
    return draw
