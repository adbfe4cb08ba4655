"""Speed work on the Newton optimiser and the log-space likelihood parts changes no
number: their results on SPID data equal, to the last bit, those of the code before it
(golden/newton_bits.json, written by golden/newton_bits.py at commit ecf8c80).

To the bit only where numpy's exp / log give this machine the golden machine's bits
(the canary); elsewhere (another SIMD path or libm) to 1e-9 relative."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from policydiffusion.curves._models import MODELS
from policydiffusion.curves._newton import newton_fits

HERE = Path(__file__).parent / "golden"
GOLDEN = json.loads((HERE / "newton_bits.json").read_text(encoding="utf-8"))


def _hex(a) -> list:
    return [float(v).hex() for v in np.ravel(a)]


def _same_math() -> bool:
    spec = importlib.util.spec_from_file_location("newton_bits_golden", HERE / "newton_bits.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.canary() == GOLDEN["canary"]


EXACT = _same_math()


def _check(got: list, want: list, where) -> None:
    if EXACT:
        assert got == want, where
    else:
        g, w = (np.array([float.fromhex(v) for v in a]) for a in (got, want))
        np.testing.assert_allclose(g, w, rtol=1e-9, atol=1e-12, err_msg=str(where))


@pytest.mark.parametrize("name", list(MODELS))
def test_newton_end_points_to_the_bit(name):
    rows = GOLDEN["newton"][name]
    data = [(np.array(r["t"]), np.array(r["at_risk"]), np.array(r["new"])) for r in rows]
    fits = newton_fits(MODELS[name], data, [[tuple(s) for s in r["starts"]] for r in rows])
    for policy, r, f in zip(GOLDEN["policies"], rows, fits):
        assert (f is None) == (r["x"] is None), (policy, name)
        if f is None:
            continue
        _check(_hex(f.x) + [float(f.fun).hex()], r["x"] + [r["fun"]], (policy, name))
        assert f.checked == r["checked"], (policy, name)
        if EXACT:
            assert f.n_iter == r["n_iter"], (policy, name)


@pytest.mark.parametrize("name", list(MODELS))
def test_log_parts_to_the_bit(name):
    g = GOLDEN["log_parts"][name]
    theta, t = np.array(g["theta"]), np.arange(1.0, 26.0)
    with np.errstate(all="ignore"):
        parts = MODELS[name].log_parts(t[None, :], *(theta[:, j:j + 1] for j in range(theta.shape[1])))
    for i, (p, want) in enumerate(zip(parts, g["parts"])):
        _check(_hex(p), want, (name, ["log D", "log S0", "log S1"][i]))
