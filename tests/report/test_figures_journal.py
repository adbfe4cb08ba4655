"""Figures ready for a journal (issue 16, item 16): whole-year ticks, no needless
"Not adopted" key, readable timeline labels."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest

from policydiffusion.curves import adoption_curve
from policydiffusion.datasets import spid_study
from policydiffusion.report.figures import plot_adoption_curve, plot_adoption_timeline, plot_choropleth
from policydiffusion.report.figures import plot_hazard
from policydiffusion.report.figures.maps import plot_tile_grid


def _labels(ax_axis, lo, hi):
    ax_axis.figure.canvas.draw()
    return [t.get_text() for t in ax_axis.get_ticklabels() if lo <= t.get_position()[0] <= hi]


@pytest.mark.parametrize("plot", [plot_adoption_curve, plot_hazard])
@pytest.mark.parametrize("periods", [[2014, 2015], [2013, 2014, 2015]])
def test_short_span_gets_whole_year_ticks(plot, periods):
    c = adoption_curve(pd.DataFrame({"policy": "p", "unit": list("ABC")[:len(periods)], "period": periods}),
                       units=6)
    ax = plot(c)
    labels = _labels(ax.xaxis, periods[0], periods[-1])
    plt.close(ax.figure)
    assert labels and all(t.lstrip("−-").isdigit() for t in labels), labels


@pytest.fixture(scope="module")
def spid():
    return spid_study(policies=["antibully", "aborparc"])


@pytest.mark.parametrize("plot", [plot_choropleth, plot_tile_grid])
def test_not_adopted_key_only_when_someone_did_not_adopt(spid, plot):
    all_adopted = plot(spid, "antibully")  # 50 of 50 states
    some = plot(spid, "aborparc")  # 15 of 50
    try:
        assert all_adopted.get_legend() is None
        assert [t.get_text() for t in some.get_legend().get_texts()] == ["Not adopted"]
        cb = [a for a in all_adopted.figure.axes if a is not all_adopted][0]
        lo, hi = cb.get_xlim()
        assert all(t.isdigit() for t in _labels(cb.xaxis, lo, hi))
    finally:
        plt.close("all")


def test_timeline_labels_readable():
    ax = plot_adoption_timeline(spid_study(policies=["aborparc"]), "aborparc")
    sizes = [t.get_fontsize() for t in ax.texts]
    plt.close(ax.figure)
    assert sizes and min(sizes) >= 6


def test_chinese_unit_names_in_an_english_figure_have_glyphs():
    """Issue 16, item 14: `--lang en` figures fall back to the shipped CJK font."""
    import warnings

    from policydiffusion.curves import as_study

    s = as_study(pd.DataFrame({"policy": "p", "unit": ["北京", "上海", "广东"], "period": [2001, 2002, 2003]}),
                 units=["北京", "上海", "广东", "江苏"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax = plot_adoption_timeline(s, "p", lang="en")
        ax.figure.canvas.draw()
    plt.close(ax.figure)
    assert not [w for w in caught if "missing from font" in str(w.message)]


def test_network_labels_do_not_overlap():
    """Issue 16, item 16: labels of nodes close together go to free spots around them."""
    from policydiffusion.report.figures.network import plot_network
    from policydiffusion.report.figures._common import figure_renderer

    units = pd.DataFrame({"unit": list("ABCD"), "name": ["Alabama", "Alaska", "Arizona", "Arkansas"],
                          "lon": [0.0, 0.02, 0.0, 5.0], "lat": [0.0, 0.0, 0.03, 5.0]})
    edges = pd.DataFrame({"origin": ["A", "B", "C"], "destination": ["B", "C", "D"]})
    ax = plot_network(edges, units=units)
    r = figure_renderer(ax.figure)
    boxes = [t.get_window_extent(r) for t in ax.texts]
    plt.close(ax.figure)
    assert len(boxes) == 4
    for i in range(4):
        for j in range(i):
            assert not boxes[i].overlaps(boxes[j]), (ax.texts[i].get_text(), ax.texts[j].get_text())


@pytest.mark.parametrize("names", [["广东", "北京市", "四川省"], ["Guangdong", "Beijing", "Sichuan"]])
def test_china_map_matches_units_by_name(names):
    """Issue 16, item 15: provinces named in Chinese or English find their shapes."""
    import warnings

    from matplotlib.collections import PolyCollection

    from policydiffusion.curves import as_study

    s = as_study(pd.DataFrame({"policy": "p", "unit": names[:2], "period": [2001, 2002]}), units=names)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ax = plot_choropleth(s, "p")
    polys = [c for c in ax.collections if isinstance(c, PolyCollection)]
    plt.close(ax.figure)
    assert polys and len(polys[0].get_paths()) >= 34  # the whole map, not a tile grid


def test_map_fallback_to_tile_grid_is_said():
    from policydiffusion.curves import as_study
    from policydiffusion.errors import PolicyDiffusionWarning

    s = as_study(pd.DataFrame({"policy": "p", "unit": ["Atlantis", "Lemuria"], "period": [1, 2]}), units=3)
    with pytest.warns(PolicyDiffusionWarning, match="tile grid"):
        ax = plot_choropleth(s, "p")
    plt.close(ax.figure)
