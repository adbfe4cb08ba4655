"""Choropleth maps of adoption periods (US states, China's provinces or prefectures) and a tile-grid
fallback for units without geometry. Polygons are drawn with matplotlib's
PolyCollection from the shipped GeoJSON; no GIS library is needed. China maps carry the
South China Sea inset (南海诸岛) at the lower right, as Chinese journals' maps do; they
are not officially reviewed maps (no 审图号), see :func:`plot_choropleth`."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Mapping

import numpy as np

from policydiffusion.report.figures._common import (adoption_values, year_ticks, figure_renderer, font_kw,
                                                    keep_figure, kept_figure, new_axes, styled, unit_labels)
from policydiffusion.errors import check_choice
from policydiffusion.report.figures._fonts import tr

__all__ = ["plot_choropleth", "plot_tile_grid", "albers", "US_TILE_GRID", "load_geometry"]

NO_ADOPTION = "#d9d9d9"
# lighter than NO_ADOPTION but not white: a shape outside the study (Taiwan in a mainland
# study) must still be seen on a white page
NO_DATA = "#ebebeb"

#: Column and row of each US state in a 50-state tile-grid map (row 0 at the top).
US_TILE_GRID: dict[str, tuple[int, int]] = {
    "AK": (0, 0), "ME": (10, 0), "VT": (9, 1), "NH": (10, 1),
    **{s: (i, 2) for i, s in enumerate(["WA", "ID", "MT", "ND", "MN", "IL", "WI", "MI", "NY", "RI", "MA"])},
    **{s: (i, 3) for i, s in enumerate(["OR", "NV", "WY", "SD", "IA", "IN", "OH", "PA", "NJ", "CT"])},
    **{s: (i, 4) for i, s in enumerate(["CA", "UT", "CO", "NE", "MO", "KY", "WV", "VA", "MD", "DE"])},
    **{s: (i + 1, 5) for i, s in enumerate(["AZ", "NM", "KS", "AR", "TN", "NC", "SC"])},
    **{s: (i + 3, 6) for i, s in enumerate(["OK", "LA", "MS", "AL", "GA"])},
    "HI": (0, 7), "TX": (3, 7), "FL": (8, 7),
}


def albers(lon, lat, *, lon0: float, lat0: float, lat1: float, lat2: float) -> tuple[np.ndarray, np.ndarray]:
    """Albers equal-area conic projection on the unit sphere (spherical formulas).

    Examples
    --------
    >>> x, y = albers(-96.0, 37.5, lon0=-96, lat0=37.5, lat1=29.5, lat2=45.5)
    >>> float(abs(x)) < 1e-12, float(abs(y)) < 1e-12
    (True, True)
    """
    r = np.radians
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    n = (np.sin(r(lat1)) + np.sin(r(lat2))) / 2
    C = np.cos(r(lat1)) ** 2 + 2 * n * np.sin(r(lat1))
    rho = np.sqrt(C - 2 * n * np.sin(r(lat))) / n
    rho0 = np.sqrt(C - 2 * n * np.sin(r(lat0))) / n
    theta = n * r(lon - lon0)
    return rho * np.sin(theta), rho0 - rho * np.cos(theta)


_US = {"lon0": -96, "lat0": 37.5, "lat1": 29.5, "lat2": 45.5}
_AK = {"lon0": -154, "lat0": 50, "lat1": 55, "lat2": 65}
_HI = {"lon0": -157, "lat0": 13, "lat1": 8, "lat2": 18}
_CN = {"lon0": 105, "lat0": 35, "lat1": 25, "lat2": 47}
_CHINA = ("china_provinces", "china_prefectures")  # the maps that carry the South China Sea inset


def load_geometry(name: str) -> dict:
    """A shipped GeoJSON: ``"us_states"``, ``"china_provinces"``, ``"china_prefectures"`` or
    ``"china_scs_inset"`` (the South China Sea inset: the dashed line and the islands)."""
    from policydiffusion.datasets import dataset_path

    return json.loads(dataset_path(f"geo/{name}.geojson").read_text(encoding="utf-8"))


def _rings(geom: dict) -> list[np.ndarray]:
    polys = geom["coordinates"] if geom["type"] == "MultiPolygon" else [geom["coordinates"]]
    return [np.asarray(ring, float) for poly in polys for ring in poly[:1]]  # outer rings


def _project_us(key: str, rings: list[np.ndarray]) -> list[np.ndarray]:
    out = []
    for ring in rings:
        if key == "AK":
            x, y = albers(ring[:, 0], ring[:, 1], **_AK)
            x, y = x * 0.35 - 0.33, y * 0.35 - 0.43
        elif key == "HI":
            x, y = albers(ring[:, 0], ring[:, 1], **_HI)
            x, y = x + -0.16, y - 0.40
        else:
            x, y = albers(ring[:, 0], ring[:, 1], **_US)
        out.append(np.column_stack([x, y]))
    return out


def _shapes(geometry: str | dict) -> tuple[dict[str, list[np.ndarray]], str]:
    if isinstance(geometry, dict):
        return _project(geometry, "custom"), "custom"
    return dict(_shipped_shapes(geometry)), geometry


@lru_cache(maxsize=None)
def _shipped(name: str) -> dict:
    """A shipped GeoJSON, parsed once per process (a describe run draws hundreds of maps).
    Read it, never change it: use :func:`load_geometry` for a copy of one's own."""
    return load_geometry(name)


