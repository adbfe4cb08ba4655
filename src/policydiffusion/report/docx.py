"""Regression tables as Word documents (``.docx``), for journals that want Word.

Needs the optional ``python-docx`` package (``pip install policydiffusion[docx]``).
The table is the one :func:`~policydiffusion.report.tables.regression_table_frame`
builds (the same cells as the HTML, LaTeX, Markdown and CSV versions): a caption
above, three horizontal rules (top, below the header, bottom) as journals set them,
and the notes below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

from policydiffusion.errors import require

__all__ = ["regression_table_docx", "frame_docx"]


def _docx():
    return require("docx", feature="Word output", extra="docx", package="python-docx")


def frame_docx(frame: pd.DataFrame, path: str | Path, *, caption: str = "", notes: Sequence[str] = (),
               rule_after: int | None = None) -> Path:
    """Write ``frame`` (strings) as a Word table with ``caption`` above and ``notes`` below.

    ``rule_after``: a rule below that many body rows (e.g. between coefficients and
    model statistics). Returns the path written.

    Examples
    --------
    >>> import pandas as pd, tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = frame_docx(pd.DataFrame({"": ["x"], "(1)": ["0.5*"]}), os.path.join(d, "t.docx"),
    ...                    caption="Table 1", notes=["* p < 0.05"])
    ...     p.suffix, p.stat().st_size > 0
    ('.docx', True)
    """
    docx = _docx()
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = docx.Document()
    if caption:
        doc.add_paragraph(caption).runs[0].bold = True
    cols = [str(c) for c in frame.columns]
    table = doc.add_table(rows=1 + len(frame), cols=len(cols))
    for j, c in enumerate(cols):
        table.cell(0, j).text = c
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for j, v in enumerate(row):
            table.cell(i, j).text = "" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v)
    for i, r in enumerate(table.rows):
        for j, cell in enumerate(r.cells):
            for par in cell.paragraphs:
                par.alignment = WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER
                for run in par.runs:
                    run.font.size = Pt(10)
    _rule(table.rows[0], "top")
    _rule(table.rows[0], "bottom")
    _rule(table.rows[-1], "bottom")
    if rule_after is not None and 0 < rule_after < len(frame):
        _rule(table.rows[rule_after], "bottom")
    for n in notes:
        doc.add_paragraph(n).runs[0].font.size = Pt(9)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


def _rule(row, side: str) -> None:
    """A single 0.75 pt line on one side of every cell of ``row`` (Word XML borders)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for cell in row.cells:
        tcPr = cell._tc.get_or_add_tcPr()
        borders = tcPr.find(qn("w:tcBorders"))
        if borders is None:
            borders = OxmlElement("w:tcBorders")
            tcPr.append(borders)
        el = OxmlElement(f"w:{side}")
        for k, v in (("val", "single"), ("sz", "6"), ("space", "0"), ("color", "000000")):
            el.set(qn(f"w:{k}"), v)
        borders.append(el)


def regression_table_docx(results: Mapping[str, Any], path: str | Path, *, caption: str = "",
                          **options: Any) -> Path:
    """Models side by side in a Word document; ``options`` are those of
    :func:`~policydiffusion.report.tables.regression_table` (labels, lang, stars, digits,
    order, intercept, drop, vcov_labels).

    Examples
    --------
    >>> import numpy as np, pandas as pd, tempfile, os
    >>> from policydiffusion.estimate import fit_hazard
    >>> df = pd.DataFrame({"x": np.arange(10.0), "y": [0, 0, 1, 0, 0, 1, 0, 1, 1, 1]})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     regression_table_docx({"(1)": fit_hazard(df, "y ~ x")}, os.path.join(d, "m.docx")).name
    'm.docx'
    """
    from policydiffusion.report.tables import regression_table_frame

    frame = regression_table_frame(results, **options)
    # the term column's header is blank, as in the other formats: "term" is our key, not a label
    return frame_docx(frame.rename(columns={"term": ""}), path, caption=caption, notes=frame.attrs["notes"],
                      rule_after=frame.attrs["n_term_rows"])
