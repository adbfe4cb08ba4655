"""Outputs are safe to open: no cell runs as a spreadsheet formula, no file name leaves
its folder, LaTeX specials are escaped (issue 16, items 8, 9 and 12)."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from policydiffusion.cli import run
from policydiffusion.safe_output import neutralise_cell, safe_filename

PAYLOADS = ['=HYPERLINK("http://x")', "+1+2", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A2)",
            "\t=1+1", "\r=1+1"]


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def _no_formula(cells: list[str]) -> None:
    risky = [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")
             or (c.startswith("-") and not c.replace(".", "").lstrip("-").isdigit())]
    assert not risky, risky


@pytest.mark.parametrize("payload", PAYLOADS)
def test_formula_cells_are_neutralised_and_numbers_kept(payload):
    assert neutralise_cell(payload) == "'" + payload
    for number in ("-0.25", "+3", "-1.2e-05", "-0.123***", "-1,234"):
        assert neutralise_cell(number) == number


def _adoptions(tmp_path):
    f = tmp_path / "a.csv"
    pd.DataFrame({"policy": ["p"] * 3, "unit": PAYLOADS[:3],
                  "time": [2001, 2002, 2003]}).to_csv(f, index=False)
    return f


def test_riskset_csv_output_is_neutralised(tmp_path):
    out = tmp_path / "rs.csv"
    assert run(["riskset", "monadic", str(_adoptions(tmp_path)), "--policy", "p",
                "-o", str(out)]) == 0
    cells = _cells(out.read_text())
    _no_formula(cells)
    assert "'" + PAYLOADS[0] in cells


def test_netinf_trees_csv_is_neutralised(tmp_path):
    f = tmp_path / "c.csv"
    pd.DataFrame({"policy": ["a"] * 3 + ["b"] * 3, "unit": PAYLOADS[:3] * 2,
                  "time": [1, 2, 3, 1, 3, 2]}).to_csv(f, index=False)
    trees = tmp_path / "trees.csv"
    assert run(["netinf", str(f), "--cascade-col", "policy", "--node-col", "unit",
                "--time-col", "time", "--edges", "1", "--trees", str(trees)]) == 0
    _no_formula(_cells(trees.read_text()))


def test_report_tables_csv_is_neutralised():
    from policydiffusion.report.document import frame_to

    names = PAYLOADS[:5]  # a lone carriage return inside a cell is covered above
    text = frame_to(pd.DataFrame({"unit": names, "b": [-1.5] * len(names)}), "csv")
    cells = _cells(text)
    _no_formula(cells)
    assert "-1.5" in cells


def test_regression_table_csv_and_latex():
    import numpy as np

    from policydiffusion.estimate import fit_hazard
    from policydiffusion.report.tables import regression_table

    df = pd.DataFrame({"x": np.arange(10.0), "y": [0, 0, 1, 0, 0, 1, 0, 1, 1, 1]})
    res = {"(1)": fit_hazard(df, "y ~ x")}
    labels = {"x": "=cmd|' /C calc'!A0"}
    _no_formula(_cells(regression_table(res, labels=labels, fmt="csv")))
    tex = regression_table(res, labels={"x": r"GDP^2 ~ \ratio"}, fmt="latex")
    assert r"GDP\textasciicircum{}2 \textasciitilde{} \textbackslash{}ratio" in tex


@pytest.mark.parametrize("name, expected", [
    ("curve_a/b", "curve_a_b"), ("../../etc/x", "_.._etc_x"), ("..", "_"),
    ('a:b*c?"d"<e>|f', "a_b_c__d__e__f"), ("CON", "_CON"), ("政策/一", "政策_一"),
    ("x" * 300, "x" * 120)])
def test_generated_file_names_are_sanitised(name, expected):
    assert safe_filename(name) == expected


def test_report_writes_a_slash_key_inside_its_folder(tmp_path):
    from policydiffusion.report.document import ReportDocument, Section, frame_table
    from policydiffusion.report.html import write_report

    tables = tuple(frame_table(key, {"en": "Speed"}, lambda lang: pd.DataFrame({"a": [1]}))
                   for key in ("speed_a/b", "speed_a_b"))
    doc = ReportDocument(title={"en": "t"}, sections=(Section(key="s", heading={"en": "s"},
                                                              items=tables),))
    files = write_report(doc, tmp_path / "out", table_formats=("csv",), figure_formats=())
    assert [p.name for p in files.tables] == ["speed_a_b.csv", "speed_a_b_2.csv"]
    assert all(p.parent == tmp_path / "out" / "tables" for p in files.tables)


def test_latex_escapes_angle_brackets_for_p_below_precision():
    from policydiffusion.pipeline.assemble import fmt_p
    from policydiffusion.report.document import frame_to

    assert [fmt_p(v) for v in (0.0, 0.00049, 0.0312, 1.0)] == ["< 0.001", "< 0.001", "0.031",
                                                               "1.000"]
    assert fmt_p(0.004, 2) == "< 0.01"
    tex = frame_to(pd.DataFrame({"p": [fmt_p(1e-9)]}), "latex")
    assert r"\textless{} 0.001" in tex and "< 0.001" not in tex


def test_regression_table_has_events_and_bic_rows():
    import numpy as np

    from policydiffusion.estimate import fit_hazard
    from policydiffusion.report.tables import regression_table_frame

    df = pd.DataFrame({"x": np.arange(10.0), "y": [0, 0, 1, 0, 0, 1, 0, 1, 1, 1]})
    res = fit_hazard(df, "y ~ x")
    assert res.n_events == 5
    t = regression_table_frame({"(1)": res}).set_index("term")
    assert t.loc["Events", "(1)"] == "5"
    assert t.loc["BIC", "(1)"] == f"{-2 * res.loglik + 2 * np.log(10):.3f}"
    zh = regression_table_frame({"(1)": res}, lang="zh").set_index("term")
    assert zh.loc["事件数", "(1)"] == "5"
    weighted = fit_hazard(df.assign(w=2.0), "y ~ x", weights="w")
    assert weighted.n_events is None  # a weighted sum is not a count


def test_regression_latex_is_a_float_with_caption_label_and_notes():
    import numpy as np

    from policydiffusion.estimate import fit_hazard
    from policydiffusion.report.tables import regression_table

    df = pd.DataFrame({"x": np.arange(10.0), "y": [1, 0, 1, 0, 0, 1, 0, 1, 0, 0]})
    tex = regression_table({"(1)": fit_hazard(df, "y ~ x")}, fmt="latex",
                           caption="Lottery: 50% of states", label="tab:m 1",
                           labels={"x": "a × b"})
    lines = tex.splitlines()
    assert lines[1:6] == [r"\begin{table}[htbp]", r"\centering", r"\begin{threeparttable}",
                          r"\caption{Lottery: 50\% of states}", r"\label{tab:m-1}"]
    assert r"a $\times$ b & \textminus{}0.213 \\" in lines
    assert r"\item $^{*}$ p \textless{} 0.05, $^{**}$ p \textless{} 0.01, $^{***}$ p " \
           r"\textless{} 0.001" in lines
    assert lines[-3:] == [r"\end{tablenotes}", r"\end{threeparttable}", r"\end{table}"]


def test_report_latex_tables_carry_a_label():
    from policydiffusion.report.document import frame_table

    t = frame_table("speed_a/b", {"en": "Speed"}, lambda lang: pd.DataFrame({"a": [1]}))
    tex = t.render("latex", "en")
    assert r"\caption{Speed}" in tex and r"\label{tab:speed_a-b}" in tex
