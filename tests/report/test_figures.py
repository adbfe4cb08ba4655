"""Every figure type renders for SPID and China data; Chinese labels have all glyphs."""

from __future__ import annotations

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from policydiffusion.curves import adoption_curve, fit_curves  # noqa: E402
from policydiffusion.datasets import china_provinces_units, spid_study  # noqa: E402
from policydiffusion.report.figures import (TRANSLATIONS, cjk_font_path, plot_adoption_curve,  # noqa: E402
                                            plot_adoption_timeline, plot_choropleth, plot_hazard,
                                            plot_tile_grid, save_figure)
from policydiffusion.study import load_study  # noqa: E402


@pytest.fixture(scope="module")
def spid():
    return spid_study(policies=["antibully", "aborparc"])


@pytest.fixture(scope="module")
def china():
    u = china_provinces_units()
    rng = np.random.default_rng(4)
    chosen = rng.choice(u["unit"].to_numpy(), size=24, replace=False)
    adopt = pd.DataFrame({"policy": "mobile_gov", "unit": chosen, "time": rng.integers(2010, 2020, 24)})
    return load_study(adopt, units=u, end=2020)


def _check_files(paths):
    from matplotlib.image import imread

    assert [p.suffix for p in paths] == [".png", ".svg", ".pdf"]
    for p in paths:
        assert p.stat().st_size > 5_000, p
    img = imread(paths[0])
    non_white = np.mean(np.any(img[..., :3] < 0.95, axis=-1))
    assert non_white > 0.02, non_white


def _figures(study, policy, lang):
    c = adoption_curve(study, policy)
    fits = fit_curves(study, policy, models=("logistic", "bass"))
    yield "curve", plot_adoption_curve(c, fits, lang=lang, takeoff=c["period"].iloc[2])
    yield "hazard", plot_hazard(c, lang=lang)
    yield "map", plot_choropleth(study, policy, lang=lang, labels=lang == "zh")
    yield "tiles", plot_tile_grid(study, policy, lang=lang)
    yield "timeline", plot_adoption_timeline(study, policy, lang=lang)


@pytest.mark.parametrize("which,lang", [("spid", "en"), ("china", "zh"), ("china", "en")])
def test_every_figure_renders(which, lang, spid, china, tmp_path):
    study, policy = (spid, "antibully") if which == "spid" else (china, "mobile_gov")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        warnings.filterwarnings("error", message=".*findfont.*")
        for name, ax in _figures(study, policy, lang):
            assert isinstance(ax, matplotlib.axes.Axes)
            _check_files(save_figure(ax, tmp_path / f"{which}_{lang}_{name}"))
            plt.close(ax.figure)


def test_axes_passed_in_are_used(spid):
    fig, axes = plt.subplots(1, 2)
    c = adoption_curve(spid, "aborparc")
    assert plot_adoption_curve(c, ax=axes[0]) is axes[0]
    assert plot_choropleth(spid, "aborparc", ax=axes[1]) is axes[1]
    plt.close(fig)


def test_chinese_labels_really_use_the_shipped_font(china, tmp_path):
    ax = plot_adoption_timeline(china, "mobile_gov", lang="zh")
    fam = ax.xaxis.label.get_fontfamily()
    assert fam[0] == "PolicyDiffusion Sans SC"
    from matplotlib import font_manager

    assert font_manager.findfont(font_manager.FontProperties(family=fam[0]), fallback_to_default=False) \
        == str(cjk_font_path())
    plt.close(ax.figure)


def test_font_covers_every_chinese_label():
    from fontTools.ttLib import TTFont

    cmap = TTFont(str(cjk_font_path())).getBestCmap()
    u = china_provinces_units()
    from policydiffusion.report.i18n import TERMS, TEXT

    # every Chinese string of the report (figure titles, axes and legends are drawn from them)
    text = "".join(v["zh"] for v in TEXT.values()) + "".join(v["zh"] for v in TERMS.values())
    text += "".join(TRANSLATIONS.values()) + "".join(u["name_zh"]) + "".join(u["geo_region_zh"])
    text += "0123456789-−.,()（）年"
    missing = sorted({ch for ch in text if ord(ch) not in cmap})
    assert not missing, missing
    # GB2312 level 1 is complete
    level1 = [bytes([hi, lo]).decode("gb2312") for hi in range(0xB0, 0xD8) for lo in range(0xA1, 0xFF)
              if not (hi == 0xD7 and lo > 0xF9)]
    assert len(level1) == 3755 and all(ord(ch) in cmap for ch in level1)


def test_font_licence_ships_with_font():
    lic = cjk_font_path().parent / "OFL.txt"
    assert "SIL OPEN FONT LICENSE Version 1.1" in lic.read_text(encoding="utf-8")


