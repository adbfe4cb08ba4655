"""Chinese regression tables say everything in Chinese, footnotes included (issue 15,
item 2): variance labels, not-estimable reasons, Firth refits and corrected covariances."""

import re
import warnings

import numpy as np
import pandas as pd
import pytest

from policydiffusion.estimate import fit_hazard
from policydiffusion.report.tables import regression_table, regression_table_frame

#: Latin words a Chinese note may keep: names of methods and people, and formula letters
PROPER = {"p", "Firth", "Stata", "G", "King", "Zeng", "Cameron", "Gelbach", "Miller", "n", "k",
          "HC0", "HC1"}


@pytest.fixture(scope="module")
def models():
    rng = np.random.default_rng(0)
    n = 300
    df = pd.DataFrame({"x": rng.normal(size=n), "g": rng.integers(0, 30, n),
                       "neighbors_adopted": rng.integers(0, 2, n)})
    df["y"] = (rng.random(n) < 1 / (1 + np.exp(1 - df.x))).astype(int)
    df["sep"] = df["y"] * (rng.random(n) < 0.3)  # sep = 1 only where y = 1: separation
    small = pd.DataFrame({"x": rng.normal(size=60), "a": rng.integers(0, 4, 60),
                          "b": rng.integers(0, 4, 60)})
    small["y"] = (rng.random(60) < 0.4).astype(int)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {"(1)": fit_hazard(df, "y ~ x + neighbors_adopted", vcov={"cluster": "g"}),
                "(2)": fit_hazard(df, "y ~ x + sep"),
                "(3)": fit_hazard(df, "y ~ x + sep", on_separation="firth"),
                "(4)": fit_hazard(small, "y ~ x", vcov={"cluster": ["a", "b"]}),
                "(5)": fit_hazard(df, "y ~ x", rare_events=True, vcov="hc1")}


def _latin_words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z][A-Za-z0-9]*", text))


def test_the_english_notes_have_what_the_chinese_ones_must_translate(models):
    notes = " ".join(regression_table_frame(models).attrs["notes"])
    for english in ("cluster-robust by g", "classical", "Not estimable (the fit did not "
                    "converge)", "refitted with Firth", "not positive semi-definite",
                    "King-Zeng variance factor"):
        assert english in notes


def test_chinese_notes_have_no_english_words_but_names(models):
    frame = regression_table_frame(models, lang="zh")
    terms = {w for res in models.values() for t in res.params.index for w in _latin_words(t)}
    columns = {"g", "a", "b"}
    for note in frame.attrs["notes"]:
        left = _latin_words(note) - terms - columns - PROPER
        assert not left, (note, left)
    notes = "\n".join(frame.attrs["notes"])
    assert "按 g 聚类的稳健标准误（30 个聚类" in notes and "常规标准误" in notes
    assert "(1)：" in notes and "无法估计（估计未收敛）：(2)：常数项、x。" in notes
    assert "King-Zeng 方差因子" in notes and "常数项、x 的方差因此改变" in notes
    # the terms in the notes are named as in the rows (the constant is 常数项)
    assert "常数项" in notes and "Intercept" not in notes


def test_every_format_carries_the_chinese_notes(models):
    for fmt in ("markdown", "html", "latex", "csv"):
        text = regression_table(models, lang="zh", fmt=fmt)
        assert "常规标准误" in text and "classical" not in text and "cluster-robust" not in text
