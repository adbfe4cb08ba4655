"""Text measured and shaped once per process, not once per figure, save and format.

matplotlib keeps a string's extent per renderer object and shapes (lays out) every
string again at every draw, and every figure, save and file format gets a new
renderer: describe measured and shaped the same 50 unit names, region names and
axis labels 6-8 times per policy, about 0.5 ms each (HarfBuzz shaping), a third of
its figure time; it also laid out every text again (font look-up, font tables) and
rendered every glyph's bitmap again. Inside :func:`text_cache` the results are kept by
everything they depend on, so the files are byte for byte what matplotlib writes
without it (tests/report/test_figure_saving.py and test_text_cache.py check PNG and
SVG, English and Chinese).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from itertools import repeat
from contextlib import contextmanager
from typing import Iterator

import numpy as np

__all__ = ["text_cache"]

# What a measure or a layout depends on besides the renderer's kind and dpi, the string
# and its font properties: hinting, kerning, the generic families' fonts, the fonts known
_RC = ("text.hinting", "text.hinting_factor", "text.kerning_factor", "font.serif",
       "font.sans-serif", "font.monospace", "font.cursive", "font.fantasy")
# and what else a font lookup (FontManager.findfont) depends on
_FIND_RC = ("font.family", "font.style", "font.variant", "font.weight", "font.stretch", "font.size")
_MAX = 100_000  # entries per cache: a bound on memory (the next figures refill it)
_METRICS: dict = {}
_LAYOUTS: dict = {}
_AGG_GLYPHS: dict = {}
_BITMAPS: dict = {}
_SVG_GLYPHS: dict = {}
_SVG_DEFS: dict = {}
_FONT_PATHS: dict = {}
_HEIGHTS: dict = {}
_depth = 0
_undo: list = []


@contextmanager
def text_cache() -> Iterator[None]:
    """Keep text extents and glyph layouts across figures while the block runs.

    * extents (``Text`` layout, tight boxes): by renderer class and dpi, string, font
      properties, settings (Agg and SVG renderers; math text and others as before);
    * a text's whole layout (its lines' offsets from its anchor, its box), by the same
      and its alignment, rotation and line spacing;
    * the glyphs of a string drawn by Agg (PNG) and their positions, by the same;
    * each glyph's Agg bitmap, by font, size, dpi, angle and the fraction of a pixel
      it is drawn at (moved by whole pixels, FreeType renders the same bitmap);
    * the glyphs of a string written as SVG paths (``svg.fonttype="path"``) and
      their outlines, by font object and string, and each outline's SVG path data;
    * the fonts a ``Text`` lays out its lines with and their height tables (ascent,
      descent, line gap), by font properties and settings.

    Where matplotlib lacks the internals this relies on, the block changes nothing.
    Nested blocks are fine; leaving the outermost one puts matplotlib back as it was.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> with text_cache():
    ...     fig, ax = plt.subplots()
    ...     _ = ax.set_title("Adoption")
    ...     fig.canvas.draw()
    >>> plt.close(fig)
    """
    global _depth
    if _depth == 0:
        _install()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if _depth == 0:
            while _undo:
                owner, name, value = _undo.pop()
                setattr(owner, name, value)


def _replace(owner, name: str, make) -> None:
    original = getattr(owner, name)
    _undo.append((owner, name, original))
    setattr(owner, name, make(original))


_last_settings: list = [None, 0]  # the settings last seen and their number


def _settings() -> int:
    """A number that changes whenever the settings in ``_RC`` or the known fonts do."""
    import matplotlib as mpl
    from matplotlib.font_manager import fontManager

    # the live values (a list compares by value, so a list changed in place is seen)
    # against copies of those last seen: a cheap comparison per text, no hash of lists
    now = [*map(dict.get, repeat(mpl.rcParams, len(_RC)), _RC), len(fontManager.ttflist)]
    if now != _last_settings[0]:
        _last_settings[:] = [[list(v) if isinstance(v, list) else v for v in now], _last_settings[1] + 1]
    return _last_settings[1]


def _remember(cache: dict, key, value):
    if len(cache) >= _MAX:
        cache.clear()
    cache[key] = value
    return value


def _install() -> None:
    import matplotlib.text as mtext
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.textpath import TextToPath

    _replace(mtext, "_get_text_metrics_with_cache", _metrics)
    _replace(mtext.Text, "_get_layout", _layout)
    # matplotlib 3.11 draws Agg text from font._layout's glyphs; older ones differently
    if hasattr(RendererAgg, "_draw_text_glyphs_and_boxes"):
        _replace(RendererAgg, "draw_text", _agg_draw_text)
    if hasattr(TextToPath, "get_glyphs_with_font"):
        _replace(TextToPath, "get_glyphs_with_font", _svg_glyphs)
        if hasattr(RendererSVG, "_update_glyph_map_defs"):
            _replace(RendererSVG, "_update_glyph_map_defs", _svg_glyph_defs)
    # Text._get_layout looks up its font and reads its height tables at every layout
    # (~0.2 ms, 6-8 layouts of every text a policy): through these two names only
    if hasattr(mtext, "fontManager") and hasattr(mtext, "get_font"):
        _replace(mtext, "fontManager", lambda fm: _FontLookup(fm))
        _replace(mtext, "get_font", lambda original: _height_tables(original))


def _metrics(original):
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import RendererSVG

    def metrics(renderer, text, fontprop, ismath, dpi):
        # a mixed-mode (vector) renderer measures with the renderer it wraps
        inner = renderer._renderer if type(renderer) is MixedModeRenderer else renderer
        if ismath is not False or type(inner) not in (RendererAgg, RendererSVG):
            return original(renderer, text, fontprop, ismath, dpi)
        key = (type(inner), getattr(inner, "dpi", None), dpi, text, fontprop.copy(), _settings())
        hit = _METRICS.get(key)
        if hit is None:
            hit = _remember(_METRICS, key, renderer.get_text_width_height_descent(text, fontprop, ismath))
        return hit

    return metrics


def _layout(original):
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.transforms import Bbox

    def get_layout(self, renderer):
        # Text._get_layout finds the font and reads its tables for every text at every
        # draw and measure: ~0.3 ms a label, the same result for the same text settings
        inner = renderer._renderer if type(renderer) is MixedModeRenderer else renderer
        # math text depends on the mathtext settings too: laid out as before
        if (type(inner) not in (RendererAgg, RendererSVG) or self.get_usetex() or self.get_wrap()
                or (self.get_parse_math() and "$" in self.get_text())):
            return original(self, renderer)
        rotation = self.get_rotation()
        key = (type(inner), getattr(inner, "dpi", None), self.get_figure(root=True).dpi, self.get_text(),
               self._fontproperties.copy(), self.get_parse_math(), self._linespacing, self._multialignment,
               self._horizontalalignment, self._verticalalignment, rotation, self.get_rotation_mode(),
               _settings())
        hit = _LAYOUTS.get(key)
        if hit is None:
            bbox, info, corner = original(self, renderer)
            points = bbox.get_points().copy()
            points.flags.writeable = False
            hit = _remember(_LAYOUTS, key, (points, tuple(info), corner))
        points, info, corner = hit
        return Bbox(points.copy()), list(info), corner

    return get_layout


def _agg_draw_text(original):
    from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        # RendererAgg.draw_text of matplotlib 3.11 with its glyph layout kept
        if ismath or type(self) is not RendererAgg:
            return original(self, gc, x, y, s, prop, angle, ismath, mtext)
        features = mtext.get_fontfeatures() if mtext is not None else None
        language = mtext.get_language() if mtext is not None else None
        key = (self.dpi, s, prop.copy(), features, language, _settings())
        glyphs = _AGG_GLYPHS.get(key)
        if glyphs is None:
            font = self._prepare_font(prop)
            items = font._layout(s, flags=get_hinting_flag(), features=features, language=language)
            glyphs = _remember(_AGG_GLYPHS, key, [(i.ft_object, i.glyph_index, i.x, i.y) for i in items])
        _draw_glyphs(self, gc, x, y, angle, prop.get_size_in_points(), glyphs)

    return draw_text


def _draw_glyphs(renderer, gc, x: float, y: float, angle: float, size: float, glyphs: list) -> None:
    """RendererAgg._draw_text_glyphs_and_boxes of matplotlib 3.11 (no boxes, no slant)
    with each glyph's bitmap kept: FreeType renders a glyph moved by whole pixels as the
    same bitmap moved by those pixels, so a bitmap is kept by font, size, dpi, angle,
    glyph and the position's fraction of a pixel (in FreeType's 1/64 px), and placed
    by the whole pixels. The timeline's labels, ticks and legends are drawn at the same
    places policy after policy."""
    from matplotlib.backends.backend_agg import RenderMode, get_hinting_flag

    cos = math.cos(math.radians(angle))
    sin = math.sin(math.radians(angle))
    flags = get_hinting_flag()
    antialiased = gc.get_antialiased()
    matrix = None
    height = renderer.height
    draw = renderer._renderer.draw_text_image
    for font, glyph, dx, dy in glyphs:  # dy is upwards; y is downwards
        tx = round(0x40 * (x + dx * cos - dy * sin))
        ty = round(0x40 * (height - y + dx * sin + dy * cos))  # FreeType's y is upwards
        key = (id(font), size, renderer.dpi, angle, glyph, flags, antialiased, tx & 63, ty & 63)
        hit = _BITMAPS.get(key)
        if hit is None or hit[0] is not font:
            if matrix is None:
                matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]])).round().astype(int)
            font.set_size(size, renderer.dpi)
            font._set_transform(matrix, [tx, ty])
            bitmap = font._render_glyph(glyph, flags, RenderMode.NORMAL if antialiased else RenderMode.MONO)
            buffer = np.array(bitmap.buffer)  # a copy: the font's next glyph may reuse its memory
            if not antialiased:
                buffer *= 0xff
            hit = _remember(_BITMAPS, key, (font, buffer, bitmap.left - (tx >> 6), bitmap.top - (ty >> 6)))
        _, buffer, left, top = hit
        # draw_text_image's y is downwards & the bitmap bottom side
        draw(buffer, left + (tx >> 6), int(height) - (top + (ty >> 6)) + buffer.shape[0], 0, gc)


def _svg_glyphs(original):
    def get_glyphs_with_font(self, font, s, glyph_map=None, return_new_glyphs_only=False, *,
                             features=None, language=None):
        # TextToPath._get_font sets every font to FONT_SCALE at DPI before this call;
        # the font object is kept in the value, so a recycled id() cannot match
        key = (id(font), type(self), self.FONT_SCALE, self.DPI, s, features, language, _settings())
        hit = _SVG_GLYPHS.get(key)
        if hit is None or hit[0] is not font:
            info, paths, rects = original(self, font, s, features=features, language=language)
            for verts, codes in paths.values():  # shared by every file: read only
                verts.flags.writeable = False
                codes.flags.writeable = False
            hit = _remember(_SVG_GLYPHS, key, (font, info, paths, rects))
        _, info, paths, rects = hit
        if glyph_map is None:
            glyph_map = OrderedDict()
        new = OrderedDict() if return_new_glyphs_only else glyph_map
        for glyph_repr, *_ in info:
            if glyph_repr not in glyph_map:
                new[glyph_repr] = paths[glyph_repr]
        return list(info), new, list(rects)

    return get_glyphs_with_font


def _svg_glyph_defs(original):
    from matplotlib.backends.backend_svg import RendererSVG, _generate_transform
    from matplotlib.path import Path

    def update_glyph_map_defs(self, glyph_map_new):
        # RendererSVG._update_glyph_map_defs of matplotlib 3.11 with the path data of
        # each glyph kept: its outline is one of get_glyphs_with_font's read-only arrays
        if type(self) is not RendererSVG or any(v.flags.writeable or c.flags.writeable
                                                for v, c in glyph_map_new.values()):
            return original(self, glyph_map_new)
        if glyph_map_new:
            writer = self.writer
            writer.start("defs")
            for glyph_repr, (vertices, codes) in glyph_map_new.items():
                key = (glyph_repr, id(vertices), id(codes))
                hit = _SVG_DEFS.get(key)
                if hit is None or hit[0] is not vertices or hit[1] is not codes:
                    # x64: back to FreeType's integral units
                    data = self._convert_path(Path(vertices * 64, codes), simplify=False)
                    hit = _remember(_SVG_DEFS, key, (vertices, codes, data))
                writer.element("path", id=self._adjust_glyph_repr(glyph_repr), d=hit[2],
                               transform=_generate_transform([("scale", (1 / 64,))]))
            writer.end("defs")
            self._glyph_map.update(glyph_map_new)

    return update_glyph_map_defs


class _FontLookup:
    """matplotlib.text's view of the font manager: ``_find_fonts_by_props`` kept by the
    font properties and every setting a lookup depends on; the rest is the manager's."""

    def __init__(self, manager) -> None:
        self._manager = manager

    def __getattr__(self, name: str):
        return getattr(self._manager, name)

    def _find_fonts_by_props(self, prop, *args, **kwargs):
        import os

        import matplotlib as mpl
        from matplotlib.font_manager import FontProperties

        if args or kwargs or type(prop) is not FontProperties:
            return self._manager._find_fonts_by_props(prop, *args, **kwargs)
        rc = tuple(tuple(v) if isinstance(v := dict.get(mpl.rcParams, k), list) else v for k in _FIND_RC)
        key = (tuple(prop.__dict__.values()), rc, os.getenv("MPL_IGNORE_SYSTEM_FONTS"), _settings())
        hit = _FONT_PATHS.get(key)
        if hit is None:
            hit = _remember(_FONT_PATHS, key, tuple(self._manager._find_fonts_by_props(prop)))
        return list(hit)


def _height_tables(original):
    def get_font(font_filepaths, *args, **kwargs):
        # Text._get_layout reads only the OS/2, hhea and head tables of the font it gets
        if args or kwargs:
            return original(font_filepaths, *args, **kwargs)
        key = tuple(font_filepaths) if isinstance(font_filepaths, list) else font_filepaths
        hit = _HEIGHTS.get(key)
        if hit is None:
            font = original(font_filepaths)
            hit = _remember(_HEIGHTS, key, _Tables({n: font.get_sfnt_table(n) for n in ("OS/2", "hhea", "head")}))
        return hit

    return get_font


class _Tables:
    """A font's height tables, read once (``get_sfnt_table`` is all _get_layout asks)."""

    def __init__(self, tables: dict) -> None:
        self._tables = tables

    def get_sfnt_table(self, name: str):
        table = self._tables[name]
        return None if table is None else dict(table)
