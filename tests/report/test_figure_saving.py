"""Saving many figures fast (issue 16, item 19): one tight box for every format, the
shipped maps parsed once per process, nothing clipped, nothing carried from one
policy's figures to the next."""

from __future__ import annotations

import io
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.image import imread  # noqa: E402

from policydiffusion.cli.describe import _figures  # noqa: E402
from policydiffusion.curves import describe_policy  # noqa: E402
from policydiffusion.datasets import spid_study  # noqa: E402
from policydiffusion.report.figures import (maps, plot_adoption_curve, plot_adoption_timeline,  # noqa: E402
                                            plot_choropleth, plot_hazard, plot_tile_grid,
                                            save_figure)
from policydiffusion.report.figures._common import tight_box  # noqa: E402

KINDS = ("curve", "hazard", "map", "timeline")
# the longest SPID policy id: the file names (not the figures) carry it
LONG = "article 1 of the uniform business organizations code (uboc hub) (2011) (last amended 2013)"


@pytest.fixture(scope="module")
def spid():
    return spid_study(policies=["aborparc", "antibully", LONG])


@pytest.fixture(scope="module")
def described(spid):
    return {p: describe_policy(spid, p, permutations=0) for p in spid.policy_ids}


def _draw(kind, study, d, lang="en"):
    if kind == "curve":
        return plot_adoption_curve(d.curve, d.fits, lang=lang, takeoff=d.takeoff.get("takeoff_period"))
    if kind == "hazard":
        return plot_hazard(d.curve, lang=lang)
    if kind == "map":
        return plot_choropleth(study, d.policy, lang=lang)
    return plot_adoption_timeline(study, d.policy, lang=lang)


def _pixels(path):
    return imread(path)


@pytest.mark.parametrize("kind", KINDS + ("labelled map", "tiles"))
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_png_is_the_one_savefig_tight_writes(kind, lang, spid, described, tmp_path):
    """One box for every format, measured without savefig's dry-run draw: the PNG is still
    savefig(bbox_inches="tight")'s, pixel for pixel, with its dpi and Software tag (the
    rows are encoded without PNG filters, so not byte for byte)."""
    d = described["antibully"]
    if kind == "labelled map":
        ax = plot_choropleth(spid, d.policy, lang=lang, labels=True)
    elif kind == "tiles":
        ax = plot_tile_grid(spid, d.policy, lang=lang)
    else:
        ax = _draw(kind, spid, d, lang)
    ref = tmp_path / "ref.png"
    ax.figure.savefig(ref, dpi=100, bbox_inches="tight")
    (png,) = save_figure(ax, tmp_path / "f", ("png",), dpi=100)
    plt.close(ax.figure)
    _same_png(png, ref)


def _same_png(path, ref):
    from PIL import Image

    np.testing.assert_array_equal(_pixels(path), _pixels(ref))
    with Image.open(path) as a, Image.open(ref) as b:
        assert (a.mode, a.size, a.info) == (b.mode, b.size, b.info)


def test_a_layout_engine_is_left_to_savefig(spid, described, tmp_path, monkeypatch):
    """Constrained layout moves the axes at every save (savefig's own PNGs of such a
    figure differ from one call to the next): savefig measures it, per format."""
    from policydiffusion.report.figures import _common

    monkeypatch.setattr(_common, "tight_box", lambda *a, **k: pytest.fail("measured once"))
    fig, axes = plt.subplots(1, 2, layout="constrained")
    plot_hazard(described["antibully"].curve, ax=axes[0])
    assert [p.suffix for p in save_figure(fig, tmp_path / "c", ("png", "svg"), dpi=50)] == [".png", ".svg"]
    plt.close(fig)


