"""Term labels in the API match the report (issue 15, item 2): one label function for
res.summary(), regression_table and the report."""

import numpy as np
import pandas as pd
import pytest

from policydiffusion.estimate import fit_cox, fit_hazard
from policydiffusion.report.i18n import term_label
from policydiffusion.report.tables import regression_table, regression_table_frame


@pytest.fixture(scope="module")
def res():
    rng = np.random.default_rng(3)
    n = 500
    df = pd.DataFrame({"neighbors_adopted": rng.integers(0, 3, n).astype(float),
                       "duration": rng.integers(1, 20, n).astype(float)})
    eta = -2 + 0.5 * df.neighbors_adopted - 0.05 * df.duration
    df["adopt"] = (rng.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
    return fit_hazard(df, "adopt ~ neighbors_adopted * duration")


def test_tidy_keeps_the_raw_term_and_adds_the_report_label(res):
    t = res.tidy()
    assert t["term"].tolist() == ["Intercept", "neighbors_adopted", "duration",
                                  "neighbors_adopted:duration"]
    assert t["label"].tolist() == ["Constant", "Neighbours adopted", "Duration",
                                   "Neighbours adopted × Duration"]
    assert t["label"].tolist() == [term_label(x, "en") for x in t["term"]]


def test_summary_text_and_html_show_the_labels_not_the_raw_names(res):
    s = res.summary()
    text, page = str(s), s._repr_html_()
    for shown in (text, page, s.to_markdown()):
        assert "Constant" in shown and "Neighbours adopted × Duration" in shown
        assert "Intercept" not in shown and "neighbors_adopted:duration" not in shown
    assert "<td>Constant</td>" in page


def test_summary_table_and_report_use_one_label_per_term(res):
    frame = regression_table_frame({"(1)": res})
    in_table = [x for x in frame["term"].iloc[: frame.attrs["n_term_rows"]] if x]
    assert sorted(in_table) == sorted(res.tidy()["label"])
    # a user label wins, in the term and in its interactions, as in the report
    zh = regression_table({"(1)": res}, lang="zh", labels={"duration": "时长"})
    assert "常数项" in zh and "相邻单位已采纳 × 时长" in zh


def test_cox_results_carry_labels_too():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"time": rng.integers(1, 10, 80), "event": rng.integers(0, 2, 80),
                       "neighbors_adopted": rng.normal(size=80)})
    cox = fit_cox(df, "Surv(time, event) ~ neighbors_adopted")
    assert cox.tidy()["label"].tolist() == ["Neighbours adopted"]
    assert "Neighbours adopted" in str(cox.summary())
    assert "label" not in cox.to_dict()["coefficients"][0]  # JSON keeps its shape
