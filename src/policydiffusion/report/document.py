"""What a report contains, independent of its language and its format.

A :class:`ReportDocument` holds sections of paragraphs, figures and tables. Texts are
labels in several languages (``{"en": ..., "zh": ...}``) or i18n keys; figures and
tables are *drawn* when the report is rendered, with the language as argument, so one
set of results gives an English and a Chinese report with the same numbers.

Examples
--------
>>> import pandas as pd
>>> t = frame_table("counts", {"en": "Counts", "zh": "计数"},
...                 lambda lang: pd.DataFrame({"n": [1, 2]}))
>>> print(t.render("markdown", "en"))
| n |
|---|
| 1 |
| 2 |
"""

from __future__ import annotations

import html as _html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence, Union

import pandas as pd

from policydiffusion.safe_output import neutralise_frame

__all__ = ["Label", "Paragraph", "FigureItem", "TableItem", "Section", "Fact", "ReportDocument",
           "frame_table", "frame_to"]

Label = Mapping[str, str]


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text; ``kind`` ``"note"`` or ``"warning"`` draws it as a box."""

    text: Label
    kind: str = "text"


@dataclass(frozen=True)
class FigureItem:
    """A figure: ``draw(lang)`` returns a matplotlib Figure; ``key`` names its files."""

    key: str
    caption: Label
    draw: Callable[[str], object]


@dataclass(frozen=True)
class TableItem:
    """A table: ``render(fmt, lang)`` returns it as html, latex, markdown or csv text;
    ``docx(path, lang)``, when given, writes it as a Word file (binary, so not a ``render``
    format)."""

    key: str
    caption: Label
    render: Callable[[str, str], str]
    note: Label | None = None
    css_class: str = ""
    docx: Callable[[Path, str], object] | None = None


Item = Union[Paragraph, FigureItem, TableItem]


@dataclass(frozen=True)
class Section:
    """A numbered section of the report; ``heading`` is an i18n key or a label."""

    key: str
    heading: Union[str, Label]
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Fact:
    """One line of the summary box: an i18n key and a value (text or label)."""

    key: str
    value: Union[str, Label]


@dataclass(frozen=True)
class ReportDocument:
    """Everything the report shows."""

    title: Label
    description: Label = field(default_factory=dict)
    authors: tuple[str, ...] = ()
    simulated: bool = False
    facts: tuple[Fact, ...] = ()
    sections: tuple[Section, ...] = ()
    source_file: str = ""
    version: str = ""


# ----------------------------------------------------------------- tables from frames
def _md_cell(v: object) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ")


_NUMERIC = re.compile(r"^[-+−]?[\d,.]+(/\d+)?[%*]*$|^\([-\d.,]+\)$")
_TEX = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
        "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
        "<": r"\textless{}", ">": r"\textgreater{}", "×": r"$\times$", "−": r"\textminus{}"}  # OT1 fonts print < and > as ¡ and ¿


def latex_label(label: str) -> str:
    r"""``\label{...}`` with the characters LaTeX labels cannot hold replaced by ``-``."""
    return r"\label{" + re.sub(r"[^A-Za-z0-9:_\-.]", "-", label) + "}"


def frame_to(frame: pd.DataFrame, fmt: str, *, caption: str = "", label: str = "") -> str:
    """A small DataFrame as ``html``, ``latex``, ``markdown`` or ``csv`` text.

    Cells are written as they are: format numbers before (the same strings then
    appear in every format and language).

    Examples
    --------
    >>> print(frame_to(pd.DataFrame({"a": ["x&y"]}), "html"))
    <table>
    <thead><tr><th>a</th></tr></thead>
    <tbody>
    <tr><td>x&amp;y</td></tr>
    </tbody>
    </table>
    """
    cols = [str(c) for c in frame.columns]
    rows = [[("" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)) for v in r]
            for r in frame.itertuples(index=False)]
    if fmt == "csv":
        return neutralise_frame(frame).to_csv(index=False)
    if fmt == "markdown":
        out = ["| " + " | ".join(_md_cell(c) for c in cols) + " |",
               "|" + "|".join("---" for _ in cols) + "|"]
        out += ["| " + " | ".join(_md_cell(v) for v in r) + " |" for r in rows]
        return "\n".join(out)
    if fmt == "html":
        esc = _html.escape
        head = "".join(f"<th>{esc(c)}</th>" for c in cols)
        body = "\n".join("<tr>" + "".join(
            f'<td class="num">{esc(v)}</td>' if _NUMERIC.match(v) else f"<td>{esc(v)}</td>"
            for v in r) + "</tr>" for r in rows)
        return f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>"
    if fmt == "latex":
        def tex(s: str) -> str:
            return "".join(_TEX.get(ch, ch) for ch in s)
        spec = "l" * len(cols)
        lines = [r"\begin{table}[htbp]", r"\centering"]
        if caption:
            lines.append(r"\caption{" + tex(caption) + "}")
        if label:  # cross-references: \ref{tab:KEY}
            lines.append(latex_label(label))
        lines += [r"\begin{tabular}{" + spec + "}", r"\hline",
                  " & ".join(tex(c) for c in cols) + r" \\", r"\hline"]
        lines += [" & ".join(tex(v) for v in r) + r" \\" for r in rows]
        lines += [r"\hline", r"\end{tabular}", r"\end{table}"]
        return "\n".join(lines)
    from policydiffusion.errors import check_choice

    check_choice("fmt", fmt, ("html", "latex", "markdown", "csv"))
    raise AssertionError  # pragma: no cover


def frame_table(key: str, caption: Label, frame: Callable[[str], pd.DataFrame], *,
                note: Label | None = None) -> TableItem:
    """A :class:`TableItem` from a function ``lang -> DataFrame`` (headers in that language)."""
    from policydiffusion.report.i18n import pick

    def render(fmt: str, lang: str) -> str:
        return frame_to(frame(lang), fmt, caption=pick(caption, lang), label=f"tab:{key}")

    def docx(path: Path, lang: str) -> Path:
        from policydiffusion.report.docx import frame_docx

        return frame_docx(frame(lang), path, caption=pick(caption, lang),
                          notes=[pick(note, lang)] if note else ())

    return TableItem(key=key, caption=caption, render=render, note=note, docx=docx)


def iter_items(doc: ReportDocument, kind: type | tuple[type, ...]) -> Sequence:
    """Every item of one kind (or of several: a tuple, as for ``isinstance``) in the document, in order."""
    return [it for s in doc.sections for it in s.items if isinstance(it, kind)]