@lru_cache(maxsize=None)
def _shipped_shapes(name: str) -> dict[str, list[np.ndarray]]:
    """Projected rings of a shipped map, once per process; the arrays are read-only, so
    no figure can change the shapes another one draws."""
    shapes = _project(_shipped(name), name)
    for rings in shapes.values():
        for r in rings:
            r.flags.writeable = False
    return shapes


def _project(gj: dict, kind: str) -> dict[str, list[np.ndarray]]:
    shapes: dict[str, list[np.ndarray]] = {}
    for f in gj["features"]:
        props = f["properties"]
        if kind == "us_states":
            key = props["state_abbr"]
            shapes[key] = _project_us(key, _rings(f["geometry"]))
        elif kind in ("china_provinces", "china_prefectures"):
            shapes[str(props["code"])] = _project_cn(_rings(f["geometry"]))
        else:
            key = str(props.get("unit", props.get("id")))
            shapes[key] = _rings(f["geometry"])
    if kind == "china_prefectures":
        # the prefecture source has no Taiwan, Hong Kong or Macao: drawn as provinces
        for f in _shipped("china_provinces")["features"]:
            if not f["properties"]["mainland"]:
                shapes[str(f["properties"]["code"])] = _project_cn(_rings(f["geometry"]))
    return shapes


def _project_cn(rings: list[np.ndarray]) -> list[np.ndarray]:
    return [np.column_stack(albers(r[:, 0], r[:, 1], **_CN)) for r in rings]


def _guess_geometry(units: list[str]) -> str | None:
    if set(units) <= set(US_TILE_GRID):
        return "us_states"
    if all(u.isdigit() and len(u) == 6 for u in units):
        # GB/T codes: provinces (and the centre, 100000) end in 0000, prefectures do not
        return "china_prefectures" if any(not u.endswith("0000") for u in units) else "china_provinces"
    return None


_CN_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")


def _norm(name: object) -> str:
    text = str(name).strip().lower()
    for suffix in _CN_SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix) + 1:
            return text[: -len(suffix)]
    return text


@lru_cache(maxsize=None)
def _aliases(name: str) -> dict[str, str]:
    """Every way a unit may name a shipped shape (code, abbreviation, Chinese, English
    or pinyin name, with or without 省/市/自治区) -> the shape's key (once per process:
    callers only read it)."""
    out: dict[str, str] = {}
    for f in _shipped(name)["features"]:
        p = f["properties"]
        if name == "us_states":
            key, names = p["state_abbr"], (p["state_abbr"], p["state_name"], p["fips"])
        else:
            # prefecture shapes carry fewer name fields than the province shapes
            key = str(p["code"])
            names = tuple(p[k] for k in ("code", "name_zh", "name_en", "name_pinyin",
                                         "iso_3166_2") if p.get(k) is not None)
        out.update({_norm(n): key for n in names if n})
    return out


def _match_units(study, geometry: str) -> dict[str, str]:
    """Unit id -> shape key, matching the id or the units' ``name`` / ``name_zh``."""
    alias = _aliases(geometry)
    cols = [c for c in ("name", "name_zh", "name_en") if c in study.units.columns]
    rows = study.units.select(["unit", *cols]).iter_rows()
    out = {}
    for unit, *names in rows:
        for n in (unit, *names):
            if n is not None and _norm(n) in alias:
                out[unit] = alias[_norm(n)]
                break
    return out


