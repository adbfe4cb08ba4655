"""Every fixed exclusion reason of the study loader and risk-set builders has a Chinese text."""

from __future__ import annotations

import pandas as pd

from policydiffusion.pipeline.assemble import _reason
from policydiffusion.report.i18n import TEXT
from policydiffusion.riskset import _spells
from policydiffusion.study import load_study

RISKSET_REASONS = [v for k, v in vars(_spells).items() if k.startswith("R_")]


def _study_reasons() -> list[str]:
    a = pd.DataFrame({"policy": ["p", "p", "p"], "unit": ["A", "B", "C"], "time": [1, 5, 9]})
    wide = pd.DataFrame({"unit": ["A", "B"], "p": [2001, 0]})
    return (list(load_study(a, start=2, end=8, granularity="period").exclusions["reason"])
            + list(load_study(wide, layout="wide").exclusions["reason"]))


def test_every_reason_is_translated():
    reasons = RISKSET_REASONS + _study_reasons()
    assert len(RISKSET_REASONS) == 10 and len(reasons) == 13
    for reason in reasons:
        zh = _reason(reason, "zh")
        assert zh != reason, f"no Chinese text for the exclusion reason {reason!r}"
        assert _reason(reason, "en") == reason


def test_unknown_reason_is_kept_as_recorded():
    assert _reason("something new", "zh") == "something new"
    assert all(set(v) >= {"en", "zh"} for k, v in TEXT.items() if k.startswith("exclusion."))
