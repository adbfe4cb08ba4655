"""Fonts, sizes and English/Chinese labels for publication figures.

A subset of Noto Sans CJK SC (SIL Open Font License 1.1; see ``report/fonts/``)
ships with the package so Chinese labels render on machines without CJK fonts;
it is registered with matplotlib on first use.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from policydiffusion.errors import check_choice
from policydiffusion.report.i18n import figure_label, figure_labels

__all__ = ["CJK_FAMILY", "TRANSLATIONS", "cjk_font_path", "register_fonts", "paper_rc", "tr"]

CJK_FAMILY = "PolicyDiffusion Sans SC"
_FONT_FILE = "PolicyDiffusionSansSC-Regular.otf"

#: Figure labels in Chinese, by their English text: a view of the ``figure.*`` entries
#: of :data:`policydiffusion.report.i18n.TEXT`, where every report string lives.
TRANSLATIONS: dict[str, str] = figure_labels("zh")


def tr(text: str, lang: str = "en") -> str:
    """Translate a label: ``tr("Hazard", "zh") == "风险率"``; unknown text is kept.

    Examples
    --------
    >>> tr("Year", "zh"), tr("Year", "en"), tr("something else", "zh")
    ('年份', 'Year', 'something else')
    """
    check_choice("lang", lang, ("en", "zh"))
    return figure_label(text, lang)


def cjk_font_path() -> Path:
    """Path of the shipped Chinese font file.

    Examples
    --------
    >>> p = cjk_font_path()
    >>> p.name, p.exists()
    ('PolicyDiffusionSansSC-Regular.otf', True)
    """
    return Path(str(resources.files("policydiffusion.report") / "fonts" / _FONT_FILE))


_registered = False


def register_fonts() -> str:
    """Register the shipped Chinese font with matplotlib (once); returns its family name."""
    global _registered
    if not _registered:
        from matplotlib import font_manager

        font_manager.fontManager.addfont(str(cjk_font_path()))
        _registered = True
    return CJK_FAMILY


def paper_rc(lang: str = "en") -> dict:
    """rcParams for a single-column figure (about 3.5 in wide, 8-9 pt text).

    Chinese (``lang="zh"``) uses the shipped font for every glyph; English uses
    DejaVu Sans and the shipped font for the glyphs DejaVu lacks (Chinese unit names).

    Examples
    --------
    >>> paper_rc("zh")["font.family"]
    ['PolicyDiffusion Sans SC', 'DejaVu Sans']
    """
    check_choice("lang", lang, ("en", "zh"))
    rc = {
        "font.size": 8, "axes.titlesize": 9, "axes.labelsize": 8, "xtick.labelsize": 7,
        "ytick.labelsize": 7, "legend.fontsize": 7, "legend.frameon": False,
        "axes.spines.top": False, "axes.spines.right": False, "lines.linewidth": 1.2,
        "savefig.bbox": "tight", "savefig.dpi": 300, "pdf.fonttype": 42, "svg.fonttype": "path",
        "figure.figsize": (3.5, 2.6),
    }
    if lang == "zh":
        rc["font.family"] = [register_fonts(), "DejaVu Sans"]
    else:  # Chinese unit names in an English figure fall back, glyph by glyph, to the shipped font
        rc["font.family"] = ["DejaVu Sans", register_fonts()]
    return rc