def _fallback(units: list[str], why: str):
    from policydiffusion._warnings import warn
    from policydiffusion.errors import PolicyDiffusionWarning

    warn(f"map: {why} (units such as {', '.join(map(repr, units[:3]))}); drawing a tile grid instead. "
         "Name the units by code or by Chinese or English name, or pass geometry=.", PolicyDiffusionWarning)


def _colorbar(ax, norm, cmap, lang: str, fk: dict):
    import matplotlib.pyplot as plt

    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = ax.figure.colorbar(sm, ax=ax, orientation="horizontal", fraction=0.05, pad=0.02, aspect=30)
    cb.set_label(tr("Adoption period", lang), **fk)
    cb.ax.tick_params(labelsize=6)
    year_ticks(cb.ax.xaxis)
    return cb


def _color_scale(vals: dict[str, float], cmap: str):
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    periods = list(vals.values())
    lo, hi = (min(periods), max(periods)) if periods else (0, 1)
    return colormaps[cmap], Normalize(lo, hi if hi > lo else lo + 1)


def _legend_no_adoption(ax, lang: str, fk: dict, loc: str = "lower right", *, needed: bool = True):
    """The "Not adopted" key, only when some unit did not adopt (``needed``)."""
    from matplotlib.patches import Patch

    if not needed:
        return

    ax.legend(handles=[Patch(facecolor=NO_ADOPTION, edgecolor="white", label=tr("Not adopted", lang))],
              loc=loc, prop={"family": fk["fontfamily"], "size": 7} if fk else {"size": 7})


