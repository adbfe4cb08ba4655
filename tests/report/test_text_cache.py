"""Text measured and shaped once per process (report/figures/_textcache.py): the files
are the same bytes as without the cache, and a string already drawn is not measured
again by a new figure's renderer (issue 16, item 19)."""

from __future__ import annotations

import re
import struct
import zlib

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import RendererAgg  # noqa: E402

from policydiffusion.cli.describe import _figures  # noqa: E402
from policydiffusion.curves import describe_policy  # noqa: E402
from policydiffusion.datasets import spid_study  # noqa: E402
from policydiffusion.report.figures import _textcache, plot_hazard, save_figure  # noqa: E402
from policydiffusion.report.figures._textcache import text_cache  # noqa: E402

KINDS = ("curve", "hazard", "map", "timeline")


@pytest.fixture(scope="module")
def spid():
    return spid_study(policies=["aborparc", "antibully"])


@pytest.fixture(scope="module")
def described(spid):
    return {p: describe_policy(spid, p, permutations=0) for p in spid.policy_ids}


def _svg(path) -> str:
    # the date and the ids salted per run aside
    text = re.sub(r"<dc:date>.*?</dc:date>", "", path.read_text(encoding="utf-8"))
    ids: dict = {}
    return re.sub(r"\b(?:p|m|image|C\d+_\d+_)[0-9a-f]{10}\b",
                  lambda m: ids.setdefault(m.group(0), f"id{len(ids)}"), text)


@pytest.mark.parametrize("lang,policies", [("en", ["aborparc", "antibully"]), ("zh", ["antibully"])])
def test_the_cache_changes_no_byte(lang, policies, spid, described, tmp_path, monkeypatch):
    for p in policies:  # the second policy meets strings the first one cached
        _figures(spid, described[p], tmp_path / "cached", lang, formats=("png", "svg"), dpi=60)
    monkeypatch.setattr(_textcache, "_install", lambda: None)  # matplotlib as it is
    for p in policies:
        _figures(spid, described[p], tmp_path / "plain", lang, formats=("png", "svg"), dpi=60)
    for p in policies:
        for kind in KINDS:
            a, b = (tmp_path / d / f"{p}_{kind}" for d in ("cached", "plain"))
            assert a.with_suffix(".png").read_bytes() == b.with_suffix(".png").read_bytes(), (p, kind)
            assert _svg(a.with_suffix(".svg")) == _svg(b.with_suffix(".svg")), (p, kind)


def test_a_string_is_measured_once_per_process(described, tmp_path, monkeypatch):
    """A second figure with the same texts measures none of them again (matplotlib's own
    cache is per renderer, and every figure, save and format has a new one)."""
    calls = []
    monkeypatch.setattr(_textcache, "_METRICS", {})  # nothing measured yet
    monkeypatch.setattr(_textcache, "_LAYOUTS", {})  # nor laid out
    real = RendererAgg.get_text_width_height_descent
    monkeypatch.setattr(RendererAgg, "get_text_width_height_descent",
                        lambda self, *a: calls.append(a[0]) or real(self, *a))
    first, second = _two_hazard_figures(described, tmp_path, calls)
    assert "Period" in first
    assert second == []


def _two_hazard_figures(described, tmp_path, calls: list) -> tuple[list, list]:
    """What ``calls`` collects while the same hazard figure is drawn and saved twice."""
    seen = []
    for i in range(2):
        calls.clear()
        ax = plot_hazard(described["aborparc"].curve)
        save_figure(ax, tmp_path / f"h{i}", ("png",), dpi=60)
        plt.close(ax.figure)
        seen.append(list(calls))
    return seen[0], seen[1]


def test_a_text_looks_its_font_up_once_per_process(described, tmp_path, monkeypatch):
    """A second figure lays its texts out without looking their fonts up again (Text's
    layout asked the font manager at every draw and measure)."""
    import sys

    from matplotlib.font_manager import FontManager

    calls = []
    monkeypatch.setattr(_textcache, "_FONT_PATHS", {}, raising=False)
    # whole layouts are kept too (test_layouts_are_made_once_per_process): forgotten
    # before each figure, so that both lay their texts out and only the lookups are kept
    monkeypatch.setattr(_textcache, "_LAYOUTS", {}, raising=False)
    real = FontManager._find_fonts_by_props

    def counted(self, prop, *a, **k):
        callers = {sys._getframe(i).f_code.co_name for i in range(1, 4)}
        if "_get_layout" in callers:
            calls.append(prop.get_size_in_points())
        return real(self, prop, *a, **k)

    monkeypatch.setattr(FontManager, "_find_fonts_by_props", counted)
    for i in range(2):
        calls.clear()
        _textcache._LAYOUTS.clear()
        ax = plot_hazard(described["aborparc"].curve)
        save_figure(ax, tmp_path / f"h{i}", ("png", "svg"), dpi=60)
        plt.close(ax.figure)
        if i == 0:
            assert calls
    assert calls == []