def test_tile_grid_fallback_for_units_without_geometry(tmp_path):
    from policydiffusion.curves import as_study

    s = as_study(pd.DataFrame({"policy": "p", "unit": ["a", "b", "c"], "period": [1, 2, 3]}), units=7)
    with pytest.warns(UserWarning, match="drawing a tile grid instead"):  # the fallback is said
        ax = plot_choropleth(s, "p")
    assert len(ax.patches) == 7
    plt.close(ax.figure)


def test_missing_glyph_check_can_fail(tmp_path):
    """Without the shipped font, Chinese text triggers the warning the tests turn into errors."""
    fig, ax = plt.subplots()
    ax.set_title("采纳时期", fontfamily="DejaVu Sans")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*[Gg]lyph.*missing")
        with pytest.raises(UserWarning):
            fig.savefig(tmp_path / "x.png")
    plt.close(fig)


def _label_boxes(ax):
    """Window extents of the map's unit labels (texts in data coordinates)."""
    r = ax.figure.canvas.get_renderer()
    return {t.get_text(): t.get_window_extent(r) for t in ax.texts}


def _n_overlaps(boxes) -> int:
    b = list(boxes.values())
    return sum(b[i].overlaps(b[j]) for i in range(len(b)) for j in range(i + 1, len(b)))


def test_map_labels_do_not_overlap_and_small_states_get_callouts(spid):
    ax = plot_choropleth(spid, "antibully", labels=True)
    boxes = _label_boxes(ax)
    assert set(boxes) == set(spid.unit_ids)  # every state labelled, by postal code
    assert _n_overlaps(boxes) == 0
    # Rhode Island's label sits outside the state, joined by a leader line
    from policydiffusion.report.figures.maps import _shapes

    ri = _shapes("us_states")[0]["RI"]
    x, y = next(t for t in ax.texts if t.get_text() == "RI").get_position()
    assert x > max(r[:, 0].max() for r in ri)
    assert any(np.isclose(line.get_ydata()[-1], y) for line in ax.lines)
    plt.close(ax.figure)
    # the old behaviour (all labels at the centre) does overlap: the check can fail
    ax = plot_choropleth(spid, "antibully", labels=True, small="inside")
    assert _n_overlaps(_label_boxes(ax)) > 0 and not ax.lines
    plt.close(ax.figure)
    ax = plot_choropleth(spid, "antibully", labels=True, small="skip")
    assert {"RI", "DE", "CA", "TX"} & set(_label_boxes(ax)) == {"CA", "TX"} and not ax.lines
    plt.close(ax.figure)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_china_map_labels_beijing_tianjin_shanghai_by_callout(china, lang):
    from policydiffusion.report.figures._common import unit_labels

    ax = plot_choropleth(china, "mobile_gov", labels=True, lang=lang)
    boxes = _label_boxes(ax)
    names = unit_labels(china, lang)
    assert set(boxes) == set(names.values()) and _n_overlaps(boxes) == 0
    called_out = {t.get_text() for t in ax.texts if t.get_ha() == "left"}
    assert {names["110000"], names["120000"], names["310000"]} <= called_out
    assert names["650000"] not in called_out  # Xinjiang is labelled inside
    plt.close(ax.figure)


def test_map_label_options_are_checked(spid):
    from policydiffusion.errors import InvalidOptionError

    with pytest.raises(InvalidOptionError, match="small"):
        plot_choropleth(spid, "antibully", labels=True, small="shrink")
    with pytest.raises(InvalidOptionError, match="label_by"):
        plot_choropleth(spid, "antibully", labels=True, label_by="code")


def test_timeline_units_stacked_and_labels_inside_axes(spid):
    s = spid_study(policies=["smokeban"])
    ax = plot_adoption_timeline(s, "smokeban")
    r = ax.figure.canvas.get_renderer()
    marked = [line for line in ax.lines if line.get_marker() in ("o", "x")]
    assert len(marked) <= 2  # one line of dots, one of crosses: not one line per unit
    points = [(float(x), float(y)) for line in marked for x, y in zip(line.get_xdata(), line.get_ydata())]
    assert len(points) == 50 and len(set(points)) == 50  # same-year adopters never share a spot
    right = ax.get_window_extent(r).x1
    labels = [t for t in ax.texts if t.get_text() in set(s.units["name"].to_list())]
    assert len(labels) == 50 and all(t.get_window_extent(r).x1 <= right + 0.5 for t in labels)
    _, end = s.policy_window("smokeban")
    assert max(ax.get_xticks()) <= end
    assert any(t.get_text() == "Not adopted" for t in ax.texts)
    plt.close(ax.figure)