def plot_choropleth(study, policy: str, *, geometry: str | dict = "auto", ax=None, lang: str = "en",
                    cmap: str = "viridis", labels: bool = False, label_by: str = "auto",
                    small: str = "callout", min_area: float = 0.001, title: str | None = None,
                    scs_inset: bool = True):
    """Map coloured by adoption period; non-adopters grey, shapes outside the study lighter grey.

    Parameters
    ----------
    geometry
        ``"us_states"`` (units are postal codes; Alaska and Hawaii as insets,
        Albers equal-area), ``"china_provinces"`` or ``"china_prefectures"`` (units
        are GB/T codes; on the prefecture map units of higher levels are not
        drawn), a GeoJSON
        dict whose features carry a ``unit`` property, or ``"auto"`` (guess from the
        unit ids; a tile grid when nothing fits). Both China maps draw Taiwan (710000),
        Hong Kong and Macao, coloured when the study has them.
    labels
        Label the polygons.
    label_by
        ``"name"`` (``name_zh`` for ``lang="zh"``), ``"unit"`` (the ids) or
        ``"auto"``: postal codes on the US map (full names do not fit at this
        size), names otherwise.
    small
        What to do with a label that does not fit: its polygon is below
        ``min_area``, the text is wider than the polygon, or it would overlap a
        label already placed (larger polygons are labelled first).
        ``"callout"`` moves it beside the map with a leader line, ``"skip"`` leaves
        it out, ``"inside"`` writes it at the polygon's centre anyway.
    min_area
        Polygons smaller than this share of the mapped area count as small.
    scs_inset
        China maps only: draw the South China Sea islands (南海诸岛) with China's
        dashed line in a box at the lower right, the layout of Chinese journals'
        maps, and keep the islands south of 18°N off the main map so they do not
        stretch it. Geometry: the dashes and Dongsha's (Pratas) reef from Natural
        Earth (public domain), the other islands from the shipped prefecture map
        (see ``PROVENANCE.md``); the reef, a speck at this scale, is drawn as a thick
        line.
        ``False`` leaves the inset out (the prefecture map then draws the islands
        in place). These maps are **not** officially reviewed (no 审图号): to
        publish a map in China, draw it on the standard base map
        (标准地图服务, bzdt.ch.mnr.gov.cn) and have it reviewed.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> ax = plot_choropleth(spid_study(policies=["antibully"]), "antibully")
    >>> len(ax.collections) >= 1
    True
    """
    from matplotlib.collections import PolyCollection

    check_choice("small", small, ("callout", "skip", "inside"))
    check_choice("label_by", label_by, ("auto", "name", "unit"))
    units = study.unit_ids
    # inside reuse_figures: everything but the colours depends only on these (not kept:
    # a figure the caller gives, labels, whose places depend on the colours, the inset);
    # the kept map keeps its shapes matched to the study's units, so it is looked up by
    # the geometry as passed ("auto" too) before any map is chosen or unit matched
    keepable = ax is None and not labels and title is None and isinstance(geometry, str)
    kept = kept_figure("map", (id(study), geometry, lang, cmap)) if keepable else None
    if kept is not None:
        with styled(lang):
            return _recolour(kept, adoption_values(study, policy), cmap)
    asked, key_of = geometry, None
    if geometry == "auto":
        geometry = _guess_geometry(units)
        if geometry is None:  # names rather than codes: the shipped map most of them name
            matched = {g: _match_units(study, g) for g in ("us_states", "china_provinces")}
            best = max(matched, key=lambda g: len(matched[g]))
            geometry, key_of = (best, matched[best]) if 2 * len(matched[best]) > len(units) else (None, None)
        if geometry is None:
            _fallback(units, "no shipped map (US states, Chinese provinces) matches most units")
            return plot_tile_grid(study, policy, ax=ax, lang=lang, cmap=cmap, title=title)
    key = (id(study), asked, lang, cmap) if keepable and not (scs_inset and geometry in _CHINA) else None
    shapes, kind = _shapes(geometry)
    if isinstance(geometry, str):  # shapes keyed by the study's own unit ids
        key_of = _match_units(study, geometry) if key_of is None else key_of
        shapes = {u: shapes[k] for u, k in key_of.items() if k in shapes} | {
            k: r for k, r in shapes.items() if k not in set(key_of.values())}
    if not set(units) & set(shapes):
        _fallback(units, f"no unit matches a shape of {kind!r}")
        return plot_tile_grid(study, policy, ax=ax, lang=lang, cmap=cmap, title=title)
    vals = adoption_values(study, policy)
    fk = font_kw(lang)
    names = unit_labels(study, lang)
    inset = scs_inset and kind in _CHINA
    with styled(lang):
        # labels need room: a labelled map defaults to a wider figure, same font sizes
        ax = new_axes(ax, figsize=(5.0, 4.0) if labels else (3.5, 2.8))
        fill, cm, norm = _fill_colours(vals, shapes, units, cmap)
        main = {k: m for k, rings in shapes.items()
                if (m := [r for r in rings if not (inset and _south_sea(r))])}
        polys = ax.add_collection(PolyCollection([r for rings in main.values() for r in rings],
                                                 facecolors=_fills(fill, main),
                                                 edgecolors="white", linewidths=0.3))
        if inset:
            hainan = next((u for u, k in key_of.items() if k == "460000"), "460000")
            _scs_inset(ax, main, shapes, fill, fill.get(hainan, NO_DATA), lang, fk,
                       islands_shipped=kind == "china_provinces")
        ax.autoscale_view()
        ax.set_aspect("equal")
        ax.set_axis_off()
        # on the prefecture map the centre and the provinces are drawn as their prefectures
        missing = [u for u in units if u not in shapes
                   and not (kind == "china_prefectures" and u.endswith("0000"))]
        if missing:
            ax.annotate(f"{tr('No data', lang)}: {', '.join(missing[:5])}", (0, 0), xycoords="axes fraction",
                        fontsize=6, **fk)
        cb = _colorbar(ax, norm, cm, lang, fk)
        # China's empty corner is the south-west; the US's the south-east (AK/HI sit south-west)
        loc = "lower left" if kind.startswith("china") else "lower right"
        _legend_no_adoption(ax, lang, fk, loc=loc, needed=any(u not in vals for u in units))
        if key is not None:
            from types import SimpleNamespace

            keep_figure("map", key, SimpleNamespace(figure=ax.figure, ax=ax, study=study, polys=polys,
                                                    main=list(main.items()), units=units, cb=cb, lang=lang,
                                                    fk=fk, loc=loc))
        if title:
            ax.set_title(title, **fk)
        if labels:  # last: the colorbar and title change the map's scale, hence what fits
            if label_by == "unit" or label_by == "auto" and kind == "us_states":
                names = {u: u for u in units}
            _label_polygons(ax, {k: v for k, v in main.items() if k in names}, names, fill, fk,
                            small=small, min_area=min_area)
    return ax


def _fills(fill: dict, main) -> list:
    """The colour of each ring of ``main`` (key -> rings), in the collection's order."""
    return [fill[k] for k, rings in (main.items() if isinstance(main, dict) else main) for _ in rings]


