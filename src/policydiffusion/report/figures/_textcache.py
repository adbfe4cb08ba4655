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

from collections import OrderedDict
from contextlib import contextmanager
from typing import Iterator

__all__ = ["text_cache"]

# What a measure or a layout depends on besides the renderer's kind and dpi, the string
# and its font properties: hinting, kerning, the generic families' fonts, the fonts known
_RC = ("text.hinting", "text.hinting_factor", "text.kerning_factor", "font.serif",
       "font.sans-serif", "font.monospace", "font.cursive", "font.fantasy")
_MAX = 100_000  # entries per cache: a bound on memory (the next figures refill it)
_METRICS: dict = {}
_LAYOUTS: dict = {}
_AGG_GLYPHS: dict = {}
_AGG_BITMAPS: dict = {}
_SVG_GLYPHS: dict = {}
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
    * each glyph's bitmap drawn by Agg, by font, size, dpi, hinting, rotation and its position's
      fraction of a pixel (FreeType rasterises a glyph moved by whole pixels to the same
      bitmap moved by as many: tests/report/test_text_cache.py);
    * the glyphs of a string written as SVG paths (``svg.fonttype="path"``) and
      their outlines, by font object and string.

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

    now = tuple(tuple(v) if isinstance(v := dict.get(mpl.rcParams, k), list) else v
                for k in _RC) + (len(fontManager.ttflist),)
    if now != _last_settings[0]:  # a cheap comparison per text instead of a hash of lists
        _last_settings[:] = [now, _last_settings[1] + 1]
    return _last_settings[1]


def _remember(cache: dict, key, value):
    if len(cache) >= _MAX:
        cache.clear()
    cache[key] = value
    return value


def _install() -> None:
    import matplotlib.text as mtext
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.textpath import TextToPath

    _replace(mtext, "_get_text_metrics_with_cache", _metrics)
    _replace(mtext.Text, "_get_layout", _layout)
    # matplotlib 3.11 draws Agg text from font._layout's glyphs; older ones differently
    if hasattr(RendererAgg, "_draw_text_glyphs_and_boxes"):
        _replace(RendererAgg, "draw_text", _agg_draw_text)
    if hasattr(TextToPath, "get_glyphs_with_font"):
        _replace(TextToPath, "get_glyphs_with_font", _svg_glyphs)


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
        size = prop.get_size_in_points()
        if not gc.get_antialiased():
            self._draw_text_glyphs_and_boxes(gc, x, y, angle, ((f, size, g, 0, 1, dx, dy)
                                                                for f, g, dx, dy in glyphs), [])
            return
        _draw_glyphs(self, gc, x, y, angle, size, glyphs)

    return draw_text


def _draw_glyphs(renderer, gc, x: float, y: float, angle: float, size: float, glyphs) -> None:
    """RendererAgg._draw_text_glyphs_and_boxes of matplotlib 3.11 for antialiased text,
    with each glyph's bitmap rendered once per rotation and fraction of a pixel."""
    import math

    import numpy as np
    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.ft2font import RenderMode

    cos = math.cos(math.radians(angle))
    sin = math.sin(math.radians(angle))
    matrix = (0x10000 * np.array([[cos, -sin], [sin, cos]]) @ [[1, 0], [0, 1]]).round().astype(int)
    rotation = tuple(matrix.ravel().tolist())
    flags = get_hinting_flag()
    dpi, height = renderer.dpi, renderer.height
    draw = renderer._renderer.draw_text_image
    for font, glyph, dx, dy in glyphs:
        # FreeType's 26.6 fixed point position, as matplotlib computes it
        px = round(0x40 * (x + dx * cos - dy * sin))
        py = round(0x40 * (height - y + dx * sin + dy * cos))
        if px < 0 or py < 0:  # off the canvas: drawn as matplotlib draws it
            renderer._draw_text_glyphs_and_boxes(gc, x, y, angle, [(font, size, glyph, 0, 1, dx, dy)], [])
            continue
        # the font object is in the key (kept alive): a recycled id() cannot match
        key = (font, size, dpi, glyph, flags, rotation, px & 0x3F, py & 0x3F)
        hit = _AGG_BITMAPS.get(key)
        if hit is None:
            font.set_size(size, dpi)
            font._set_transform(matrix, [px, py])
            bitmap = font._render_glyph(glyph, flags, RenderMode.NORMAL)
            buffer = bitmap.buffer  # draw_text_image wants it writeable; nothing writes it
            hit = _remember(_AGG_BITMAPS, key, (buffer, bitmap.left - (px >> 6), bitmap.top - (py >> 6)))
        buffer, left, top = hit
        draw(buffer, left + (px >> 6), int(height) - (top + (py >> 6)) + buffer.shape[0], 0, gc)


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
