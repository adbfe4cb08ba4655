"""Fonts, sizes and English/Chinese labels for publication figures.

A subset of Noto Sans CJK SC (SIL Open Font License 1.1; see ``report/fonts/``)
ships with the package so Chinese labels render on machines without CJK fonts;
it is registered with matplotlib on first use.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from policydiffusion.errors import check_choice

__all__ = ["CJK_FAMILY", "TRANSLATIONS", "cjk_font_path", "register_fonts", "paper_rc", "tr"]

CJK_FAMILY = "PolicyDiffusion Sans SC"
_FONT_FILE = "PolicyDiffusionSansSC-Regular.otf"

#: Axis labels, titles and legend entries in Chinese (English is the key).
TRANSLATIONS: dict[str, str] = {
    "Period": "时期",
    "Year": "年份",
    "Cumulative share of units": "累计采纳比例",
    "Cumulative adopters": "累计采纳数",
    "Share of units": "单位比例",
    "Hazard": "风险率",
    "Hazard of adoption": "采纳风险率",
    "New adoptions": "新增采纳数",
    "Observed": "观测值",
    "Adoption period": "采纳时期",
    "Adoption year": "采纳年份",
    "Not adopted": "未采纳",
    "No data": "无数据",
    "Region": "地区",
    "Adoption timeline": "采纳时间线",
    "Adoption curve": "采纳曲线",
    "logistic": "逻辑斯谛",
    "gompertz": "冈珀茨",
    "bass": "巴斯",
    "exponential": "修正指数",
    "Take-off": "起飞点",
    "Inflection": "拐点",
    "East": "东部",
    "Central": "中部",
    "West": "西部",
    "Northeast": "东北",
    "South": "南部",
    "Midwest": "中西部",
}


def tr(text: str, lang: str = "en") -> str:
    """Translate a label: ``tr("Hazard", "zh") == "风险率"``; unknown text is kept.

    Examples
    --------
    >>> tr("Year", "zh"), tr("Year", "en"), tr("something else", "zh")
    ('年份', 'Year', 'something else')
    """
    check_choice("lang", lang, ("en", "zh"))
    return TRANSLATIONS.get(text, text) if lang == "zh" else text


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

    Chinese (``lang="zh"``) uses the shipped font for every glyph.

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
    else:
        rc["font.family"] = ["DejaVu Sans"]
    return rc
