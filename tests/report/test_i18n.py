"""Every English text has a Chinese one, with the same fields to fill in."""

import string

import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.report import figures
from policydiffusion.report.i18n import TERMS, TEXT, figure_label, pick, term_label, tr


def _fields(text):
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


@pytest.mark.parametrize("table", [TEXT, TERMS], ids=["TEXT", "TERMS"])
def test_every_english_key_has_chinese(table):
    missing = [k for k, v in table.items() if not v.get("zh", "").strip()]
    assert not missing, f"no Chinese text for {missing}"
    assert all(v.get("en", "").strip() for v in table.values())


def test_placeholders_match_between_languages():
    bad = [k for k, v in TEXT.items() if _fields(v["en"]) != _fields(v["zh"])]
    assert not bad


def test_chinese_texts_are_chinese():
    # a Chinese entry that is just the English text again is a missing translation
    same = [k for k, v in TEXT.items() if v["en"] == v["zh"] and any(c.isalpha() for c in v["en"])
            and not k.startswith("link.") and k not in ("col.sha256",)]
    assert not same, same


def test_lookup_and_fallbacks():
    assert tr("heading.summary", "zh") == "概要"
    with pytest.raises(InvalidOptionError):
        tr("heading.summary", "fr")
    assert pick({"en": "E"}, "zh") == "E"
    assert term_label("national_share", "zh") == "全国采纳比例"
    assert term_label("neighbors_adopted_share", "en") == "Neighbours adopted (share)"
    assert term_label("unknown_col", "zh") == "unknown_col"


def test_figure_labels_come_from_the_one_table():
    fig = {k: v for k, v in TEXT.items() if k.startswith("figure.")}
    english = [v["en"] for v in fig.values()]
    assert len(english) == len(set(english)), "two figure labels share an English text"
    # the figures package reads TEXT: same labels, same lookups, nothing of its own
    assert figures.TRANSLATIONS == {v["en"]: v["zh"] for v in fig.values()}
    for v in fig.values():
        assert figures.tr(v["en"], "zh") == figure_label(v["en"], "zh") == v["zh"]
        assert figures.tr(v["en"], "en") == v["en"]
    with pytest.raises(InvalidOptionError):
        figures.tr("Year", "fr")


def test_chinese_wording_reviewed():
    """Issue 16, item 18: no machine-translation tells, no nested mixed-width brackets
    around model labels such as "(2) 强制"."""
    import re
    import string

    from policydiffusion.report.i18n import TEXT

    for key, entry in TEXT.items():
        zh = entry.get("zh", "")
        for bad in ("静默", "巴斯", "观察期于", "单元-时期"):
            assert bad not in zh, (key, bad)
        names = [f for _, f, _, _ in string.Formatter().parse(zh) if f]
        if any(n in ("model", "models") for n in names):
            text = zh.format(**{n: "(2) 强制" if n in ("model", "models") else "X" for n in names})
            assert not re.search(r"（[^（）]*\(2\) 强制[^（）]*）", text), (key, text)


def test_methods_say_when_the_ridge_is_ruled_out():
    """The methods read as if the ridge were always ruled out; ``CurveFits._undecided``
    rules it out only where the exponential or Bass is fitted with an optimum."""
    from policydiffusion.curves import CurveFits

    d = TEXT["methods.describe"]
    assert "ridge toward the modified exponential where the exponential or Bass curve is fitted " \
           "with an optimum" in d["en"]
    assert "唯有趋向修正指数曲线的脊在修正指数或 Bass 曲线有最优解时被排除" in d["zh"]
    assert "except the ridge where the exponential or Bass is fitted with an optimum" \
           in " ".join(CurveFits.__doc__.split())
