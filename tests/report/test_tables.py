"""Regression tables: row order, the constant's place, hidden fixed effects."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import fit_hazard
from policydiffusion.report.tables import order_terms, regression_table, regression_table_frame


@pytest.fixture(scope="module")
def models():
    rng = np.random.default_rng(1)
    n = 600
    df = pd.DataFrame({"x": rng.normal(size=n), "z": rng.normal(size=n),
                       "g": rng.choice(list("abc"), size=n)})
    eta = -1 + 0.8 * df.x - 0.3 * df.z + (df.g == "b") * 0.5
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return {"(1)": fit_hazard(df, "y ~ z + x"),
            "(2)": fit_hazard(df, "y ~ z + x + C(g)"),
            "(3)": fit_hazard(df, "y ~ z * x + C(g)")}


def _terms(frame):
    return [t for t in frame["term"].iloc[: frame.attrs["n_term_rows"]] if t]


def test_default_keeps_first_seen_order_with_the_constant_last(models):
    t = regression_table_frame(models)
    # rows named as the report names them (issue 15: the constant is "Constant")
    assert _terms(t) == ["z", "x", "C(g)[T.b]", "C(g)[T.c]", "z × x", "Constant"]
    t = regression_table_frame(models, intercept="first")
    assert _terms(t)[0] == "Constant"


def test_order_puts_named_terms_first_and_factors_as_a_block(models):
    t = regression_table_frame(models, order=["x", "z:x", "C(g)"], labels={"x": "Key"})
    assert _terms(t) == ["Key", "z × Key", "C(g)[T.b]", "C(g)[T.c]", "z", "Constant"]
    # an estimate stays with its term when rows move
    est = models["(3)"].params["z:x"]
    row = t[t.term == "z × Key"].iloc[0]
    assert row["(3)"].rstrip("*") == f"{est:.3f}"
    # the constant can be placed by order too
    assert _terms(regression_table_frame(models, order=["Intercept", "x"]))[:2] == ["Constant", "x"]


def test_drop_hides_dummies_and_marks_fixed_effects(models):
    t = regression_table_frame(models, drop={"C(g)": "Group fixed effects"})
    assert not any(str(x).startswith("C(g)") for x in t["term"])
    fe = t[t.term == "Group fixed effects"].iloc[0]
    assert fe.tolist()[1:] == ["No", "Yes", "Yes"]
    assert t.attrs["hidden_terms"] == ["C(g)[T.b]", "C(g)[T.c]"]
    # the fixed-effects row sits after the coefficients, before the statistics
    rows = t["term"].tolist()
    assert rows.index("Group fixed effects") == t.attrs["n_term_rows"]
    assert rows[t.attrs["n_term_rows"] + 1] == "Observations"
    zh = regression_table_frame(models, drop={"C(g)": "组别固定效应"}, lang="zh")
    assert zh[zh.term == "组别固定效应"].iloc[0].tolist()[1:] == ["否", "是", "是"]
    # a plain list hides without a row
    plain = regression_table_frame(models, drop=["C(g)"])
    assert len(plain) == len(t) - 1


@pytest.mark.parametrize("fmt", ["markdown", "latex", "html", "csv"])
def test_every_format_shows_the_fixed_effects_row(models, fmt):
    text = regression_table(models, fmt=fmt, drop={"C(g)": "Group FE"}, order=["x"])
    assert "Group FE" in text and "T.b" not in text
    assert text.index("x") < text.index("Constant")


def test_vcov_labels_replace_the_note(models):
    t = regression_table_frame(models, vcov_labels={k: "常规标准误" for k in models}, lang="zh")
    assert t.attrs["notes"][0] == "括号内为标准误。标准误：常规标准误"


def test_bad_intercept_option(models):
    with pytest.raises(InvalidOptionError, match="intercept"):
        regression_table(models, intercept="middle")


@given(st.lists(st.sampled_from(["a", "b", "c", "Intercept", "C(f)[T.x]", "C(f)[T.y]", "a:b"]),
                unique=True),
       st.lists(st.sampled_from(["a", "b", "C(f)", "a:b", "zz", "Intercept"]), unique=True),
       st.sampled_from(["first", "last"]))
def test_order_terms_is_a_permutation(terms, order, intercept):
    out = order_terms(terms, order, intercept=intercept)
    assert sorted(out) == sorted(terms)
    if "Intercept" in terms and "Intercept" not in order:
        assert out[0 if intercept == "first" else -1] == "Intercept"


def test_journal_rows_p_values_and_captions():
    """Issue 16, item 13: BIC row, p < 0.001 rather than 0.000, captions without internal keys."""
    import numpy as np
    import pandas as pd

    from policydiffusion.estimate import fit_hazard
    from policydiffusion.pipeline.assemble import fmt_p
    from policydiffusion.report.i18n import tr
    from policydiffusion.report.tables import regression_table_frame

    df = pd.DataFrame({"x": np.arange(10.0), "y": [0, 0, 1, 0, 0, 1, 0, 1, 1, 1]})
    res = fit_hazard(df, "y ~ x")
    rows = regression_table_frame({"(1)": res})["term"].tolist()
    assert "BIC" in rows and rows.index("BIC") == rows.index("AIC") + 1
    bic = regression_table_frame({"(1)": res}).set_index("term").loc["BIC", "(1)"]
    assert bic == f"{res.bic:,.3f}"
    assert fmt_p(1e-9) == "< 0.001" and fmt_p(0.0) == "< 0.001" and fmt_p(0.012) == "0.012"
    for lang in ("en", "zh"):
        for design in ("monadic", "dyadic", "pooled"):
            cap = tr("models.table", lang, design=tr(f"models.design.{design}", lang), policy="P")
            assert design not in cap and "models." not in cap and "P" in cap


def test_latex_table_float_with_caption_label_notes_and_minus():
    """Issue 16, item 13: a LaTeX `table` with caption, label, threeparttable notes,
    \\textminus and \\times."""
    import numpy as np
    import pandas as pd

    from policydiffusion.estimate import fit_hazard
    from policydiffusion.report.tables import regression_table

    rng = np.random.default_rng(1)
    df = pd.DataFrame({"x": rng.normal(size=300), "z": rng.normal(size=300)})
    df["y"] = (rng.random(300) < 1 / (1 + np.exp(2 + df.x))).astype(int)
    tex = regression_table({"(1)": fit_hazard(df, "y ~ x * z")}, fmt="latex",
                           caption="Lottery & more", label="tab:m1")
    assert "\n\\begin{table}[htbp]" in tex and tex.rstrip().endswith("\\end{table}")
    assert "\\caption{Lottery \\& more}" in tex and "\\label{tab:m1}" in tex
    assert "\\begin{tablenotes}" in tex and "\\item Standard errors in parentheses." in tex
    assert "\\textminus{}" in tex and "x $\\times$ z" in tex
    body = tex.split("\\midrule", 1)[1].split("\\bottomrule")[0]
    assert not __import__("re").search(r"(?<![\w{])-\d", body)


def test_regression_table_as_word():
    """Issue 16, item 13: Word output with the same cells, caption and notes."""
    import tempfile
    from pathlib import Path

    import numpy as np
    import pandas as pd

    docx = pytest.importorskip("docx")
    from policydiffusion.estimate import fit_hazard
    from policydiffusion.report.docx import regression_table_docx
    from policydiffusion.report.tables import regression_table_frame

    df = pd.DataFrame({"x": np.arange(10.0), "y": [0, 0, 1, 0, 0, 1, 0, 1, 1, 1]})
    res = {"(1)": fit_hazard(df, "y ~ x")}
    with tempfile.TemporaryDirectory() as d:
        p = regression_table_docx(res, Path(d) / "m.docx", caption="Table 1. Lottery", lang="zh")
        doc = docx.Document(str(p))
    frame = regression_table_frame(res, lang="zh")
    cells = [[c.text for c in r.cells] for r in doc.tables[0].rows]
    assert cells[1:] == frame.to_numpy().tolist()
    texts = [par.text for par in doc.paragraphs]
    assert texts[0] == "Table 1. Lottery" and texts[1:] == frame.attrs["notes"]