def test_compression_keeps_pixels(spid, described, tmp_path):
    """zlib's level changes the time and the size, not the pixels."""
    ax = _draw("curve", spid, described["aborparc"])
    ref = tmp_path / "ref.png"
    ax.figure.savefig(ref, dpi=100, bbox_inches="tight")
    (png, svg) = save_figure(ax, tmp_path / "f6", ("png", "svg"), dpi=100)
    (fast,) = save_figure(ax, tmp_path / "f1", ("png",), dpi=100, png_compression=1)
    plt.close(ax.figure)
    _same_png(png, ref)
    assert fast.read_bytes() != png.read_bytes()
    _same_png(fast, ref)
    assert svg.stat().st_size > 5_000


def _svg_box_pt(path) -> tuple[float, float]:
    head = path.read_text(encoding="utf-8")[:2000]
    w, h = (float(re.search(f'{k}="([0-9.]+)pt"', head).group(1)) for k in ("width", "height"))
    return w, h


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_nothing_is_clipped(kind, lang, spid, described, tmp_path):
    """The saved canvas holds the drawn figure's tight box in every format: the PNG is
    that box (padded) at its dpi with a blank margin all round; the SVG's box, measured
    on the PNG canvas, holds the box the SVG renderer itself measures."""
    from matplotlib.backends.backend_svg import RendererSVG

    dpi = 100
    ax = _draw(kind, spid, described["antibully"], lang)
    fig = ax.figure
    png, svg = save_figure(ax, tmp_path / kind, ("png", "svg"), dpi=dpi)
    box = tight_box(fig, dpi=dpi, pad_inches=0)
    img = _pixels(png)
    assert abs(img.shape[1] - (box.width + 0.2) * dpi) <= 1 and abs(img.shape[0] - (box.height + 0.2) * dpi) <= 1
    margin = int(0.05 * dpi)  # half the padding: nothing drawn there
    rim = np.concatenate([img[:margin].reshape(-1, 4), img[-margin:].reshape(-1, 4),
                          img[:, :margin].reshape(-1, 4), img[:, -margin:].reshape(-1, 4)])
    assert rim[:, :3].min() == 1.0, "something is drawn at the edge of the PNG"
    # the SVG renderer's own measure of the drawn figure (72 dpi, unhinted text)
    fig.dpi = 72
    w, h = fig.get_size_inches() * 72
    renderer = RendererSVG(w, h, io.StringIO())
    fig.draw(renderer)
    svg_box = fig.get_tightbbox(renderer)
    saved = tight_box(fig, dpi=dpi)  # the box save_figure used for both formats
    plt.close(fig)
    assert saved.x0 < svg_box.x0 and saved.y0 < svg_box.y0
    assert saved.x1 > svg_box.x1 and saved.y1 > svg_box.y1
    sw, sh = _svg_box_pt(svg)
    assert abs(sw - saved.width * 72) < 0.01 and abs(sh - saved.height * 72) < 0.01


def test_one_policy_leaves_nothing_for_the_next(spid, described, tmp_path):
    """B's figures are the same bytes whether or not A's were drawn in between (fails if
    artists, figures or the cached map shapes carry over)."""
    open_before = plt.get_fignums()
    a, b = described["antibully"], described["aborparc"]
    _figures(spid, b, tmp_path / "b1", "en", formats=("png",), dpi=60)
    _figures(spid, a, tmp_path / "a", "en", formats=("png",), dpi=60)
    _figures(spid, b, tmp_path / "b2", "en", formats=("png",), dpi=60)
    assert plt.get_fignums() == open_before  # every figure closed
    for kind in KINDS:
        one, two = (tmp_path / d / f"aborparc_{kind}.png" for d in ("b1", "b2"))
        assert one.read_bytes() == two.read_bytes(), kind
        assert one.read_bytes() != (tmp_path / "a" / f"antibully_{kind}.png").read_bytes(), kind


def test_describe_writes_the_formats_asked_for(spid, described, tmp_path):
    _figures(spid, described[LONG], tmp_path, "en", formats=("svg", "pdf"), dpi=300)
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".pdf"] * 4 + [".svg"] * 4
    _figures(spid, described["aborparc"], tmp_path / "png", "zh", formats=("png",), dpi=50)
    img = _pixels(tmp_path / "png" / "aborparc_curve.png")
    assert 150 < img.shape[1] < 250  # about 3.5 inches at 50 dpi