def _fill_colours(vals: dict[str, float], keys, units: list[str], cmap: str) -> tuple[dict, object, object]:
    """The colour of each shape of ``keys``: its adoption period on ``cmap``, grey
    (``NO_ADOPTION``) for a unit of the study that did not adopt, lighter grey
    (``NO_DATA``) for a shape outside the study; with the colour map and its norm."""
    cm, norm = _color_scale(vals, cmap)
    inside = set(units)
    return ({k: cm(norm(vals[k])) if k in vals else NO_ADOPTION if k in inside else NO_DATA for k in keys},
            cm, norm)


def _recolour(kept, vals: dict, cmap: str):
    """The kept map with ``vals``'s colours, colour bar range and "Not adopted" key: what
    a new map of them draws (same rings, axes and colour bar)."""
    units = kept.units
    fill, _, norm = _fill_colours(vals, (k for k, _ in kept.main), units, cmap)
    kept.polys.set_facecolor(_fills(fill, kept.main))
    cb = kept.cb
    with cb.norm.callbacks.blocked():  # one redraw of the bar, never with vmin > vmax
        cb.norm.vmin, cb.norm.vmax = norm.vmin, norm.vmax
    cb.update_normal(cb.mappable)
    # the bar's redraw put back the locator it had when made; a new map sets this one after it
    year_ticks(cb.ax.xaxis)
    needed = any(u not in vals for u in units)
    legend = kept.ax.get_legend()
    if legend is not None:
        legend.set_visible(needed)
    else:
        _legend_no_adoption(kept.ax, kept.lang, kept.fk, loc=kept.loc, needed=needed)
    return kept.ax


# ------------------------------------------------------------ South China Sea inset
_SCS_BOX = (106.0, 2.5, 124.0, 24.5)  # lon0, lat0, lon1, lat1 of the inset's sea
_SCS_SOUTH = 18.0  # islands wholly south of this latitude (Hainan ends at 18.15N) go in the inset
_SCS_HEIGHT = 0.28  # inset height as a share of the main map's


def _lat_cn(r: np.ndarray) -> np.ndarray:
    """Latitudes of points projected with the China Albers projection (its inverse)."""
    s = np.sin(np.radians([_CN["lat1"], _CN["lat2"], _CN["lat0"]]))
    n = (s[0] + s[1]) / 2
    C = np.cos(np.radians(_CN["lat1"])) ** 2 + 2 * n * s[0]
    rho0 = np.sqrt(C - 2 * n * s[2]) / n
    rho2 = r[:, 0] ** 2 + (rho0 - r[:, 1]) ** 2
    return np.degrees(np.arcsin(np.clip((C - rho2 * n * n) / (2 * n), -1, 1)))


def _south_sea(r: np.ndarray) -> bool:
    return bool(_lat_cn(r).max() < _SCS_SOUTH)