def test_font_lookups_follow_the_settings():
    import matplotlib.text as mtext
    from matplotlib.font_manager import FontProperties

    with text_cache():
        found = []
        for names in (["DejaVu Sans"], ["DejaVu Serif"], ["DejaVu Sans"]):
            with matplotlib.rc_context({"font.sans-serif": names}):
                found.append(mtext.fontManager._find_fonts_by_props(FontProperties(family=["sans-serif"])))
        with matplotlib.rc_context({"font.family": "serif"}):  # a lookup's default family
            default = mtext.fontManager._find_fonts_by_props(FontProperties())
    assert found[0] == found[2] != found[1]
    assert "Serif" in str(found[1][0]) and "Serif" in str(default[0])


def _texts_png(shift: float) -> bytes:
    """Strings at fractions of a pixel, turned, and not antialiased, all moved by ``shift`` px."""
    import io

    fig = plt.figure(figsize=(2, 2), dpi=100)
    for k in range(12):
        x, y = (20 + shift + 7 * k + k / 9) / 200, (10 + shift + 15 * k + k / 7) / 200
        fig.text(x, y, "Ag 1995", fontsize=6 + k % 3, rotation=(0, 90, 30)[k % 3],
                 antialiased=k % 4 != 3)
    buf = io.BytesIO()
    fig.savefig(buf, format="rgba", dpi=100)
    plt.close(fig)
    return buf.getvalue()


def test_glyph_bitmaps_moved_by_whole_pixels_are_the_same_pixels(monkeypatch):
    """A glyph's bitmap is kept and placed again at another whole-pixel position: the
    pixels are those FreeType renders there, and a second draw renders no glyph."""
    from matplotlib.ft2font import FT2Font

    plain = {s: _texts_png(s) for s in (0, 3)}
    renders = []
    real = FT2Font._render_glyph
    monkeypatch.setattr(FT2Font, "_render_glyph", lambda self, *a: renders.append(a[0]) or real(self, *a))
    monkeypatch.setattr(_textcache, "_BITMAPS", {}, raising=False)
    with text_cache():
        first = _texts_png(0)
        n = len(renders)
        again = _texts_png(3)  # every glyph 3 px up and right: the same fractions of a pixel
    assert n > 0 and len(renders) == n
    assert first == plain[0] and again == plain[3]


def test_svg_glyph_outlines_are_converted_once_per_process(described, tmp_path, monkeypatch):
    """Each SVG defines the glyphs it uses; a second file with the same glyphs writes
    their kept path data instead of converting the outlines again."""
    import sys

    from matplotlib.backends.backend_svg import RendererSVG

    calls = []
    monkeypatch.setattr(_textcache, "_SVG_DEFS", {}, raising=False)
    real = RendererSVG._convert_path

    def counted(self, *a, **k):
        if "glyph_map_defs" in sys._getframe(1).f_code.co_name:
            calls.append(1)
        return real(self, *a, **k)

    monkeypatch.setattr(RendererSVG, "_convert_path", counted)
    for i in range(2):
        calls.clear()
        ax = plot_hazard(described["aborparc"].curve)
        save_figure(ax, tmp_path / f"h{i}", ("svg",), dpi=60)
        plt.close(ax.figure)
        if i == 0:
            assert calls
    assert calls == []
    assert _svg(tmp_path / "h0.svg") == _svg(tmp_path / "h1.svg")


def test_leaving_the_block_puts_matplotlib_back():
    import matplotlib.text as mtext
    from matplotlib.backends.backend_svg import RendererSVG
    from matplotlib.textpath import TextToPath

    def patched():
        return (mtext._get_text_metrics_with_cache, RendererAgg.draw_text, TextToPath.get_glyphs_with_font,
                mtext.fontManager, mtext.get_font, mtext.Text._get_layout, RendererSVG._update_glyph_map_defs)

    before = patched()
    with text_cache():
        with text_cache():
            assert mtext._get_text_metrics_with_cache is not before[0]
            assert mtext.Text._get_layout is not before[5]
            assert RendererSVG._update_glyph_map_defs is not before[6]
        assert mtext._get_text_metrics_with_cache is not before[0]  # still the outer block's
    assert patched() == before


def test_png_rows_are_unfiltered(described, tmp_path):
    """save_figure encodes the rows without PNG filters (Pillow's search for the best
    filter of each row was most of the encoding time)."""
    ax = plot_hazard(described["aborparc"].curve)
    (png,) = save_figure(ax, tmp_path / "h", ("png",), dpi=60)
    plt.close(ax.figure)
    data, pos, idat = png.read_bytes(), 8, b""
    while pos < len(data):
        (n,), kind = struct.unpack(">I", data[pos:pos + 4]), data[pos + 4:pos + 8]
        if kind == b"IHDR":
            w, h = struct.unpack(">II", data[pos + 8:pos + 16])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    rows = zlib.decompress(idat)
    assert len(rows) == h * (1 + 4 * w)
    assert {rows[i * (1 + 4 * w)] for i in range(h)} == {0}