def test_shipped_maps_are_parsed_once_per_process(spid, monkeypatch):
    plt.close(plot_choropleth(spid, "aborparc").figure)  # the first map of the process parses
    calls = []
    real = maps.load_geometry
    monkeypatch.setattr(maps, "load_geometry", lambda name: calls.append(name) or real(name))
    for p in ("aborparc", "antibully"):
        plt.close(plot_choropleth(spid, p).figure)
    assert calls == []
    rings = maps._shapes("us_states")[0]["RI"]
    assert not rings[0].flags.writeable  # no figure can move another one's state


@pytest.mark.parametrize("args,message", [
    (["--figure-formats", "png,gif"], "--figure-formats must be one of 'png', 'svg', 'pdf'; got 'gif'"),
    (["--figure-formats", ","], "--figure-formats names no format"),
    (["--dpi", "0"], "--dpi must be between 50 and 1200; got 0"),
])
def test_describe_refuses_bad_figure_options(args, message, tmp_path, capsys):
    from policydiffusion.cli import run

    assert run(["describe", "--dataset", "spid", "--policy", "aborparc", "--out", str(tmp_path), *args]) == 2
    assert message in capsys.readouterr().err
    assert not any(tmp_path.iterdir())  # refused before any work


def test_describe_cli_passes_formats_and_dpi(tmp_path):
    from policydiffusion.cli import run

    assert run(["describe", "--dataset", "spid", "--policy", "aborparc", "--out", str(tmp_path),
                "--figure-formats", "PNG", "--dpi", "50"]) == 0
    assert sorted(p.name for p in tmp_path.glob("aborparc_*")) == [
        f"aborparc_{k}.png" for k in ("curve", "hazard", "map", "timeline")]
    assert imread(tmp_path / "aborparc_curve.png").shape[1] < 250  # 50 dpi, not 300


def test_the_box_is_measured_without_a_new_renderer_per_figure(described, monkeypatch):
    """tight_box measures with a kept Agg renderer of the figure's size and dpi (savefig's
    machinery made and cleared a new one, the size of the whole figure, for every box)."""
    from matplotlib.backends import backend_agg

    made = []
    real = backend_agg.RendererAgg.__init__
    monkeypatch.setattr(backend_agg.RendererAgg, "__init__", lambda self, *a: made.append(a) or real(self, *a))
    boxes = []
    for i in range(3):
        ax = plot_hazard(described["aborparc"].curve)
        boxes.append(tuple(tight_box(ax.figure, dpi=300).bounds))
        if i == 0:
            made.clear()  # the first figure of this size may make one
        plt.close(ax.figure)
    assert made == [] and boxes[0] == boxes[1] == boxes[2]


def test_a_kept_renderer_measures_after_the_fonts_change(tmp_path):
    """matplotlib keeps a string's extent per renderer object, not per font setting:
    a renderer kept across figures measured a figure made after ``font.sans-serif``
    changed with the extents of the old font (outside ``text_cache``: 5.5686 in wide
    where savefig crops to 5.5800 in)."""
    def box(fonts):
        with matplotlib.rc_context({"font.sans-serif": fonts}):
            fig, ax = plt.subplots(figsize=(3, 2))
            ax.set_xlabel("Share of states adopting, by year")
            ax.set_ylabel("Cumulative adoptions")
            fig.text(0, 0.5, "Cumulative share of states adopting", ha="right")  # sets the box's left
            ours = tight_box(fig, dpi=300)
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=300, bbox_inches="tight")
            plt.close(fig)
            buf.seek(0)
            return ours.width, imread(buf, format="png").shape[1] / 300

    box(["DejaVu Sans"])  # keeps a renderer of this size with DejaVu's extents
    ours, saved = box(["DejaVu Serif"])
    assert abs(ours - saved) < 1 / 300  # within the pixel savefig rounds to
