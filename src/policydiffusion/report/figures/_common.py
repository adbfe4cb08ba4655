"""Helpers shared by the figure modules: axes creation (kept for reuse), fonts per language, saving."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

from policydiffusion.report.figures._fonts import CJK_FAMILY, paper_rc, register_fonts
from policydiffusion.report.figures._textcache import text_cache

__all__ = ["save_figure", "font_kw", "styled", "new_axes", "unit_labels", "adoption_values",
           "figure_renderer", "year_ticks", "tight_box", "reuse_figures", "kept_figure", "keep_figure",
           "kept_axes"]


def font_kw(lang: str) -> dict:
    """Keyword arguments that give a text call the right font for ``lang``."""
    if lang == "zh":
        register_fonts()
        return {"fontfamily": [CJK_FAMILY, "DejaVu Sans"]}
    return {}


@contextmanager
def styled(lang: str) -> Iterator[None]:
    """Paper rcParams (8-9 pt, single column) while a figure is being built."""
    import matplotlib as mpl

    with mpl.rc_context(paper_rc(lang)), text_cache():
        yield


_REUSE = {"on": False}
_KEPT: dict[str, tuple] = {}  # kind -> (key, state): one figure per kind per process


@contextmanager
def reuse_figures() -> Iterator[None]:
    """Within the block, the adoption curve, hazard, map and timeline keep one figure per
    kind per process and redraw only its data for the next call with the same layout
    (same language; for the map and timeline the same study), instead of building
    figure, axes, ticks and colour bar again. Not kept: a figure on axes the caller
    gives, or with a title. The files saved are those of a new figure (the same PNG
    pixels). The figure returned belongs to the cache: save it before the next call of
    its kind.

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> from policydiffusion.report.figures import plot_choropleth
    >>> st = spid_study(policies=["antibully", "aborparc"])
    >>> with reuse_figures():
    ...     a = plot_choropleth(st, "antibully")
    ...     b = plot_choropleth(st, "aborparc")
    >>> a is b
    True
    """
    prev = _REUSE["on"]
    _REUSE["on"] = True
    try:
        yield
    finally:
        _REUSE["on"] = prev


def kept_figure(kind: str, key: tuple):
    """The state kept for ``kind`` under ``key`` inside :func:`reuse_figures`, else None.
    A key holds ``id()`` of objects the state keeps alive (their ids cannot be reused)."""
    kept = _KEPT.get(kind) if _REUSE["on"] else None
    return kept[1] if kept is not None and kept[0] == key else None


def keep_figure(kind: str, key: tuple, state) -> None:
    """Keep ``state`` (the figure's artists) for ``kind`` inside :func:`reuse_figures`;
    it replaces the figure kept before (one a kind)."""
    if _REUSE["on"]:
        old = _KEPT.pop(kind, None)
        if old is not None:
            import matplotlib.pyplot as plt

            plt.close(old[1].figure)
        _KEPT[kind] = (key, state)


def kept_axes(kind: str, key: tuple, figsize: tuple[float, float] = (3.5, 2.6)):
    """Inside :func:`reuse_figures`, the axes kept for ``kind`` under ``key`` emptied of
    their data (lines, collections, texts, patches, legend), with the limits of new
    axes (autoscaled from nothing); else new axes of ``figsize`` (kept inside the block).
    For a figure whose layout (size, labels) does not depend on the data drawn."""
    kept = kept_figure(kind, key)
    if kept is None:
        ax = new_axes(None, figsize)
        keep_figure(kind, key, ax)
        return ax
    ax = kept
    for a in [*ax.lines, *ax.collections, *ax.texts, *ax.patches]:
        a.remove()
    if ax.get_legend() is not None:
        ax.get_legend().remove()
    ax.relim()  # no data: limits as new axes have them, found again from what is drawn next
    ax.autoscale()
    return ax


def new_axes(ax, figsize: tuple[float, float] = (3.5, 2.6)):
    """``ax`` itself, or a new figure's axes of ``figsize`` inches."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=figsize)
    return ax


def unit_labels(study, lang: str) -> dict[str, str]:
    """Display name of each unit: ``name_zh`` for Chinese where the units table has
    it, else ``name``, else the id."""
    u = study.units
    col = "name_zh" if lang == "zh" and "name_zh" in u.columns else "name"
    ids = u.get_column("unit").to_list()
    names = u.get_column(col).to_list() if col in u.columns else ids
    return {i: (n if n is not None else i) for i, n in zip(ids, names)}


def adoption_values(study, policy: str) -> dict[str, float]:
    """Adoption period of each unit that adopted ``policy``."""
    rows = study.adoptions_of(policy)
    return dict(zip(rows.get_column("unit").to_list(), rows.get_column("period").to_list()))


def year_ticks(axis) -> None:
    """Whole periods only on ``axis`` (a short span would otherwise get 2012.5, 2013.0, ...).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> _ = ax.plot([2012, 2015], [0, 1])
    >>> year_ticks(ax.xaxis)
    >>> fig.canvas.draw()
    >>> [t.get_text() for t in ax.get_xticklabels() if 2012 <= t.get_position()[0] <= 2015]
    ['2012', '2013', '2014', '2015']
    >>> plt.close(fig)
    """
    from matplotlib.ticker import MaxNLocator, StrMethodFormatter

    axis.set_major_locator(MaxNLocator(nbins="auto", integer=True))
    axis.set_major_formatter(StrMethodFormatter("{x:.0f}"))


def figure_renderer(fig):
    """The renderer of ``fig``'s canvas (for measuring text extents)."""
    get = getattr(fig.canvas, "get_renderer", None)
    return get() if get is not None else fig._get_renderer()


def save_figure(fig, path_without_ext: str | Path, formats: Sequence[str] = ("png", "svg", "pdf"),
                *, dpi: int = 300, png_compression: int = 6) -> list[Path]:
    """Save ``fig`` as ``path.png``, ``path.svg`` and ``path.pdf`` (or ``formats``).

    Every file is cropped to the figure's tight bounding box (0.1 in padding), measured
    once at ``dpi`` the way ``savefig(bbox_inches="tight")`` measures it for a PNG: the
    PNG has that call's pixels, and the vector formats get the same box (measuring
    again for each format was half the cost of saving). A figure with a layout engine
    (``layout="constrained"``) is measured by savefig for each format, as before. The
    PNG's rows are stored unfiltered (see ``_write_png``); ``png_compression`` is zlib's
    level (0-9): the pixels do not depend on it, only the time and the size (3 is about
    half the time of 6 for about 25% larger files).

    Returns the written paths. Accepts a Figure or an Axes (its figure is saved).

    Examples
    --------
    >>> import matplotlib.pyplot as plt, tempfile, os
    >>> fig, ax = plt.subplots()
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.suffix for p in save_figure(fig, os.path.join(d, "f"), formats=("png", "svg"))]
    ['.png', '.svg']
    >>> plt.close(fig)
    """
    fig = getattr(fig, "figure", fig)
    base = Path(path_without_ext)
    base.parent.mkdir(parents=True, exist_ok=True)
    # a layout engine (tight/constrained) reruns at each save: savefig measures after it
    out = []
    with text_cache():
        box = "tight" if fig.get_layout_engine() is not None else tight_box(fig, dpi=dpi)
        for fmt in formats:
            p = base.with_name(base.name + "." + fmt)
            if fmt != "png" or not _write_png(fig, p, dpi=dpi, box=box, level=png_compression):
                extra = {"pil_kwargs": {"compress_level": png_compression}} if fmt == "png" else {}
                fig.savefig(p, format=fmt, dpi=dpi, bbox_inches=box, **extra)
            out.append(p)
    return out


def _write_png(fig, path: Path, *, dpi: float, box, level: int) -> bool:
    """Write ``fig`` cropped to ``box`` as an RGBA PNG with rows unfiltered; False (nothing
    written) where the box is left to savefig.

    The pixels are savefig's own (its raw RGBA buffer, drawn with the same box and dpi);
    only the encoding differs: Pillow tries five PNG filters on every row, which took
    two thirds of the encoding time, and for figures (flat colours, thin lines) the
    unfiltered rows compress as well or better (level 3: 9 ms instead of 25 ms and
    about 8% smaller for a 1000 x 900 px timeline). The header carries the dpi and
    matplotlib's Software tag, as savefig's PNG does.
    """
    import io
    import struct
    import zlib

    import matplotlib as mpl
    import numpy as np

    if isinstance(box, str):
        return False
    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=dpi, bbox_inches=box)
    # savefig's Agg canvas is int(width * dpi) by int(height * dpi) pixels
    w, h = int(box.width * dpi), int(box.height * dpi)
    data = raw.getbuffer()
    if w * h * 4 != data.nbytes:  # not the canvas assumed: let savefig write it
        return False
    rows = np.zeros((h, 1 + 4 * w), np.uint8)  # a leading 0 on each row: filter "none"
    rows[:, 1:] = np.frombuffer(data, np.uint8).reshape(h, 4 * w)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ppm = int(dpi / 0.0254 + 0.5)  # pixels per metre, rounded as Pillow does
    software = f"Matplotlib version{mpl.__version__}, https://matplotlib.org/"
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
                     + chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, 1))
                     + chunk(b"tEXt", b"Software\0" + software.encode("latin-1"))
                     + chunk(b"IDAT", zlib.compress(rows, level))
                     + chunk(b"IEND", b""))
    return True