def test_a_font_list_changed_in_place_is_a_new_setting():
    """Text measured under one list of fonts is not reused after the list is changed in
    place (``rcParams["font.sans-serif"].insert(0, ...)``, a common idiom)."""
    with matplotlib.rc_context():
        before = _textcache._settings()
        assert _textcache._settings() == before
        matplotlib.rcParams["font.sans-serif"].insert(0, "DejaVu Serif")
        changed = _textcache._settings()
        assert changed != before and _textcache._settings() == changed


def test_layouts_are_made_once_per_process(described, tmp_path, monkeypatch):
    """A second figure with the same texts at the same places lays out no text again
    (font look-up and tables, ~0.3 ms each); glyph bitmaps: see
    test_glyph_bitmaps_moved_by_whole_pixels_are_the_same_pixels."""
    import matplotlib.text as mtext

    layouts = []
    for cache in ("_METRICS", "_LAYOUTS"):  # nothing kept yet
        monkeypatch.setattr(_textcache, cache, {}, raising=False)
    real_layout = mtext.Text._get_layout
    monkeypatch.setattr(mtext.Text, "_get_layout", lambda self, r: layouts.append(self.get_text())
                        or real_layout(self, r))
    first, second = _two_hazard_figures(described, tmp_path, layouts)
    assert first  # the first figure's texts: laid out by matplotlib
    assert second == []


def test_a_glyph_moved_by_whole_pixels_is_the_same_bitmap():
    """What the bitmap cache relies on: FreeType renders a glyph at x + k pixels as the
    bitmap at x moved by k pixels (for any fraction of a pixel), Latin and CJK fonts."""
    import numpy as np
    from matplotlib.backends.backend_agg import get_hinting_flag
    from matplotlib.font_manager import findfont, get_font
    from matplotlib.ft2font import RenderMode

    from policydiffusion.report.figures._fonts import register_fonts

    rng = np.random.default_rng(7)
    flags = get_hinting_flag()
    upright, turned = np.array([[0x10000, 0], [0, 0x10000]]), np.array([[0, -0x10000], [0x10000, 0]])
    for family, chars in (("DejaVu Sans", "Agjy1,W"), (register_fonts(), "北京市广东省")):
        font = get_font(findfont(family))
        for size, matrix in ((6.0, upright), (6.5, upright), (9.0, turned)):  # y labels: 90 degrees
            for ch in chars:
                glyph = font.get_char_index(ord(ch))
                for fx, fy in rng.integers(0, 64, (4, 2)):
                    seen = set()
                    for kx, ky in rng.integers(0, 4000, (3, 2)):
                        px, py = int(fx + 64 * kx), int(fy + 64 * ky)
                        font.set_size(size, 300)
                        font._set_transform(matrix, [px, py])
                        b = font._render_glyph(glyph, flags, RenderMode.NORMAL)
                        seen.add((b.left - (px >> 6), b.top - (py >> 6), b.buffer.shape, b.buffer.tobytes()))
                    assert len(seen) == 1, (family, size, ch, fx, fy)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_cache_changes_no_pixel_at_300_dpi(lang, spid, described, tmp_path, monkeypatch):
    # the glyphs' fractions of a pixel at the dpi describe writes; both policies in one
    # block: the second draws glyphs the first cached at other places
    from policydiffusion.report.figures import plot_adoption_timeline

    def pngs(name):
        with text_cache():
            for p in ("aborparc", "antibully"):
                ax = plot_adoption_timeline(spid, p, lang=lang)
                save_figure(ax, tmp_path / f"{name}_{p}", ("png",), dpi=300)
                plt.close(ax.figure)
        return [(tmp_path / f"{name}_{p}.png").read_bytes() for p in ("aborparc", "antibully")]

    cached = pngs("cached")
    monkeypatch.setattr(_textcache, "_install", lambda: None)
    assert cached == pngs("plain")


def test_math_text_is_laid_out_with_the_mathtext_settings_of_its_draw():
    # mathtext settings (but the font set) are outside the layout's key: math text is not kept
    with text_cache():
        widths = []
        for default in ("it", "bf", "it"):
            with matplotlib.rc_context({"mathtext.default": default}):
                fig = plt.figure()
                t = fig.text(0.5, 0.5, r"$\sum_i x_i^2$", fontsize=20)
                widths.append(t.get_window_extent(fig.canvas.get_renderer()).width)
                plt.close(fig)
    assert widths[0] == widths[2] != widths[1]
