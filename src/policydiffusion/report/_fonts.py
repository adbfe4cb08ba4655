"""Matplotlib settings for report figures: reproducible SVG, and the shipped Chinese font."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

__all__ = ["figure_style"]


@contextmanager
def figure_style(lang: str) -> Iterator[None]:
    """Temporarily set fonts (the shipped Chinese font for ``lang="zh"``) and fixed SVG ids."""
    import matplotlib

    rc = {"svg.hashsalt": "policydiffusion", "figure.dpi": 100, "font.size": 10,
          "axes.spines.top": False, "axes.spines.right": False}
    from policydiffusion.report.figures._fonts import register_fonts

    if lang == "zh":
        rc.update({"font.family": "sans-serif", "font.sans-serif": [register_fonts(), "DejaVu Sans"],
                   "axes.unicode_minus": False})
    else:  # Chinese names in an English figure: glyph-by-glyph fallback to the shipped font
        rc.update({"font.family": "sans-serif", "font.sans-serif": ["DejaVu Sans", register_fonts()]})
    with matplotlib.rc_context(rc):
        yield
