"""Choropleth maps of adoption periods (US states, China's provinces) and a tile-grid
fallback for units without geometry. Polygons are drawn with matplotlib's
PolyCollection from the shipped GeoJSON; no GIS library is needed."""

from __future__ import annotations

import json
from typing import Mapping

import numpy as np

from policydiffusion.report.figures._common import font_kw, new_axes, styled, unit_labels
from policydiffusion.report.figures._fonts import tr

__all__ = ["plot_choropleth", "plot_tile_grid", "albers", "US_TILE_GRID", "load_geometry"]

NO_ADOPTION = "#d9d9d9"
NO_DATA = "#ffffff"

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


def load_geometry(name: str) -> dict:
    """A shipped GeoJSON: ``"us_states"`` or ``"china_provinces"``."""
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
        gj, kind = geometry, "custom"
    else:
        gj, kind = load_geometry(geometry), geometry
    shapes: dict[str, list[np.ndarray]] = {}
    for f in gj["features"]:
        props = f["properties"]
        if kind == "us_states":
            key = props["state_abbr"]
            shapes[key] = _project_us(key, _rings(f["geometry"]))
        elif kind == "china_provinces":
            key = str(props["code"])
            shapes[key] = [np.column_stack(albers(r[:, 0], r[:, 1], **_CN)) for r in _rings(f["geometry"])]
        else:
            key = str(props.get("unit", props.get("id")))
            shapes[key] = _rings(f["geometry"])
    return shapes, kind


def _guess_geometry(units: list[str]) -> str | None:
    if set(units) <= set(US_TILE_GRID):
        return "us_states"
    if all(u.isdigit() and len(u) == 6 for u in units):
        return "china_provinces"
    return None


def _adoption_values(study, policy: str) -> dict[str, float]:
    rows = study.adoptions_of(policy)
    return dict(zip(rows.get_column("unit").to_list(), rows.get_column("period").to_list()))


def _colorbar(ax, norm, cmap, lang: str, fk: dict):
    import matplotlib.pyplot as plt

    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    cb = ax.figure.colorbar(sm, ax=ax, orientation="horizontal", fraction=0.05, pad=0.02, aspect=30)
    cb.set_label(tr("Adoption period", lang), **fk)
    cb.ax.tick_params(labelsize=6)
    return cb


def _color_scale(vals: dict[str, float], cmap: str):
    from matplotlib import colormaps
    from matplotlib.colors import Normalize

    periods = list(vals.values())
    lo, hi = (min(periods), max(periods)) if periods else (0, 1)
    return colormaps[cmap], Normalize(lo, hi if hi > lo else lo + 1)


def _legend_no_adoption(ax, lang: str, fk: dict):
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(facecolor=NO_ADOPTION, edgecolor="white", label=tr("Not adopted", lang))],
              loc="lower right", prop={"family": fk["fontfamily"], "size": 7} if fk else {"size": 7})


def plot_choropleth(study, policy: str, *, geometry: str | dict = "auto", ax=None, lang: str = "en",
                    cmap: str = "viridis", labels: bool = False, title: str | None = None):
    """Map coloured by adoption period; non-adopters grey.

    Parameters
    ----------
    geometry
        ``"us_states"`` (units are postal codes; Alaska and Hawaii as insets,
        Albers equal-area), ``"china_provinces"`` (units are GB/T codes), a GeoJSON
        dict whose features carry a ``unit`` property, or ``"auto"`` (guess from the
        unit ids; a tile grid when nothing fits).
    labels
        Write unit names (``name_zh`` for ``lang="zh"``) at the polygons' centres.

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

    units = study.unit_ids
    if geometry == "auto":
        geometry = _guess_geometry(units)
        if geometry is None:
            return plot_tile_grid(study, policy, ax=ax, lang=lang, cmap=cmap, title=title)
    shapes, kind = _shapes(geometry)
    if not set(units) & set(shapes):
        return plot_tile_grid(study, policy, ax=ax, lang=lang, cmap=cmap, title=title)
    vals = _adoption_values(study, policy)
    fk = font_kw(lang)
    names = unit_labels(study, lang)
    with styled(lang):
        ax = new_axes(ax, figsize=(3.5, 2.8))
        cm, norm = _color_scale(vals, cmap)
        verts, colors = [], []
        for key, rings in shapes.items():
            if key in vals:
                col = cm(norm(vals[key]))
            elif key in units:
                col = NO_ADOPTION
            else:
                col = NO_DATA
            for r in rings:
                verts.append(r)
                colors.append(col)
        ax.add_collection(PolyCollection(verts, facecolors=colors, edgecolors="white", linewidths=0.3))
        if labels:
            for key, rings in shapes.items():
                if key in names:
                    big = max(rings, key=len)
                    ax.text(big[:, 0].mean(), big[:, 1].mean(), names[key], fontsize=4.5, ha="center",
                            va="center", **fk)
        ax.autoscale_view()
        ax.set_aspect("equal")
        ax.set_axis_off()
        missing = [u for u in units if u not in shapes]
        if missing:
            ax.annotate(f"{tr('No data', lang)}: {', '.join(missing[:5])}", (0, 0), xycoords="axes fraction",
                        fontsize=6, **fk)
        _colorbar(ax, norm, cm, lang, fk)
        _legend_no_adoption(ax, lang, fk)
        if title:
            ax.set_title(title, **fk)
    return ax


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
    vals = _adoption_values(study, policy)
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
        _legend_no_adoption(ax, lang, fk)
        if title:
            ax.set_title(title, **fk)
    return ax