def _scs_inset(ax, main: dict, shapes: dict, fill: dict, hainan_fill, lang: str, fk: dict, *,
               islands_shipped: bool):
    """The South China Sea box at the lower right of a China map: the provinces (or
    prefectures) in their colours, the islands and the 9 dashes. It sits clear of the
    land below its top edge (Taiwan), widening the map if it must; placed in data
    coordinates, it moves with the map when labels change the limits."""
    from matplotlib.collections import LineCollection, PolyCollection

    gj = _shipped("china_scs_inset")
    dashes, reefs = ([np.column_stack(albers(*np.asarray(f["geometry"]["coordinates"], float).T, **_CN))
                      for f in gj["features"] if f["properties"]["kind"] == kind] for kind in ("dash", "reef"))
    if islands_shipped:  # the province map has no island shapes: the shipped ones, in Hainan's colour
        islands = [(r, hainan_fill) for f in gj["features"] if f["properties"]["kind"] == "islands"
                   for r in _project_cn(_rings(f["geometry"]))]
    else:
        islands = [(r, fill[k]) for k, rings in shapes.items() for r in rings if _south_sea(r)]
    lon0, lat0, lon1, lat1 = _SCS_BOX
    edge = np.linspace(0, 1, 20)
    bx, by = albers(np.r_[lon0 + (lon1 - lon0) * edge, np.full(20, lon1), lon1 - (lon1 - lon0) * edge,
                          np.full(20, lon0)],
                    np.r_[np.full(20, lat0), lat0 + (lat1 - lat0) * edge, np.full(20, lat1),
                          lat1 - (lat1 - lat0) * edge], **_CN)
    pts = np.vstack([r for rings in main.values() for r in rings])
    (x0, y0), (x1, y1) = pts.min(0), pts.max(0)
    h = _SCS_HEIGHT * (y1 - y0)
    w = h * (bx.max() - bx.min()) / (by.max() - by.min())
    below = pts[pts[:, 1] <= y0 + h, 0]
    left = max(x1 - w, (below.max() if below.size else x0) + 0.02 * (x1 - x0))
    ax.update_datalim([(left, y0), (left + w, y0 + h)])
    iax = ax.inset_axes([left, y0, w, h], transform=ax.transData, zorder=3)
    iax.set_xlim(bx.min(), bx.max())
    iax.set_ylim(by.min(), by.max())
    iax.set_xticks([])
    iax.set_yticks([])
    for sp in iax.spines.values():  # the house style hides the top and right spines
        sp.set_visible(True)
        sp.set_linewidth(0.5)
        sp.set_color("0.3")
    iax.add_collection(PolyCollection([r for rings in shapes.values() for r in rings],
                                      facecolors=[fill[k] for k, rings in shapes.items() for _ in rings],
                                      edgecolors="white", linewidths=0.2))
    # islands are specks at this scale: a dark outline keeps them visible
    iax.add_collection(PolyCollection([r for r, _ in islands], facecolors=[c for _, c in islands],
                                      edgecolors="0.35", linewidths=0.3))
    # the source's dashes are already the dashes: drawn as solid segments
    iax.add_collection(LineCollection(dashes, colors="0.2", linewidths=0.6))
    # Dongsha (Pratas) has no land in the sources, only its atoll's reef (about 17 km
    # across): a thick line in the islands' outline colour shows it as the ring or dot
    # that journals' insets draw
    iax.add_collection(LineCollection(reefs, colors="0.35", linewidths=0.8))
    # 南海诸岛 fits inside, at the bottom right as on Chinese maps; the English name
    # would cover the Spratlys, so it stands above the box
    inside = lang == "zh"
    iax.text(0.96 if inside else 1.0, 0.03 if inside else 1.03,
             tr("South China Sea Islands", lang).replace("China Sea", "China\nSea"),
             transform=iax.transAxes, ha="right", va="bottom", fontsize=4, linespacing=1.0, **fk)
    return iax


# ---------------------------------------------------------------------- labels
_LABEL_SIZE = 4.5
_LABEL_SIZE_SMALL = 3.6


def _ring_area(r: np.ndarray) -> float:
    x, y = r[:, 0], r[:, 1]
    return 0.5 * abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1))))


def _centroid(r: np.ndarray) -> tuple[float, float]:
    """Area centroid of a ring (shoelace); the vertex mean for a degenerate ring."""
    x, y = r[:, 0], r[:, 1]
    cross = x * np.roll(y, -1) - np.roll(x, -1) * y
    a = cross.sum() / 2
    if abs(a) < 1e-15:
        return float(x.mean()), float(y.mean())
    return (float(((x + np.roll(x, -1)) * cross).sum() / (6 * a)),
            float(((y + np.roll(y, -1)) * cross).sum() / (6 * a)))


