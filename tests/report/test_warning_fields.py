"""Issue 10 item 6: every warning class carries its facts as fields, and the Chinese
report says it from those fields (never by reading the English message back)."""

from __future__ import annotations

import warnings

import pytest

import policydiffusion.errors as E
from policydiffusion.report.translate import WARNING_KINDS, warning_kind, warning_text

WARNING_CLASSES = [getattr(E, n) for n in E.__all__
                   if isinstance(getattr(E, n), type) and issubclass(getattr(E, n), E.PolicyDiffusionWarning)
                   and getattr(E, n) is not E.PolicyDiffusionWarning]

# one instance of each class with the fields its emitters give it
EXAMPLES = {
    "SeparationWarning": {"terms": ("x",), "rows": 3, "converged": False},
    "ConvergenceWarning": {"link": "logit", "iterations": 50, "tolerance": 1e-8},
    "ExclusionWarning": {"count": 12},
    "VarianceCorrectionWarning": {"terms": ("visits",), "eigenvalues": (-0.1,)},
    "FittedProbabilityWarning": {"rows": 7, "threshold": 2.2e-15},
    "SubgroupTermsWarning": {"group": 1, "by": "g", "terms": ("z",)},
    "NetinfStopWarning": {"requested": 400, "inferred": 31},
    "RareEventsVarianceWarning": {"vcov": "classical"},
    "FirthTestConvergenceWarning": {"terms": ("x",)},
    "RelationPeriodsWarning": {"relation": "net", "served": 2, "n": 10, "lo": 1990, "hi": 1999,
                               "span": "1990-1991", "relation_lag": 0},
    "CensoredAdoptionWarning": {"policy": "p", "count": 2, "end": 2000},
    "CurveFitWarning": {"policy": "p", "method": "bass_ols", "reason": "no_root",
                        "detail": "..."},
    "IndependentDrawsWarning": {"terms": ("x",)},
}


def test_every_warning_class_has_an_example_and_a_kind():
    names = {c.__name__ for c in WARNING_CLASSES}
    assert names == set(EXAMPLES), names ^ set(EXAMPLES)
    for cls in WARNING_CLASSES:
        assert cls.__name__ in WARNING_KINDS, f"{cls.__name__} has no report template"
        assert warning_kind(cls("...")) == WARNING_KINDS[cls.__name__]


@pytest.mark.parametrize("cls", WARNING_CLASSES, ids=lambda c: c.__name__)
def test_chinese_text_comes_from_the_fields(cls):
    w = cls("an English message the translation must not read", **EXAMPLES[cls.__name__])
    assert w.fields == EXAMPLES[cls.__name__] or cls is E.NetinfStopWarning
    zh = warning_text(w, "zh")
    assert not zh.startswith("警告（英文原文）"), zh
    assert "English message" not in zh
    assert warning_text(w, "en") == str(w)


def test_netinf_stop_warning_keeps_its_fields():
    # before: the fields were set as attributes only, so .fields was empty
    w = E.NetinfStopWarning("stopped", requested=10, inferred=4, periods=(1990,))
    assert w.fields == {"requested": 10, "inferred": 4, "periods": (1990,)}
    assert (w.requested, w.inferred, w.periods) == (10, 4, (1990,))


def _caught(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [c.message for c in caught if isinstance(c.message, E.PolicyDiffusionWarning)]


def test_emitters_attach_fields():
    from policydiffusion.curves._bass_ols import bass_ols
    from policydiffusion.terms._periods import check_periods_meet

    got = _caught(lambda: check_periods_meet("net", {1990}, (1990, 1999), 0, window=1))
    assert isinstance(got[0], E.RelationPeriodsWarning)
    assert got[0].fields["served"] == 1 and got[0].fields["n"] == 10
    # adoptions that keep rising: c >= 0, no Bass ceiling
    got = _caught(lambda: bass_ols([1, 2, 4, 8, 16, 32]))
    assert isinstance(got[0], E.CurveFitWarning) and got[0].fields["reason"] == "c_nonnegative"
    assert "Bass 模型" in warning_text(got[0], "zh")
