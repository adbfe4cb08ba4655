"""HTML in notebooks: compact reprs, and docs/main_path.ipynb run by the tests."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

import policydiffusion as pdf

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def fitted():
    study = pdf.load_study(pd.DataFrame({
        "policy": "p", "unit": list("ABCDEFGH"),
        "time": [2000, 2001, 2002, 2002, 2003, 2004, 2005, 2006]}), end=2007)
    rs = pdf.monadic_riskset(study, policy="p", terms=[pdf.terms.national_share()])
    return study, rs, pdf.fit_hazard(rs, "adopt ~ national_share_l1")


def test_results_render_as_their_summary_not_the_dataclass(fitted):
    _, _, res = fitted
    html = res._repr_html_()
    assert html == res.summary()._repr_html_()
    assert "<table>" in html and "national_share_l1" in html
    assert "provenance" not in html and len(html) < 5000


def test_cox_result_renders_as_html():
    df = pd.DataFrame({"start": [0, 0, 0, 0, 0, 0], "stop": [1, 2, 3, 4, 5, 6],
                       "event": [1, 0, 1, 1, 0, 1], "x": [0.5, -1, 0.3, 1.2, -0.4, 0.1]})
    res = pdf.fit_cox(df, "Surv(start, stop, event) ~ x")
    assert res._repr_html_() == res.summary()._repr_html_()
    assert "<td>x</td>" in res._repr_html_()


def test_study_and_riskset_summaries_are_text_and_html(fitted):
    study, rs, _ = fitted
    for obj in (study, rs.collect()):
        text = obj.summary()
        assert isinstance(text, str) and str(text) == text
        assert obj._repr_html_() == f"<pre>{text}</pre>"
    assert str(study.summary()).startswith("Study: 8 units, 1 policies")


def test_lazy_riskset_html_does_not_compute_it(fitted):
    study, _, _ = fitted
    rs = pdf.monadic_riskset(study, policy="p", terms=[pdf.terms.national_share()], lazy=True)
    html = rs._repr_html_()
    assert not rs.is_collected
    assert "Risk set (monadic, lazy): p" in html and "national_share_l1" in html


def test_regression_table_is_text_rendered_as_the_html_table(fitted):
    _, _, res = fitted
    md = pdf.regression_table({"(1)": res})
    assert md == str(md) and md.startswith("|  | (1) |")
    assert md._repr_html_() == pdf.regression_table({"(1)": res}, fmt="html")
    assert "<table" in md._repr_html_()


def test_docs_notebook_runs_and_renders_html(monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    # the kernel must import this checkout, not another installed copy
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(
        [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]))
    nb = nbformat.read(ROOT / "docs" / "main_path.ipynb", as_version=4)
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                                     resources={"metadata": {"path": str(ROOT)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError:
        raise
    except Exception as exc:  # no kernel here (e.g. no jupyter kernel spec): not our failure
        if "kernel" in type(exc).__name__.lower() or "kernel" in str(exc).lower():
            pytest.skip(f"the notebook kernel could not start: {exc}")
        raise
    html = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code"
            for o in c.get("outputs", []) if "text/html" in o.get("data", {})]
    assert any("<pre>Study: 50 units" in h for h in html)
    assert any("Discrete-time hazard model" in h and "national_share_l1" in h for h in html)
    assert any("<table" in h and "smokeban" in h for h in html)
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.get("output_type") == "error"]
    assert not errors
