"""Writes newton_bits.json: the bounded Newton optimiser's end points and the families'
log-space likelihood parts on SPID data, to the last bit (``float.hex``), so that
speed work on ``curves/_newton.py`` and ``curves/_models.py`` can show it changes no
number. Made at commit ecf8c80 (before the describe speed work of issue 16 item 19) by
running from the repository root::

    PYTHONPATH=src python3 tests/curves/golden/newton_bits.py

The Newton inputs (each policy's periods, units at risk, adopters and start vectors)
are stored with the results, so the test needs nothing but ``newton_fits``.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent / "newton_bits.json"
#: the first SPID policies, and ones whose fits have been hard: bangag (an adoption at a
#: tiny hazard), land sales practices (the logistic / Gompertz ridges), truthsent
POLICIES = ["aboldeapen", "aborparc", "aborparn", "absvot", "adc", "antibully", "bangag",
            "land sales practices", "truthsent"]


def _hex(a) -> list:
    return [float(v).hex() for v in np.ravel(a)]


def canary() -> dict:
    """numpy's elementary functions on fixed numbers: a machine whose exp / log differ
    in the last bits (another SIMD path or libm) cannot reproduce the golden to the bit."""
    from scipy.special import expit, log_expit

    v = np.linspace(-40.0, 40.0, 161) + 1 / 3
    return {name: _hex(f(v)) for name, f in (("exp", np.exp), ("log", lambda z: np.log(np.abs(z))),
                                             ("log1p", lambda z: np.log1p(np.abs(z))),
                                             ("expm1", np.expm1), ("expit", expit),
                                             ("log_expit", log_expit), ("logaddexp", lambda z: np.logaddexp(z, 1.5)))}


def make() -> dict:
    # here, not at the top: the test reads canary() alone
    from policydiffusion.curves._data import policy_times_many
    from policydiffusion.curves._fit import _fit_data_of
    from policydiffusion.curves._models import MODELS
    from policydiffusion.curves._newton import newton_fits
    from policydiffusion.datasets import spid_study

    study = spid_study(policies=POLICIES)
    data = [_fit_data_of(pt) for pt in policy_times_many(study, POLICIES)]
    out: dict = {"policies": POLICIES, "canary": canary(), "newton": {}, "log_parts": {}}
    for name, model in MODELS.items():
        inputs, starts = [], []
        for d in data:
            ok = np.isfinite(d.share)
            inputs.append((d.t, d.at_risk, d.new))
            starts.append([tuple(map(float, s)) for s in model.starts(d.t[ok], d.share[ok])])
        fits = newton_fits(model, inputs, starts)
        out["newton"][name] = [
            {"t": d.t.tolist(), "at_risk": d.at_risk.tolist(), "new": d.new.tolist(), "starts": s,
             "x": None if f is None else _hex(f.x), "fun": None if f is None else float(f.fun).hex(),
             "n_iter": None if f is None else f.n_iter, "checked": None if f is None else f.checked}
            for d, s, f in zip(data, starts, fits)]
        # the parts at the end points, at the box's corners and at one policy's starts
        t = np.arange(1.0, 26.0)
        pts = starts[1] + [tuple(float.fromhex(v) for v in r["x"]) for r in out["newton"][name] if r["x"]]
        box = np.array(np.meshgrid(*zip(model.lower, model.upper))).reshape(len(model.lower), -1).T
        pts += [tuple(c) for c in box]
        theta = np.array(pts)
        with np.errstate(all="ignore"):
            parts = model.log_parts(t[None, :], *(theta[:, j:j + 1] for j in range(theta.shape[1])))
        out["log_parts"][name] = {"theta": theta.tolist(), "parts": [_hex(p) for p in parts]}
    return out


if __name__ == "__main__":
    HERE.write_text(json.dumps(make()), encoding="utf-8")
