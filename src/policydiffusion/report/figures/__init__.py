"""Publication figures (matplotlib): adoption curves, hazards, maps, timelines, event
studies and re-invention drift.

Every function takes data or results and ``ax=None`` and returns the axes; none
calls ``plt.show()``. :func:`save_figure` writes PNG, SVG and PDF. Labels come in
English or Chinese (``lang="zh"``) with a shipped Chinese font. (The event-study and
drift figures return their Figure, as they did where they lived before.)
"""

from policydiffusion.report.figures._common import save_figure
from policydiffusion.report.figures._fonts import CJK_FAMILY, TRANSLATIONS, cjk_font_path, paper_rc, tr
from policydiffusion.report.figures.curves import plot_adoption_curve, plot_hazard
from policydiffusion.report.figures.effects import plot_event_study
from policydiffusion.report.figures.levels import plot_level_timeline
from policydiffusion.report.figures.maps import US_TILE_GRID, plot_choropleth, plot_tile_grid
from policydiffusion.report.figures.reinvention import plot_drift
from policydiffusion.report.figures.timeline import plot_adoption_timeline

__all__ = ["CJK_FAMILY", "TRANSLATIONS", "US_TILE_GRID", "cjk_font_path", "paper_rc", "plot_adoption_curve",
           "plot_adoption_timeline", "plot_level_timeline", "plot_choropleth", "plot_hazard", "plot_tile_grid", "save_figure", "tr",
           "plot_event_study", "plot_drift"]
