"""Matplotlib settings for report figures: deterministic SVG and a Chinese-capable font."""

from __future__ import annotations

from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator

__all__ = ["figure_style", "cjk_font_family"]

_CJK_CANDIDATES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                   "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "PingFang SC",
                   "Heiti SC", "Arial Unicode MS")


@lru_cache(maxsize=1)
def cjk_font_family() -> str | None:
    """Name of an installed font that has Chinese glyphs, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_CANDIDATES if name in installed), None)


def _shipped_cjk() -> str | None:
    """The Chinese font shipped with the figures (registered on first use)."""
    try:
        from policydiffusion.report.figures._fonts import register_fonts
    except ImportError:
        return None
    return register_fonts()


@contextmanager
def figure_style(lang: str) -> Iterator[None]:
    """Temporarily set fonts (Chinese-capable for ``lang="zh"``) and reproducible SVG ids."""
    import matplotlib

    rc = {"svg.hashsalt": "policydiffusion", "figure.dpi": 100, "font.size": 10,
          "axes.spines.top": False, "axes.spines.right": False}
    if lang == "zh":
        family = _shipped_cjk() or cjk_font_family()
        if family is not None:
            rc.update({"font.family": "sans-serif",
                       "font.sans-serif": [family, "DejaVu Sans"], "axes.unicode_minus": False})
    with matplotlib.rc_context(rc):
        yield
