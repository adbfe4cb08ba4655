"""Issue 16, item 15: China maps draw Taiwan and the South China Sea inset (南海诸岛)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PolyCollection  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

from policydiffusion.datasets import china_provinces_units, dataset_path  # noqa: E402
from policydiffusion.datasets.china_levels import china_covid_study  # noqa: E402
from policydiffusion.report.figures import plot_choropleth  # noqa: E402
from policydiffusion.report.figures.maps import (NO_ADOPTION, NO_DATA, _CN, _lat_cn, _rings,  # noqa: E402
                                                 albers, load_geometry)
from policydiffusion.study import load_study  # noqa: E402


def _province_study(*, taiwan: bool = False):
    u = china_provinces_units(mainland_only=not taiwan)
    adopt = pd.DataFrame({"policy": "p", "unit": ["110000", "440000", "460000"] + ["710000"] * taiwan,
                          "time": [2012, 2014, 2016] + [2018] * taiwan})
    return load_study(adopt, units=u, end=2020)


@pytest.fixture(scope="module")
def provinces():
    return _province_study()


@pytest.fixture(scope="module")
def prefectures():
    return china_covid_study(policies=["home_isolation"])


def _inset(ax):
    (iax,) = ax.child_axes
    return iax


def _dashes(iax) -> list:
    lc = [c for c in iax.collections if isinstance(c, LineCollection)][0]
    return lc.get_segments()


def _main_vertices(ax) -> np.ndarray:
    return np.vstack([p.vertices for p in ax.collections[0].get_paths()])


def _face_of(ax, code: str):
    """Facecolour of the polygon drawn for the largest ring of province ``code``."""
    f = next(f for f in load_geometry("china_provinces")["features"] if str(f["properties"]["code"]) == code)
    ring = max(_rings(f["geometry"]), key=len)
    want = np.column_stack(albers(ring[:, 0], ring[:, 1], **_CN))
    coll = ax.collections[0]
    for i, p in enumerate(coll.get_paths()):
        v = p.vertices
        if len(v) >= len(want) and np.allclose(v[: len(want)], want):
            return tuple(coll.get_facecolors()[i])
    return None


def test_province_map_has_the_inset_with_the_nine_dashes_by_default(provinces):
    ax = plot_choropleth(provinces, "p")
    iax = _inset(ax)
    segs = _dashes(iax)
    assert len(segs) == 9 and all(len(s) == 15 for s in segs)
    # every dash lies inside the inset's frame, and the inset at the lower right of the map
    x0, x1 = iax.get_xlim()
    y0, y1 = iax.get_ylim()
    allv = np.vstack(segs)
    assert (allv[:, 0] > x0).all() and (allv[:, 0] < x1).all() and (allv[:, 1] > y0).all() \
        and (allv[:, 1] < y1).all()
    ax.figure.canvas.draw()
    box, main = iax.get_window_extent(), ax.get_window_extent()
    assert box.x0 > main.x0 + 0.6 * main.width and box.y1 < main.y0 + 0.5 * main.height
    # the islands (Sansha) are drawn in Hainan's colour
    isl = [c for c in iax.collections if isinstance(c, PolyCollection)][1]
    assert len(isl.get_paths()) == 220
    assert np.allclose(isl.get_facecolors(), _face_of(ax, "460000"))
    assert [t.get_text().replace("\n", " ") for t in iax.texts] == ["South China Sea Islands"]
    plt.close(ax.figure)


def test_inset_sits_clear_of_the_land(provinces):
    ax = plot_choropleth(provinces, "p", labels=True)
    iax = _inset(ax)
    ax.figure.canvas.draw()
    box = iax.get_window_extent().transformed(ax.transData.inverted())
    v = _main_vertices(ax)
    inside = (v[:, 0] > box.x0) & (v[:, 0] < box.x1) & (v[:, 1] > box.y0) & (v[:, 1] < box.y1)
    assert not inside.any()
    plt.close(ax.figure)


def test_chinese_inset_is_labelled_nanhai_zhudao(provinces):
    ax = plot_choropleth(provinces, "p", lang="zh")
    assert [t.get_text() for t in _inset(ax).texts] == ["南海诸岛"]
    plt.close(ax.figure)


def test_prefecture_map_has_the_inset_and_taiwan_and_its_main_map_stops_at_hainan(prefectures):
    ax = plot_choropleth(prefectures, "home_isolation")
    assert len(_dashes(_inset(ax))) == 9
    # Sansha's islands reach 3.8N; on the main map they would stretch it to the equator
    assert _lat_cn(_main_vertices(ax)).min() > 18.0
    # ... and they are in the inset instead, with Sansha's colour
    isl = [c for c in _inset(ax).collections if isinstance(c, PolyCollection)][1]
    assert len(isl.get_paths()) >= 200
    # the prefecture source has no Taiwan: drawn from the province map
    assert _face_of(ax, "710000") == to_rgba(NO_DATA)
    plt.close(ax.figure)
    ax = plot_choropleth(prefectures, "home_isolation", scs_inset=False)
    assert not ax.child_axes and _lat_cn(_main_vertices(ax)).min() < 4.0
    plt.close(ax.figure)


def test_no_inset_when_switched_off_or_on_the_us_map(provinces):
    from policydiffusion.datasets import spid_study

    ax = plot_choropleth(provinces, "p", scs_inset=False)
    assert not ax.child_axes
    plt.close(ax.figure)
    ax = plot_choropleth(spid_study(policies=["antibully"]), "antibully")
    assert not ax.child_axes
    plt.close(ax.figure)


def test_taiwan_is_drawn_light_grey_outside_the_study_and_coloured_in_it(provinces):
    assert np.dot(to_rgba(NO_DATA)[:3], [0.299, 0.587, 0.114]) < 0.95  # visible on white paper
    assert to_rgba(NO_DATA) != to_rgba(NO_ADOPTION)
    ax = plot_choropleth(provinces, "p")
    assert _face_of(ax, "710000") == to_rgba(NO_DATA)
    plt.close(ax.figure)
    with_taiwan = _province_study(taiwan=True)
    ax = plot_choropleth(with_taiwan, "p")
    face = _face_of(ax, "710000")
    assert face is not None and face not in (to_rgba(NO_DATA), to_rgba(NO_ADOPTION))
    assert face != _face_of(ax, "110000")  # adopted in 2018, Beijing in 2012
    plt.close(ax.figure)


def test_shipped_inset_geometry_and_its_provenance():
    gj = load_geometry("china_scs_inset")
    kinds = [f["properties"]["kind"] for f in gj["features"]]
    assert kinds.count("dash") == 9 and kinds.count("islands") == 1 and kinds.count("reef") == 1
    for f in gj["features"]:
        pts = np.vstack([np.asarray(r, float) for r in (
            [f["geometry"]["coordinates"]] if f["geometry"]["type"] == "LineString"
            else [p[0] for p in f["geometry"]["coordinates"]])])
        assert ((pts[:, 0] >= 105) & (pts[:, 0] <= 125) & (pts[:, 1] >= 2) & (pts[:, 1] <= 24)).all()
    # the islands are Sansha's polygons of the shipped prefecture map, unchanged
    sansha = next(f for f in load_geometry("china_prefectures")["features"]
                  if f["properties"]["code"] == "460300")
    islands = next(f for f in gj["features"] if f["properties"]["kind"] == "islands")
    assert islands["geometry"]["coordinates"] == sansha["geometry"]["coordinates"]
    assert dataset_path("geo/china_scs_inset.geojson").stat().st_size < 30_000
    prov = dataset_path("PROVENANCE.md").read_text(encoding="utf-8")
    for needle in ("china_scs_inset.geojson", "nvkelso/natural-earth-vector",
                   "6a9da465f6f05b9936e34340d6a81a00f79ac1a2",
                   "ne_10m_admin_0_boundary_lines_maritime_indicator_chn.geojson", "public domain", "审图号"):
        assert needle in prov, needle


# Dongsha (东沙群岛, Pratas): the fourth island group of 南海诸岛, missing until its reef was added
_PRATAS = (116.7, 20.7)
_SOURCES = Path(__file__).parent / "data" / "scs_inset_sources"


def _near_pratas(lonlat: np.ndarray) -> np.ndarray:
    return np.hypot(lonlat[:, 0] - _PRATAS[0], lonlat[:, 1] - _PRATAS[1]) < 0.3


def test_shipped_inset_has_dongsha_reef():
    gj = load_geometry("china_scs_inset")
    (reef,) = [f for f in gj["features"] if f["properties"]["kind"] == "reef"]
    assert reef["properties"]["name_zh"] == "东沙群岛"
    pts = np.asarray(reef["geometry"]["coordinates"], float)
    assert _near_pratas(pts).all() and len(pts) == 14
    # the atoll's ring is about 17 km across: a reef outline, not a point
    assert np.ptp(pts[:, 0]) > 0.1 and np.ptp(pts[:, 1]) > 0.1
    prov = dataset_path("PROVENANCE.md").read_text(encoding="utf-8")
    for needle in ("ne_10m_reefs.json", "martynafford/natural-earth-geojson",
                   "90266457d82d3717e47313e72a921e31a087d2c4", "东沙"):
        assert needle in prov, needle


@pytest.mark.parametrize("which", ["provinces", "prefectures"])
def test_inset_draws_dongsha_thick_enough_to_be_seen(which, request):
    study = request.getfixturevalue(which)
    ax = plot_choropleth(study, "p" if which == "provinces" else "home_isolation", lang="zh")
    iax = _inset(ax)
    lines = [c for c in iax.collections if isinstance(c, LineCollection)]
    reef = [(s, c.get_linewidths()[0]) for c in lines for s in c.get_segments()
            if _near_pratas(_lonlat_cn(s)).all()]
    assert len(reef) == 1
    seg, width = reef[0]
    # 17 km is about 0.3 pt in the inset: the line width makes it a visible mark
    assert width >= 0.6
    x0, x1 = iax.get_xlim()
    y0, y1 = iax.get_ylim()
    assert ((seg[:, 0] > x0) & (seg[:, 0] < x1) & (seg[:, 1] > y0) & (seg[:, 1] < y1)).all()
    plt.close(ax.figure)


def _lonlat_cn(xy: np.ndarray) -> np.ndarray:
    """Inverse of the China Albers projection (longitude from the polar angle)."""
    s = np.sin(np.radians([_CN["lat1"], _CN["lat2"], _CN["lat0"]]))
    n = (s[0] + s[1]) / 2
    C = np.cos(np.radians(_CN["lat1"])) ** 2 + 2 * n * s[0]
    rho0 = np.sqrt(C - 2 * n * s[2]) / n
    lon = _CN["lon0"] + np.degrees(np.arctan2(xy[:, 0], rho0 - xy[:, 1]) / n)
    return np.column_stack([lon, _lat_cn(xy)])


def test_build_script_reproduces_the_shipped_inset(capsys):
    spec = importlib.util.spec_from_file_location(
        "build_china_scs_inset", Path(__file__).parents[2] / "tools" / "build_china_scs_inset.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    text = tool.build(str(_SOURCES / "ne_10m_admin_0_boundary_lines_maritime_indicator_chn.geojson"),
                      str(_SOURCES / "ne_10m_reefs_scs.json"))
    assert text == dataset_path("geo/china_scs_inset.geojson").read_text(encoding="utf-8")
    assert "Dongsha's reef (14 points)" in capsys.readouterr().err