def _intervals(r: np.ndarray, y0: float) -> np.ndarray:
    """The stretches (lo, hi) of the horizontal line ``y = y0`` that lie inside ring ``r``."""
    x1, y1, x2, y2 = r[:, 0], r[:, 1], np.roll(r[:, 0], -1), np.roll(r[:, 1], -1)
    cross = (y1 <= y0) != (y2 <= y0)
    xs = np.sort(x1[cross] + (y0 - y1[cross]) * (x2[cross] - x1[cross]) / (y2[cross] - y1[cross]))
    return xs[: xs.size // 2 * 2].reshape(-1, 2)


def _intersect(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Intersection of two sorted lists of disjoint intervals."""
    out = [(max(a0, b0), min(a1, b1)) for a0, a1 in a for b0, b1 in b if max(a0, b0) < min(a1, b1)]
    return np.array(out).reshape(-1, 2)


def _inside_spot(r: np.ndarray, w: float, h: float, placed: list) -> tuple[float, float] | None:
    """The point nearest the centroid, row by row, where a ``w`` x ``h`` box lies inside
    ring ``r`` (checked along its middle and near its top and bottom edges) and clear of
    the ``placed`` boxes; None if there is none."""
    cx, cy = _centroid(r)
    ylo, yhi = float(r[:, 1].min()), float(r[:, 1].max())
    step = h / 4
    n = int((yhi - ylo) / step) + 1
    for k in sorted(range(-n, n + 1), key=abs):
        y = cy + k * step
        if not ylo + 0.4 * h < y < yhi - 0.4 * h:
            continue
        free = _intersect(_intersect(_intervals(r, y), _intervals(r, y - 0.35 * h)),
                          _intervals(r, y + 0.35 * h))
        cands = [min(max(cx, lo + w / 2), hi - w / 2) for lo, hi in free if hi - lo >= w]
        for x in sorted(cands, key=lambda v: abs(v - cx)):
            box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            if not any(_overlaps(box, b) for b in placed):
                return float(x), float(y)
    return None


def _anchor(r: np.ndarray) -> tuple[float, float]:
    """A point inside ring ``r``: its centroid, or the middle of the widest stretch there."""
    cx, cy = _centroid(r)
    iv = _intervals(r, cy)
    if iv.size == 0 or np.any((iv[:, 0] <= cx) & (cx <= iv[:, 1])):
        return cx, cy
    lo, hi = iv[np.argmax(iv[:, 1] - iv[:, 0])]
    return float(lo + hi) / 2, cy


def _overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_polygons(ax, shapes: dict, names: dict, fill: dict, fk: dict, *, small: str,
                    min_area: float) -> None:
    """Write each unit's name in its polygon (larger polygons first); a label that does
    not fit is handled per ``small``. Callouts can widen the axes, which shrinks the map,
    so the layout is redone (at most three times) until it is stable."""
    from matplotlib.patheffects import withStroke

    areas = {k: sum(_ring_area(r) for r in rings) for k, rings in shapes.items()}
    total = sum(areas.values()) or 1.0
    order = sorted(shapes, key=lambda k: -areas[k])
    for attempt in range(3):
        ax.apply_aspect()
        renderer = figure_renderer(ax.figure)
        to_data = ax.transData.inverted()
        artists, placed, callouts = [], [], []
        for key in order:
            ring = max(shapes[key], key=_ring_area)
            col = fill.get(key, NO_DATA)
            lum = 1.0 if isinstance(col, str) else float(np.dot(col[:3], [0.299, 0.587, 0.114]))
            # a halo in the fill colour hides any leader line that passes under the label
            t = ax.text(0, 0, names[key], fontsize=_LABEL_SIZE, ha="center", va="center",
                        color="white" if lum < 0.45 else "black", zorder=4,
                        path_effects=[withStroke(linewidth=1.0, foreground=col)], **fk)
            spot = None
            if areas[key] >= min_area * total:
                for size in (_LABEL_SIZE, _LABEL_SIZE_SMALL):  # a smaller font before a callout
                    t.set_fontsize(size)
                    bb = t.get_window_extent(renderer).transformed(to_data)
                    w, h = bb.width, bb.height
                    spot = _inside_spot(ring, w, h, placed)
                    if spot is not None:
                        break
            if spot is None:
                t.set_fontsize(_LABEL_SIZE)
                bb = t.get_window_extent(renderer).transformed(to_data)
                w, h = bb.width, bb.height
            if spot is None and small == "inside":
                spot = _anchor(ring)
            if spot is not None:
                t.set_position(spot)
                placed.append((spot[0] - w / 2, spot[1] - h / 2, spot[0] + w / 2, spot[1] + h / 2))
                artists.append(t)
                continue
            t.remove()
            if small == "callout":
                callouts.append((key, *_anchor(ring), w, h))
        if not callouts:
            return
        artists += _place_callouts(ax, shapes, names, callouts, fk)
        lims = (ax.get_xlim(), ax.get_ylim())
        need = _callout_limits(ax, artists, renderer)
        if np.allclose(need, lims, rtol=0, atol=1e-9):
            return
        ax.set_xlim(need[0])
        ax.set_ylim(need[1])
        if attempt == 2:
            return
        for a in artists:
            a.remove()


def _callout_limits(ax, artists: list, renderer) -> tuple:
    """Axis limits that hold the current ones and every label artist."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    to_data = ax.transData.inverted()
    for a in artists:
        bb = a.get_window_extent(renderer).transformed(to_data)
        x0, x1, y0, y1 = min(x0, bb.x0), max(x1, bb.x1), min(y0, bb.y0), max(y1, bb.y1)
    return (x0, x1), (y0, y1)


def _spread(ys: list[float], gap: float) -> list[float]:
    """Positions as close to ``ys`` (sorted descending) as a minimum ``gap`` allows: a run of
    crowded labels becomes a block whose top minimises the squared shifts."""
    blocks: list[tuple[float, list[int]]] = []  # (top, members)
    for i in range(len(ys)):
        members = [i]
        while True:
            top = float(np.mean([ys[j] + k * gap for k, j in enumerate(members)]))
            if not blocks:
                break
            prev_top, prev = blocks[-1]
            if prev_top - (len(prev) - 1) * gap - top >= gap:
                break
            blocks.pop()
            members = prev + members
        blocks.append((top, members))
    out = [0.0] * len(ys)
    for top, members in blocks:
        for k, j in enumerate(members):
            out[j] = top - k * gap
    return out


def _place_callouts(ax, shapes: dict, names: dict, callouts: list, fk: dict) -> list:
    """Labels east of the map at (nearly) their polygon's height, joined by leader lines
    to a dot in the polygon; each sits just clear of the land at its height."""
    callouts.sort(key=lambda c: -c[2])
    h = max(c[4] for c in callouts)
    ys = _spread([c[2] for c in callouts], 1.2 * h)
    pts = np.vstack([r for rings in shapes.values() for r in rings])
    pad = 0.6 * h
    out = []
    for (key, x, y0, _, _), y in zip(callouts, ys):
        near = pts[(np.abs(pts[:, 1] - y) <= 0.7 * h) & (pts[:, 0] >= x)]
        lx = max(float(near[:, 0].max()) if near.size else x, x) + pad
        out += ax.plot([x, lx - 0.2 * pad], [y0, y], color="0.4", lw=0.3, solid_capstyle="butt")
        out += ax.plot([x], [y0], "o", ms=0.8, color="0.2")
        out.append(ax.text(lx, y, names[key], fontsize=_LABEL_SIZE, ha="left", va="center",
                           color="black", **fk))
    return out


def plot_tile_grid(study, policy: str, *, positions: Mapping[str, tuple[int, int]] | None = None,
                   ax=None, lang: str = "en", cmap: str = "viridis", title: str | None = None):
    """Tile-grid map: one square per unit, coloured by adoption period.

    ``positions`` maps unit ids to (column, row) with row 0 at the top; the default
    is :data:`US_TILE_GRID` for US postal codes and otherwise a near-square grid in
    the order of the units table (grouped by ``region`` when the units have one).

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.curves import as_study
    >>> s = as_study(pd.DataFrame({"policy": "p", "unit": ["a", "b"], "period": [1, 2]}), units=5)
    >>> len(plot_tile_grid(s, "p").patches)
    5
    """
    from matplotlib.patches import Rectangle

    units = study.unit_ids
    if positions is None:
        if set(units) <= set(US_TILE_GRID):
            positions = US_TILE_GRID
        else:
            order = units
            if "region" in study.units.columns:
                reg = dict(zip(units, study.units.get_column("region").to_list()))
                order = sorted(units, key=lambda u: (str(reg[u]), units.index(u)))
            ncol = int(np.ceil(np.sqrt(len(order))))
            positions = {u: (i % ncol, i // ncol) for i, u in enumerate(order)}
    vals = adoption_values(study, policy)
    fk = font_kw(lang)
    names = unit_labels(study, lang)
    with styled(lang):
        ax = new_axes(ax, figsize=(3.5, 2.8))
        cm, norm = _color_scale(vals, cmap)
        for u in units:
            if u not in positions:
                continue
            c, r = positions[u]
            col = cm(norm(vals[u])) if u in vals else NO_ADOPTION
            ax.add_patch(Rectangle((c, -r), 0.92, 0.92, facecolor=col, edgecolor="none"))
            text = u if positions is US_TILE_GRID or lang == "en" and len(names[u]) > 6 else names[u]
            lum = np.dot(col[:3], [0.299, 0.587, 0.114]) if u in vals else 0.9
            ax.text(c + 0.46, -r + 0.46, text, ha="center", va="center", fontsize=5,
                    color="white" if lum < 0.5 else "black", **fk)
        cols = [p[0] for p in positions.values()]
        rows = [p[1] for p in positions.values()]
        ax.set_xlim(min(cols) - 0.1, max(cols) + 1)
        ax.set_ylim(-max(rows) - 0.1, 1)
        ax.set_aspect("equal")
        ax.set_axis_off()
        _colorbar(ax, norm, cm, lang, fk)
        _legend_no_adoption(ax, lang, fk, needed=any(u not in vals for u in units if u in positions))
        if title:
            ax.set_title(title, **fk)
    return ax
