"""The top-level front door: lazy re-exports, the README's five lines, risk sets in fit_hazard."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import policydiffusion as pdf

ROOT = Path(__file__).resolve().parents[2]
MAIN_PATH = {
    "load_study": "policydiffusion.study", "load_dataset": "policydiffusion.datasets",
    "monadic_riskset": "policydiffusion.riskset", "dyadic_riskset": "policydiffusion.riskset",
    "fit_hazard": "policydiffusion.estimate", "fit_cox": "policydiffusion.estimate",
    "regression_table": "policydiffusion.report.tables", "netinf": "policydiffusion.networks",
    "describe_policy": "policydiffusion.curves", "classify_modes": "policydiffusion.modes",
}


def test_main_path_at_top_level_is_the_same_object():
    import importlib

    for name, module in MAIN_PATH.items():
        assert getattr(pdf, name) is getattr(importlib.import_module(module), name), name
    assert pdf.terms is importlib.import_module("policydiffusion.terms")
    assert set(MAIN_PATH) | {"terms", "__version__"} <= set(pdf.__all__)
    assert set(pdf.__all__) <= set(dir(pdf))


def test_unknown_top_level_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'fit_hazzard'"):
        pdf.fit_hazzard  # noqa: B018


def test_import_stays_light():
    # the CLI and `import policydiffusion` must not pay for numpy/pandas/polars up front
    code = ("import sys, policydiffusion as p; assert 'fit_hazard' in dir(p); "
            "print(sorted(m for m in ('numpy', 'pandas', 'polars') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT / "src")}, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def readme_main_path() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## The main path in Python, in five lines", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_readme_main_path_runs_as_written(capsys):
    code = readme_main_path()
    assert len(code.strip().splitlines()) == 5
    assert code.startswith("import policydiffusion as pdf\n")
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102
    out = capsys.readouterr().out
    assert "| smokeban |" in out and "| Observations | 868 |" in out
    assert "cluster-robust by unit (G=50)" in out


def small_riskset(**options):
    study = pdf.load_study(pd.DataFrame({
        "policy": "p", "unit": list("ABCDEFGH"),
        "time": [2000, 2001, 2002, 2002, 2003, 2004, 2005, 2006]}), end=2007)
    return pdf.monadic_riskset(study, policy="p", terms=[pdf.terms.national_share()], **options)


@pytest.mark.parametrize("collected", [False, True])
def test_fit_hazard_takes_a_riskset_with_its_provenance(collected):
    rs = small_riskset(first_period_adopters="skip", lazy=not collected)
    assert rs.is_collected == collected
    assert not rs.exclusions.empty  # A adopted in the first period and is left out
    formula = "adopt ~ national_share_l1"
    res = pdf.fit_hazard(rs, formula, vcov="hc1")
    ref = pdf.fit_hazard(rs.to_pandas(), formula, vcov="hc1")
    np.testing.assert_allclose(res.params, ref.params, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.std_errors, ref.std_errors, rtol=0, atol=1e-12)
    assert res.nobs == ref.nobs == rs.n_rows()
    prov = res.provenance
    assert prov["data"] == "the monadic risk set of 'p'"
    assert prov["riskset"]["design"] == "monadic"
    assert prov["riskset"]["options"]["first_period_adopters"] == "skip"
    assert prov["riskset"]["options"]["policies"] == ["p"]
    assert prov["riskset"]["exclusions"] == rs.exclusions.to_dict(orient="records")
    assert prov["riskset"]["exclusions"][0]["count"] == 1
    assert "riskset" not in ref.provenance


def test_riskset_provenance_reaches_the_json():
    import json

    res = pdf.fit_hazard(small_riskset(), "adopt ~ national_share_l1")
    doc = json.loads(json.dumps(res.to_dict()))
    assert doc["provenance"]["riskset"]["options"]["design"] == "monadic"
