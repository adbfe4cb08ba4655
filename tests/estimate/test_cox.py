"""Cox models with (start, stop] data, strata and Lin-Wei SEs against R survival::coxph."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError
from policydiffusion.estimate import fit_cox

FORMULA = "Surv(start, stop, event) ~ x1 + x2"
CASES = {
    "plain": {},
    "cluster": {"vcov": {"cluster": "cluster"}},
    "strata_cluster": {"strata": "stratum", "vcov": {"cluster": "cluster"}},
    "robust_rows": {"vcov": "hc0"},
}


@pytest.mark.parametrize("ties", ["efron", "breslow"])
@pytest.mark.parametrize("case", list(CASES))
def test_cox_matches_coxph(cox_data, cox_golden, ties, case):
    res = fit_cox(cox_data, FORMULA, ties=ties, **CASES[case])
    ref = cox_golden[ties][case]
    assert res.params.index.tolist() == ref["terms"]
    np.testing.assert_allclose(res.params, ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose(res.std_errors, ref["se"], rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(res._inv)), ref["se_naive"], rtol=1e-6)
    assert res.loglik == pytest.approx(ref["loglik"], rel=1e-9)
    assert res.loglik_null == pytest.approx(ref["loglik_null"], rel=1e-9)
    assert (res.nobs, res.n_events) == (ref["n"], ref["nevent"])
    assert res.converged


def test_cox_with_vcov_and_labels(cox_data, cox_golden):
    res = fit_cox(cox_data, FORMULA)
    cl = res.with_vcov({"cluster": "cluster"})
    np.testing.assert_allclose(cl.std_errors, cox_golden["efron"]["cluster"]["se"], rtol=1e-6)
    assert cl.vcov_label == "cluster-robust (Lin-Wei) by cluster (G=50), no small-sample factor"
    assert res.vcov_spec.kind == "classical"            # original unchanged
    hr = cl.tidy(exponentiate=True)
    assert hr.estimate.iloc[0] == pytest.approx(np.exp(res.params.iloc[0]))
    assert "Cox" in str(cl.summary()) and cl.to_dict()["n_events"] == res.n_events


def test_intervals_do_not_count_rows_starting_at_the_event_time(cox_data):
    """(start, stop]: shifting every start by -0.5 (overlapping rows) must change the fit."""
    a = fit_cox(cox_data, FORMULA)
    b = fit_cox(cox_data.assign(start=cox_data.start - 0.5), FORMULA)
    assert abs(a.params.iloc[0] - b.params.iloc[0]) > 1e-3


def test_cox_bad_input(cox_data):
    with pytest.raises(InvalidOptionError, match="Surv"):
        fit_cox(cox_data, "event ~ x1")
    with pytest.raises(InvalidOptionError, match="start < stop"):
        fit_cox(cox_data.assign(start=cox_data.stop), FORMULA)
    with pytest.raises(InvalidOptionError, match="Cox models take"):
        fit_cox(cox_data, FORMULA, vcov={"cluster": ["cluster", "stratum"]})
    with pytest.raises(InvalidOptionError, match="ties"):
        fit_cox(cox_data, FORMULA, ties="exact")
