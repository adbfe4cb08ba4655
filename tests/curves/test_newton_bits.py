"""Speed work on the Newton optimiser and the log-space likelihood parts changes no
number: their results on SPID data equal, to the last bit, those of the code before it
(golden/newton_bits.json, written by golden/newton_bits.py at commit ecf8c80)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from policydiffusion.curves._models import MODELS
from policydiffusion.curves._newton import newton_fits

GOLDEN = json.loads((Path(__file__).parent / "golden" / "newton_bits.json").read_text(encoding="utf-8"))


def _hex(a) -> list:
    return [float(v).hex() for v in np.ravel(a)]


@pytest.mark.parametrize("name", list(MODELS))
def test_newton_end_points_to_the_bit(name):
    rows = GOLDEN["newton"][name]
    data = [(np.array(r["t"]), np.array(r["at_risk"]), np.array(r["new"])) for r in rows]
    fits = newton_fits(MODELS[name], data, [[tuple(s) for s in r["starts"]] for r in rows])
    for policy, r, f in zip(GOLDEN["policies"], rows, fits):
        got = None if f is None else {"x": _hex(f.x), "fun": float(f.fun).hex(), "n_iter": f.n_iter,
                                      "checked": f.checked}
        want = None if r["x"] is None else {k: r[k] for k in ("x", "fun", "n_iter", "checked")}
        assert got == want, (policy, name)


@pytest.mark.parametrize("name", list(MODELS))
def test_log_parts_to_the_bit(name):
    g = GOLDEN["log_parts"][name]
    theta, t = np.array(g["theta"]), np.arange(1.0, 26.0)
    with np.errstate(all="ignore"):
        parts = MODELS[name].log_parts(t[None, :], *(theta[:, j:j + 1] for j in range(theta.shape[1])))
    for i, (p, want) in enumerate(zip(parts, g["parts"])):
        assert _hex(p) == want, (name, ["log D", "log S0", "log S1"][i])
