"""Benchmark and trust check: curve fits of all SPID policies, Newton against multistart.

Run from the repository root::

    PYTHONPATH=src python3 benchmarks/bench_describe_fits.py [--subset 0] [--save F] [--before F]

Fits the four families to every policy twice with ``fit_curves_many``: by the
multistart SLSQP optimiser (``optimizer="multistart"``, the code path describe used
before the batched Newton optimiser, unchanged) and by the batched Newton optimiser
with its checked fallback (the default). Prints the CPU time of each and, per family:
how many fits Newton's check accepted, whether any log-likelihood is below the
multistart's by more than 1e-8 of its size (the trust rule: there must be none), the
largest such gap, how many fits Newton improved, and the largest relative parameter and
standard-error differences where the optimum is well defined (the multistart fit has
no parameter on a bound and every standard error finite and below half its estimate).

The multistart run was the old code path as it was: without the detection of
likelihoods that have no finite optimum (all adoptions in one period or in two
consecutive ones). Since branch curve-trust its points must pass Newton's check and
families the data cannot identify are decided from the data (without the step
detection patched away, as here, both optimisers give the same statuses on SPID: 2443
ok, 442 no finite optimum, 27 not identified); a step's fit is then reported not
converged, on a ridge, or "ok" where the likelihood is flat to rounding far along the
step (adoption act (1994) exponential: rate 26, 1e-11 below the supremum), so a few
best-curve labels differ at the end. The Newton run
reports those (and the logistic/Gompertz ridge toward the exponential) as
``no_finite_optimum`` with the supremum as log-likelihood; the script counts them by
reason and checks that the old fit never lies above the supremum by more than 1e-8 of
its size (the claim that the likelihood has no higher point).

``--save F`` pickles every fit of both runs (status, log-likelihood, parameters,
standard errors, best-curve label); ``--before F`` compares this run with such a file
written by another commit (run with ``PYTHONPATH`` at that commit's ``src``): how many
fits changed, the trust maxima of this Newton run against that commit's multistart
where that fit is not on the hazard floor, and whether any reported optimum has a
hazard below 1e-300 in a period with adoptions or above 1 - 1e-16 in a period with
non-adopters (computed in log space, from ``CurveModel.log_parts``).

Before the likelihood was computed in log space (commit 5b3d68b and earlier) it
clipped the hazard to [1e-15, 1 - 1e-15]. An old fit "on the hazard floor" has a period with adoptions whose hazard is below the
likelihood's clip (1e-15): its log-likelihood is the clipped one, above the model's
(SPID bangag logistic: -99.80 clipped, -120.18 unclipped); Newton's lower value
there is the model's own optimum. Such fits are counted apart, not as trust failures.
"""

from __future__ import annotations

import argparse
import pickle
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
    ap.add_argument("--save", help="pickle every fit of both runs to this file")
    ap.add_argument("--before", help="compare with a file --save wrote at another commit")
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
    runs = {"multistart": _records(old), "newton": _records(new)}
    if a.save:
        with open(a.save, "wb") as fh:
            pickle.dump(runs, fh)
    if a.before:
        with open(a.before, "rb") as fh:
            _compare(pickle.load(fh), runs, data)


def _records(fits) -> dict:
    return {(p, m): (f.status, f.reason, f.loglik, np.array(f.estimate), np.array(f.std_error), fits[p].best)
            for p in fits for m, f in fits[p].fits.items()}


def _extreme_hazard(model, d, x) -> bool:
    """A hazard below 1e-300 in a period with adoptions or above 1 - 1e-16 in one with
    non-adopters, in log space (log h = log D - log S0, log(1 - h) = log S1 - log S0)."""
    if model.log_parts is None:  # a commit before the log-space likelihood
        return False
    keep = d.at_risk > 0
    with np.errstate(invalid="ignore"):
        log_d, log_s0, log_s1 = model.log_parts(d.t[keep], *x)
        n, m = d.new[keep], d.at_risk[keep] - d.new[keep]
        return bool(np.any((n > 0) & ~(log_d - log_s0 >= np.log(1e-300)))
                    or np.any((m > 0) & ~(log_s1 - log_s0 >= np.log(1e-16))))


def _compare(before: dict, now: dict, data: dict) -> None:
    """What changed against another commit's fits (see the module docstring)."""
    b, n, bm = before["newton"], now["newton"], before["multistart"]
    keys = [k for k in n if k in b]
    ll = [k for k in keys if not _same(b[k][2], n[k][2], 1e-8)]
    par = [k for k in keys if b[k][0] == n[k][0] == "ok" and not _same(b[k][3], n[k][3], 1e-6)]
    status = [(k, b[k][0] + "/" + b[k][1], n[k][0] + "/" + n[k][1]) for k in keys if b[k][:2] != n[k][:2]]
    labels = sorted({(k[0], b[k][5], n[k][5]) for k in keys if b[k][5] != n[k][5]})
    print(f"against the other commit's Newton fits ({len(keys)}): LL changed (> 1e-8 rel) {len(ll)}, "
          f"parameters changed (> 1e-6 rel, both ok) {len(par)}, status changed {len(status)}, "
          f"best-curve labels changed {len(labels)}")
    for k in ll:
        print(f"  {k[0]:<45} {k[1]:<12} LL {b[k][2]:.4f} -> {n[k][2]:.4f}  {b[k][0]} -> {n[k][0]} {n[k][1]}")
    wd = [k for k in keys if b[k][0] == n[k][0] == "ok" and np.all(np.isfinite(b[k][4]))
          and np.all(b[k][4] < 0.5 * np.abs(b[k][3])) and _same(b[k][3], n[k][3], 1e-6)]
    rel = [(float(np.max(np.abs(n[k][4] - b[k][4]) / b[k][4])), k) for k in wd]
    print(f"  standard errors (closed-form Hessian) against the other commit's, {len(wd)} well-defined "
          f"fits with the same parameters: max rel change {max(rel)[0]:.2e} at {max(rel)[1]}; "
          f"above 1e-3: {sorted((round(r, 5), k) for r, k in rel if r > 1e-3)}")
    print(f"  status changes: {status}")
    print(f"  label changes: {labels}")
    for m in MODELS:
        gap, worse, floor_n, extreme = -np.inf, 0, 0, []
        for (p, mm), r in n.items():
            if mm != m:
                continue
            if r[0] == "ok" and _extreme_hazard(MODELS[m], data[p], r[3]):
                extreme.append(p)
            o = bm.get((p, m))
            if o is None or r[0] != "ok" or o[0] != "ok":
                continue
            if _on_floor(MODELS[m], data[p], o[3]):
                floor_n += 1
                continue
            dl = (-o[2] + r[2]) / max(1.0, abs(o[2]))  # positive: the old multistart higher
            dl = -dl
            gap = max(gap, dl)
            worse += dl > 1e-8
        print(f"{m:<12} vs the other commit's multistart, where that fit is not on the floor: "
              f"LL below it by > 1e-8 rel {worse}, max (LL_old_ms - LL_new)/max(1,|LL|) {gap:.2e} "
              f"(old fits on the floor: {floor_n}); reported optima with an extreme hazard: {extreme}")


def _same(a, b, rtol) -> bool:
    a, b = np.atleast_1d(np.asarray(a, float)), np.atleast_1d(np.asarray(b, float))
    return bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))
                       | (np.abs(a - b) <= rtol * np.maximum(1.0, np.abs(a)))))


if __name__ == "__main__":
    main()
