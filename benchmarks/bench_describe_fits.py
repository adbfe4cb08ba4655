"""Benchmark and trust check: curve fits of all SPID policies, Newton against multistart.

Run from the repository root::

    PYTHONPATH=src python3 benchmarks/bench_describe_fits.py [--subset 0]

Fits the four families to every policy twice with ``fit_curves_many``: by the
multistart SLSQP optimiser (``optimizer="multistart"``, the code path describe used
before the batched Newton optimiser, unchanged) and by the batched Newton optimiser
with its checked fallback (the default). Prints the CPU time of each and, per family:
how many fits Newton's check accepted, whether any log-likelihood is below the
multistart's by more than 1e-8 of its size (the trust rule: there must be none), the
largest such gap, how many fits Newton improved, and the largest relative parameter and
standard-error differences where the optimum is well defined (the multistart fit has
no parameter on a bound and every standard error finite and below half its estimate).

The multistart run is the old code path as it was: without the detection of
likelihoods that have no finite optimum (all adoptions in one period or in two
consecutive ones). The Newton run
reports those (and the logistic/Gompertz ridge toward the exponential) as
``no_finite_optimum`` with the supremum as log-likelihood; the script counts them by
reason and checks that the old fit never lies above the supremum by more than 1e-8 of
its size (the claim that the likelihood has no higher point).

An old fit "on the hazard floor" has a period with adoptions whose hazard is below the
likelihood's clip (1e-15): its log-likelihood is the clipped one, above the model's
(SPID bangag logistic: -99.80 clipped, -120.18 unclipped); Newton's lower value
there is the model's own optimum. Such fits are counted apart, not as trust failures.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import policydiffusion.curves._fit as fit_module
from policydiffusion.curves import fit_curves_many
from policydiffusion.curves._models import MODELS
from policydiffusion.datasets import spid_study


def _on_floor(model, d, x) -> bool:
    """Whether the clipped hazard floor (1e-15) binds in a period with adoptions at x."""
    keep = d.at_risk > 0
    t = d.t[keep]
    F = model.cdf(np.concatenate([t - 1, t]), *x)
    with np.errstate(invalid="ignore", divide="ignore"):
        h = (F[t.size:] - F[:t.size]) / (1 - F[:t.size])
    return bool(np.any((d.new[keep] > 0) & ~(h >= 1e-15)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--subset", type=int, default=0, help="first N policies (0: all 728)")
    a = ap.parse_args()
    study = spid_study()
    ids = study.policy_ids[:a.subset] if a.subset else study.policy_ids
    fell_back = set()
    multistart = fit_module._multistart
    detect, detect2 = fit_module.one_period_limit, fit_module.two_period_limit
    fit_module.one_period_limit = lambda *a: None  # the old code path, as it was
    fit_module.two_period_limit = lambda *a: None

    def counting(model, d, method, policy):
        fell_back.add((policy, model.name))
        return multistart(model, d, method, policy)

    t0 = time.process_time()
    old = fit_curves_many(study, ids, optimizer="multistart")
    t_old = time.process_time() - t0
    fit_module.one_period_limit, fit_module.two_period_limit = detect, detect2
    fell_back.clear()
    fit_module._multistart = counting
    t0 = time.process_time()
    new = fit_curves_many(study, ids)
    t_new = time.process_time() - t0
    fit_module._multistart = multistart
    print(f"{len(new)} policies fitted; CPU multistart {t_old:.1f} s, Newton {t_new:.1f} s "
          f"({len(fell_back)} of {4 * len(new)} fits fell back to multistart)")
    data = {p: fit_module._fit_data(study, p, None)[1] for p in new}
    for m in MODELS:
        worse, better, gap, par, se, n_wd, floor = 0, 0, -np.inf, 0.0, 0.0, 0, []
        reasons, above, sup_gap = {}, 0, -np.inf
        for p in new:
            f, o = new[p][m], old[p][m]
            dl = (o.loglik - f.loglik) / max(1.0, abs(o.loglik))
            if not f.has_optimum:
                reasons[f.reason] = reasons.get(f.reason, 0) + 1
                above += dl > 1e-8
                sup_gap = max(sup_gap, dl)
                continue
            if dl > 1e-8 and _on_floor(MODELS[m], data[p], o.estimate):
                floor.append((p, round(o.loglik, 4), round(f.loglik, 4)))
                continue
            gap = max(gap, dl)
            worse += dl > 1e-8
            better += dl < -1e-8
            est, s = o.estimate, o.std_error
            if o.at_bound or not np.all(np.isfinite(s)) or np.any(s / np.abs(est) > 0.5) or dl < -1e-8:
                continue
            n_wd += 1
            par = max(par, float(np.max(np.abs(f.estimate - est) / np.abs(est))))
            se = max(se, float(np.max(np.abs(f.std_error - s) / s)))
        accepted = sum((p, m) not in fell_back and new[p][m].has_optimum for p in new)
        print(f"{m:<12} Newton accepted {accepted:4d}; LL below multistart by > 1e-8 rel: {worse}; "
              f"max (LL_multistart - LL_newton)/max(1,|LL|) {gap:.2e}; Newton higher: {better}; "
              f"well defined {n_wd}: max rel param diff {par:.2e}, max rel SE diff {se:.2e}")
        print(f"{'':<12} no finite optimum {reasons}; old fit above the supremum by > 1e-8 rel: "
              f"{above}; max (LL_old - supremum)/max(1,|LL|) {sup_gap:.2e}")
        if floor:
            print(f"{'':<12} old fit higher but on the hazard floor (old LL, new LL): {floor}")
    labels = [(p, old[p].best, new[p].best) for p in new if old[p].best != new[p].best]
    print(f"best-curve labels that differ: {len(labels)} {labels}")


if __name__ == "__main__":
    main()