def tight_box(fig, *, dpi: float = 300, pad_inches: float | None = None):
    """The box (inches) that ``fig.savefig(..., dpi=dpi, bbox_inches="tight")`` crops a
    PNG to: the tight bounding box of every artist, measured at ``dpi`` on the PNG
    canvas, padded by ``pad_inches`` (``savefig.pad_inches`` by default).

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots(figsize=(3, 2))
    >>> box = tight_box(fig)
    >>> bool(0 < box.width < 3.5 and 0 < box.height < 2.5)
    True
    >>> plt.close(fig)
    """
    import matplotlib as mpl

    pad = mpl.rcParams["savefig.pad_inches"] if pad_inches is None else pad_inches
    old = fig.dpi
    try:
        fig.dpi = dpi  # text extents (hinting) depend on the dpi: measure at the PNG's
        if fig.get_layout_engine() is not None:  # tight/constrained layout moves axes at draw time
            fig.draw_without_rendering()
        # otherwise savefig's dry-run draw changes nothing get_tightbbox does not redo itself
        # (ticks, aspect, axes locators, titles, legend and annotation offsets), at ~70% of
        # the box's cost: the PNGs of every describe and report figure kind were checked
        # byte for byte against savefig's (tests/report/test_figure_saving.py)
        # matplotlib keeps extents per renderer object, not per font setting: measured on
        # the kept renderer, only text_cache's (keyed on the settings too) are current
        with text_cache():
            return fig.get_tightbbox(_png_renderer(fig)).padded(pad)
    finally:
        fig.dpi = old


_RENDERERS: dict = {}  # (width px, height px, dpi) -> an Agg renderer to measure with


def _png_renderer(fig):
    """The renderer savefig's PNG draw would measure ``fig`` with (an Agg renderer of the
    figure's size at its dpi), kept per size and dpi: getting one from savefig's
    machinery made a new one for every figure and cleared its whole buffer (a few ms at
    300 dpi) only to measure. None (savefig's own way) for a canvas that is not Agg's."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        return None
    w, h = fig.bbox.size
    key = (w, h, fig.dpi)
    renderer = _RENDERERS.get(key)
    if renderer is None:
        if len(_RENDERERS) >= 8:  # each holds a buffer of its size: a few figure sizes at a time
            _RENDERERS.clear()
        renderer = _RENDERERS[key] = RendererAgg(w, h, fig.dpi)
    return renderer
