"""Issue 16, item 13: a study file's `[report] table_formats` accepts "docx" (Word)."""

from __future__ import annotations

import csv
import importlib.util

import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError, StudyFileError
from policydiffusion.pipeline import run_study
from policydiffusion.studyfile import load_study_file

STUDY = '''
[study]
title = "Toy study"
[data]
adoptions = "adoptions.csv"
units = "units.csv"
end = 2010
[[riskset]]
name = "rs"
terms = [{term = "national_share", name = "natl"}]
[[model]]
name = "m"
formula = "adopt ~ natl + duration"
[report]
figures = []
table_formats = ["csv", "docx"]
'''


@pytest.fixture
def toy(tmp_path):
    units = [f"U{i:02d}" for i in range(20)]
    (tmp_path / "units.csv").write_text("unit,name\n" + "".join(f"{u},Unit {u}\n" for u in units))
    years = [2001, 2002, 2002, 2003, 2004, 2004, 2004, 2005, 2006, 2006, 2007, 2008]
    (tmp_path / "adoptions.csv").write_text("policy,unit,time\n" + "".join(
        f"p1,{u},{y}\n" for u, y in zip(units, years)))
    (tmp_path / "study.toml").write_text(STUDY)
    return tmp_path


def _docx_cells(path) -> list[list[str]]:
    import docx

    (table,) = docx.Document(str(path)).tables
    return [[c.text for c in row.cells] for row in table.rows]


def test_study_file_writes_word_tables_with_the_csv_cells(toy):
    pytest.importorskip("docx")
    assert load_study_file(toy / "study.toml").report.table_formats == ("csv", "docx")
    run_study(toy / "study.toml", toy / "out")
    tables = toy / "out" / "tables"
    words = sorted(p.stem for p in tables.glob("*.docx"))
    assert words == sorted(p.stem for p in tables.glob("*.csv")) and "models_rs_p1" in words
    import docx

    for stem, caption in (("models_rs_p1", "Discrete-time hazard models: adoption of p1"),
                          ("risksets", "Risk sets")):
        with open(tables / f"{stem}.csv", encoding="utf-8", newline="") as fh:
            want = list(csv.reader(fh))
        cells = _docx_cells(tables / f"{stem}.docx")
        assert cells == want[: len(cells)], stem  # the same cells, header included
        paras = [p.text for p in docx.Document(str(tables / f"{stem}.docx")).paragraphs]
        # the caption above the table, and the notes the CSV has as last rows below it
        assert paras[0] == caption and paras[1:] == [r[0] for r in want[len(cells):]]
        if stem == "models_rs_p1":
            assert any("p < 0.05" in n for n in paras[1:])


def test_docx_without_python_docx_is_refused_before_any_work(toy, monkeypatch):
    import policydiffusion.studyfile._validate as V

    real = importlib.util.find_spec
    monkeypatch.setattr(V.importlib.util, "find_spec", lambda name, *a: None if name == "docx"
                        else real(name, *a))
    with pytest.raises(StudyFileError, match=r"study.toml.*table_formats.*policydiffusion\[docx\]"):
        load_study_file(toy / "study.toml")


def test_a_table_without_a_word_writer_is_not_skipped(tmp_path):
    from policydiffusion.report.document import ReportDocument, Section, TableItem
    from policydiffusion.report.html import write_report

    item = TableItem(key="t", caption={"en": "T"}, render=lambda fmt, lang: "")
    doc = ReportDocument(title={"en": "t"}, sections=(Section(key="s", heading={"en": "s"}, items=(item,)),))
    with pytest.raises(InvalidOptionError, match="'t' cannot be written as Word"):
        write_report(doc, tmp_path / "out", table_formats=("docx",), figure_formats=())


def test_frame_table_writes_word(tmp_path):
    pytest.importorskip("docx")
    from policydiffusion.report.document import frame_table

    t = frame_table("k", {"en": "Counts", "zh": "计数"}, lambda lang: pd.DataFrame({"n": [1, 2]}),
                    note={"en": "A note.", "zh": "注。"})
    p = t.docx(tmp_path / "k.docx", "zh")
    import docx

    d = docx.Document(str(p))
    assert [p.text for p in d.paragraphs] == ["计数", "注。"]
    assert _docx_cells(p) == [["n"], ["1"], ["2"]]
