"""Render a :class:`~policydiffusion.report.document.ReportDocument` to files.

:func:`write_report` draws every figure once in the chosen language, saves it to
``figures/`` (PNG, SVG, ...), writes every table to ``tables/`` (CSV, LaTeX,
Markdown), and writes ``report.html``: one self-contained file (CSS inline, figures
as ``data:`` URIs, no scripts) with a Content-Security-Policy that forbids any
request, so it opens offline and cannot reach the network.

Examples
--------
>>> from policydiffusion.report.document import ReportDocument, Section, Paragraph
>>> doc = ReportDocument(title={"en": "T"}, sections=(
...     Section("summary", "heading.summary", (Paragraph({"en": "Hello"}),)),))
>>> html = render_html(doc, lang="en")
>>> "Content-Security-Policy" in html and ">Hello</p>" in html
True
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Sequence

from policydiffusion.errors import InvalidOptionError
from policydiffusion.report.document import FigureItem, Paragraph, ReportDocument, TableItem, iter_items
from policydiffusion.report.i18n import check_language, pick, tr
from policydiffusion.safe_output import safe_filename

__all__ = ["render_html", "write_report", "ReportFiles", "CSP"]

#: no scripts, no frames, no requests: images and the embedded font only as data: URIs,
#: inline styles
CSP = "default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'"

_EXT = {"latex": "tex", "markdown": "md", "csv": "csv", "html": "html", "docx": "docx"}
_MAX_SVG_BYTES = 350_000


@dataclass(frozen=True)
class ReportFiles:
    """Paths written by :func:`write_report`."""

    html: Path
    figures: tuple[Path, ...]
    tables: tuple[Path, ...]


def _template_text(name: str) -> str:
    return (resources.files("policydiffusion.report") / "templates" / name).read_text("utf-8")


def _fig_bytes(fig: object, fmt: str) -> bytes:
    buf = io.BytesIO()
    kw = {"metadata": {"Date": None}} if fmt == "svg" else {}
    if fmt == "png":
        kw = {"dpi": 150, "metadata": {"Software": None}}
    fig.savefig(buf, format=fmt, bbox_inches="tight", **kw)  # type: ignore[attr-defined]
    return buf.getvalue()


def _data_uri(svg: bytes | None, png: bytes) -> str:
    if svg is not None and len(svg) <= _MAX_SVG_BYTES:
        return "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def _heading(h: object, lang: str) -> str:
    return tr(h, lang) if isinstance(h, str) else pick(h, lang)  # type: ignore[arg-type]


def _context(doc: ReportDocument, lang: str, figures: dict[str, dict], tables: dict[str, dict]) -> dict:
    sections = []
    nfig = ntab = 0
    for i, s in enumerate(doc.sections, start=1):
        items = []
        for it in s.items:
            if isinstance(it, Paragraph):
                items.append({"type": "p", "kind": it.kind, "text": pick(it.text, lang)})
            elif isinstance(it, FigureItem):
                nfig += 1
                f = figures.get(it.key, {})
                items.append({"type": "figure", "id": f"fig-{it.key}",
                              "label": tr("report.figure", lang, n=nfig),
                              "caption": pick(it.caption, lang), "src": f.get("src", ""),
                              "files": f.get("files", [])})
            elif isinstance(it, TableItem):
                ntab += 1
                t = tables.get(it.key, {})
                items.append({"type": "table", "id": f"tab-{it.key}",
                              "label": tr("report.table", lang, n=ntab),
                              "caption": pick(it.caption, lang), "html": t.get("html", ""),
                              "note": pick(it.note, lang) if it.note else "",
                              "css_class": it.css_class,
                              "files": t.get("files", [])})
        sections.append({"id": s.key, "number": i, "heading": _heading(s.heading, lang),
                         "items": items})
    return {
        "lang": lang, "html_lang": "zh-CN" if lang == "zh" else "en", "csp": CSP,
        "title": pick(doc.title, lang), "description": pick(doc.description, lang),
        "authors": ", ".join(doc.authors), "simulated": doc.simulated,
        "simulated_text": tr("report.simulated", lang),
        "facts": [{"label": tr(f.key, lang), "value": pick(f.value, lang) if not isinstance(
            f.value, str) else f.value} for f in doc.facts],
        "contents": tr("report.contents", lang), "sections": sections,
        "generated_by": tr("report.generated_by", lang, version=doc.version,
                           file=doc.source_file or "-"),
        "files_label": tr("report.downloads", lang, files="{files}"),
        "css": _template_text("report.css"),
    }


def render_html(doc: ReportDocument, *, lang: str = "en",
                figures: dict[str, dict] | None = None, tables: dict[str, dict] | None = None) -> str:
    """The report as one self-contained HTML page.

    Parameters
    ----------
    doc
        The content.
    lang
        ``"en"`` or ``"zh"``: every heading, label and table header.
    figures, tables
        Already-drawn figures (``{key: {"src": data URI, "files": [...]}}``) and tables
        (``{key: {"html": ..., "files": [...]}}``); items without one are drawn here.
    """
    check_language(lang)
    figures = dict(figures or {})
    tables = dict(tables or {})
    for it in iter_items(doc, (FigureItem, TableItem)):
        if isinstance(it, FigureItem) and it.key not in figures:
            figures[it.key] = {"src": _draw(it, lang, None, ())[0]}
        if isinstance(it, TableItem) and it.key not in tables:
            tables[it.key] = {"html": it.render("html", lang)}
    import jinja2

    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    template = env.from_string(_template_text("report.html.j2"))
    context = _context(doc, lang, figures, tables)
    page = template.render(**context, font_css="")
    font_css = embedded_font_css(page)
    return template.render(**context, font_css=font_css) if font_css else page


def embedded_font_css(text: str) -> str:
    """An ``@font-face`` rule carrying the shipped CJK font cut down to the characters
    of ``text`` (a WOFF ``data:`` URI), or ``""`` when ``text`` has no CJK character.

    The page then shows Chinese with no CJK font installed (the Content-Security-Policy
    allows ``font-src data:`` and nothing else).

    Examples
    --------
    >>> embedded_font_css("English only")
    ''
    >>> css = embedded_font_css("扩散 diffusion")
    >>> css.startswith('@font-face { font-family: "PolicyDiffusion Sans SC"; src: url(data:font/woff;base64,')
    True
    """
    chars = set(text)
    if not any(_is_cjk(c) for c in chars):
        return ""
    from fontTools import subset

    from policydiffusion.report.figures._fonts import CJK_FAMILY, cjk_font_path

    opts = subset.Options()
    opts.flavor = "woff"  # zlib only; no brotli needed
    opts.recalc_timestamp = False  # same input, same bytes
    font = subset.load_font(str(cjk_font_path()), opts)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=sorted(ord(c) for c in chars if ord(c) >= 0x20))
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, opts)
    b64 = base64.b64encode(buf.getvalue()).decode("ascii")
    return (f'@font-face {{ font-family: "{CJK_FAMILY}"; src: url(data:font/woff;base64,{b64}) '
            'format("woff"); }')


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return 0x2E80 <= o <= 0x9FFF or 0xF900 <= o <= 0xFAFF or 0xFF00 <= o <= 0xFFEF


def _draw(item: FigureItem, lang: str, folder: Path | None, formats: Sequence[str],
          stem: str = "") -> tuple[str, list[Path]]:
    import matplotlib.pyplot as plt

    from policydiffusion.report._fonts import figure_style

    with figure_style(lang):
        fig = item.draw(lang)
        try:
            png = _fig_bytes(fig, "png")
            svg = _fig_bytes(fig, "svg")
            paths = []
            if folder is not None:
                for fmt in formats:
                    p = folder / f"{stem or safe_filename(item.key)}.{fmt}"
                    p.write_bytes({"png": png, "svg": svg}.get(fmt) or _fig_bytes(fig, fmt))
                    paths.append(p)
        finally:
            plt.close(fig)  # type: ignore[arg-type]
    return _data_uri(svg, png), paths


def write_report(doc: ReportDocument, out: Path | str, *, lang: str = "en",
                 figure_formats: Sequence[str] = ("png", "svg"),
                 table_formats: Sequence[str] = ("csv", "latex", "markdown"),
                 progress: object | None = None) -> ReportFiles:
    """Write ``report.html``, ``figures/`` and ``tables/`` for ``doc`` into ``out``.

    Parameters
    ----------
    doc
        The content.
    out
        Output folder (created if needed).
    lang
        Language of the report, figures and tables.
    figure_formats, table_formats
        Files written for each figure and table. ``"docx"`` (Word) needs python-docx
        (``pip install "policydiffusion[docx]"``).
    progress
        Optional callable ``progress(description)`` called before each figure.
    """
    check_language(lang)
    out = Path(out)
    fig_dir, tab_dir = out / "figures", out / "tables"
    fig_dir.mkdir(parents=True, exist_ok=True)
    tab_dir.mkdir(parents=True, exist_ok=True)
    figures: dict[str, dict] = {}
    tables: dict[str, dict] = {}
    fig_paths: list[Path] = []
    tab_paths: list[Path] = []
    stems: dict[type, set[str]] = {FigureItem: set(), TableItem: set()}
    for it in iter_items(doc, (FigureItem, TableItem)):
        stem = safe_filename(it.key, taken=stems[type(it)])
        if isinstance(it, FigureItem):
            if progress is not None:
                progress(it.key)  # type: ignore[operator]
            src, paths = _draw(it, lang, fig_dir, figure_formats, stem)
            figures[it.key] = {"src": src, "files": [f"figures/{p.name}" for p in paths]}
            fig_paths += paths
        elif isinstance(it, TableItem):
            paths = []
            for fmt in table_formats:
                p = tab_dir / f"{stem}.{_EXT[fmt]}"
                if fmt != "docx":
                    p.write_text(it.render(fmt, lang), encoding="utf-8")
                elif it.docx is None:  # never skipped silently: the caller asked for Word
                    raise InvalidOptionError(f"table {it.key!r} cannot be written as Word (.docx)")
                else:
                    it.docx(p, lang)
                paths.append(p)
            tables[it.key] = {"html": it.render("html", lang),
                              "files": [f"tables/{p.name}" for p in paths]}
            tab_paths += paths
    html_path = out / "report.html"
    html_path.write_text(render_html(doc, lang=lang, figures=figures, tables=tables), encoding="utf-8")
    return ReportFiles(html=html_path, figures=tuple(fig_paths), tables=tuple(tab_paths))
