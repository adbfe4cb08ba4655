"""Fitted hazards near zero in long spells are not separation (regression test).

A cubic duration term drives some hazards below 1e-10 late in long SPID spells; the
fit must still converge to the MLE that statsmodels finds, not stop early as
"separation suspected".
"""

from __future__ import annotations

import warnings

import numpy as np
import statsmodels.formula.api as smf

from policydiffusion import terms as T
from policydiffusion.datasets import spid_study
from policydiffusion.errors import FittedProbabilityWarning
from policydiffusion.estimate import fit_hazard
from policydiffusion.riskset import monadic_riskset


def test_pooled_spid_with_cubic_duration_converges_to_the_mle():
    study = spid_study(policies=["antibully", "smokeban", "termlim", "aborparc"])
    rs = monadic_riskset(study, policies=study.policy_ids,
                         terms=[T.neighbors_adopted(), T.national_share(), T.duration_poly()])
    df = rs.to_pandas()
    f = ("adopt ~ neighbors_adopted_l1 + national_share_l1 + C(policy)"
         " + duration_poly_1 + duration_poly_2 + duration_poly_3")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no convergence or separation warning
        # hazards below 1e-13 late in long spells: R's glm gives this notice too
        warnings.simplefilter("ignore", FittedProbabilityWarning)
        res = fit_hazard(df, f, link="logit")
    assert res.converged
    ref = smf.logit(f, df).fit(disp=0, tol=1e-12, maxiter=100)
    assert abs(res.loglik - ref.llf) < 1e-8
    np.testing.assert_allclose(res.params[ref.params.index].values, ref.params.values,
                               rtol=1e-6, atol=1e-8)


def test_large_finite_optimum_is_reached_not_declared_separated():
    """AMBER alerts stop in 2004 while the risk set runs to 2017: the cubic duration
    coefficients reach about -390 and Newton needs ~15 steps. R glm and statsmodels
    converge there; so must we (it used to stop at step 11 as 'separation')."""
    study = spid_study(policies=["amber"])
    rs = monadic_riskset(study, policy="amber", terms=[T.duration_poly()],
                         unit_attributes=["region", "capital_lat"])
    df = rs.to_pandas()
    f = "adopt ~ C(region) + capital_lat + duration_poly_1 + duration_poly_2 + duration_poly_3"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.simplefilter("ignore", FittedProbabilityWarning)  # as R's glm notices
        res = fit_hazard(df, f)
    with np.errstate(over="ignore"):  # statsmodels' own exp overflow at hazards near 0
        ref = smf.logit(f, df).fit(disp=0, method="newton", maxiter=100)
    assert res.converged and ref.mle_retvals["converged"]
    assert abs(res.loglik - ref.llf) < 1e-8
    np.testing.assert_allclose(res.params[ref.params.index].values, ref.params.values, rtol=1e-5)
