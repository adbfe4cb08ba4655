"""Estimator warnings and variance labels in the report's language."""

import warnings

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import ConvergenceWarning, ExclusionWarning, SeparationWarning
from policydiffusion.estimate import VcovSpec, fit_hazard
from policydiffusion.pipeline.models import caught_warnings
from policydiffusion.report.translate import vcov_text, warning_kind, warning_text


def _warnings_of(*args, **kw):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit_hazard(*args, **kw)
    return caught_warnings(caught)


@pytest.fixture(scope="module")
def separated():
    """``z`` perfectly predicts the outcome where it is 1: the estimator warns."""
    rng = np.random.default_rng(3)
    n = 200
    df = pd.DataFrame({"x": rng.normal(size=n), "z": (np.arange(n) % 10 == 0).astype(int)})
    df["y"] = ((rng.random(n) < 0.3) | (df.z == 1)).astype(int)
    return df


def test_real_separation_warning_is_translated_with_term_labels(separated):
    ws = _warnings_of(separated, "y ~ x + z")
    sep = [w for w in ws if w.category == "SeparationWarning"]
    assert sep, ws
    zh = warning_text(sep[0], "zh", category=sep[0].category, labels={"z": {"zh": "试点城市"}})
    assert zh.startswith("（准）完全分离：“试点城市”") and "Firth" in zh
    assert not any(w in zh for w in ("perfectly", "unreliable", "subset"))
    assert warning_text(sep[0], "en", category=SeparationWarning) == sep[0]


def test_real_convergence_warning_is_translated(separated):
    from policydiffusion.estimate import SolverOptions

    ws = _warnings_of(separated, "y ~ x", solver=SolverOptions(max_iter=1))
    conv = [w for w in ws if w.category == "ConvergenceWarning"]
    assert conv, ws
    zh = warning_text(conv[0], "zh", category=ConvergenceWarning)
    assert zh.startswith("logit 模型在 1 次迭代后仍未收敛") and "容差" in zh
    # the class or its name decide the kind, never the wording
    assert warning_kind(conv[0], ConvergenceWarning) == warning_kind(conv[0]) == "not_converged"
    assert warning_kind(str(conv[0])) is None


def test_dropped_rows_and_unknown_warnings():
    msg = "1,204 rows with a missing value in a model variable were left out."
    assert warning_text(msg, "zh", category=ExclusionWarning, fields={"count": 1204}) == \
        "因模型变量存在缺失值，1,204 行未纳入估计。"
    assert warning_text("odd thing happened", "zh", category=UserWarning) == \
        "警告（英文原文）：odd thing happened"
    # a known category without its fields keeps the text behind the prefix, not a wrong template
    assert warning_text("reworded message", "zh", category=SeparationWarning).startswith("警告")


def test_translation_reads_fields_not_the_message(separated):
    """Rewording a message cannot degrade the translation: only the fields are read."""
    ws = _warnings_of(separated, "y ~ x + z")
    sep = next(w for w in ws if w.category == "SeparationWarning")
    assert sep.fields["terms"] == ("z",) and sep.fields["rows"] > 0
    reworded = type(sep)("Separation found (wording changed).", sep.category, sep.fields)
    assert warning_text(reworded, "zh") == warning_text(sep, "zh")
    assert "“z”" in warning_text(reworded, "zh")


def test_vcov_text_in_both_languages():
    assert vcov_text("hc1", "zh") == "异方差稳健标准误（HC1，n/(n-k)）"
    assert vcov_text({"cluster": ["unit", "period"]}, "en").startswith(
        "two-way cluster-robust by unit and period, Cameron-Gelbach-Miller")
    assert vcov_text("classical", "en") == "classical (inverse expected information)"


@pytest.mark.parametrize("vcov", ["classical", "hc0", "HC1", "hc1", {"cluster": "unit"},
                                  {"cluster-regress": "unit"}, {"cluster": ["unit", "period"]},
                                  {"dyadic": ["unit", "source"]}])
def test_vcov_text_is_the_estimators_label(vcov):
    # issue 10: the report re-parsed the raw option and called hc0, HC1 and
    # cluster-regress "classical (from the information matrix)"
    spec = VcovSpec.parse(vcov)
    n = [31] * (1 if spec.kind == "dyadic" else len(spec.columns))
    assert vcov_text(vcov, "en", n) == spec.label(n or None)
    zh = vcov_text(vcov, "zh", n)
    assert zh == spec.label(n or None, lang="zh", names={"unit": "单位", "source": "来源",
                                                         "period": "时期"})
    if spec.kind != "classical":
        assert "classical" not in vcov_text(vcov, "en", n) and "常规" not in zh


def test_vcov_labels_differ_by_kind_in_each_language():
    specs = ["classical", "hc0", "hc1", {"cluster": "unit"}, {"cluster-regress": "unit"},
             {"dyadic": ["unit", "source"]}]
    for lang in ("en", "zh"):
        texts = [vcov_text(v, lang) for v in specs]
        assert len(set(texts)) == len(texts), texts


def test_new_warnings_are_said_in_chinese_from_their_fields():
    from policydiffusion.errors import (FittedProbabilityWarning, SubgroupTermsWarning,
                                        VarianceCorrectionWarning)

    fp = FittedProbabilityWarning("fitted probabilities numerically 0 or 1 occurred (7 row(s)).",
                                  rows=7, threshold=2.2e-15)
    assert warning_text(fp, "zh") == "出现数值上为 0 或 1 的拟合概率（7 行）。"
    vc = VarianceCorrectionWarning("...", terms=("visits",), eigenvalues=(-0.1,))
    assert warning_text(vc, "zh", labels={"visits": {"zh": "考察"}}).startswith(
        "协方差矩阵非半正定") and "“考察”" in warning_text(vc, "zh", labels={"visits": {"zh": "考察"}})
    sg = SubgroupTermsWarning("...", group=1, by="g", terms=("z", "x:z"))
    assert warning_text(sg, "zh").startswith("g的子样本 1：“z”、“x × z”在该子样本中为常数")
