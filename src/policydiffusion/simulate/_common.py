"""Pieces every data-generating process shares: linear predictors, seeds.

Determinism: every process draws its uniforms from ``numpy.random.default_rng(seed)``
in a fixed order and a fixed number per period (whatever the parameters), so the same
seed gives the same data on any machine, and two runs that differ only in a
coefficient share their random numbers (common random numbers). Linear predictors
are accumulated term by term in the order the coefficients are given (element-wise
IEEE arithmetic, no BLAS reductions whose summation order could differ).
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Callable, Mapping

import numpy as np

from policydiffusion.errors import InvalidOptionError

INTERCEPT = "Intercept"


def split_term(name: str) -> list[str]:
    """Components of an interaction name: ``"a:b"`` -> ``["a", "b"]``."""
    return [part.strip() for part in name.split(":")]


def check_names(coefs: Mapping[str, float], known: set[str], what: str) -> None:
    """Raise InvalidOptionError naming every unknown variable in ``coefs``."""
    from policydiffusion._suggest import did_you_mean

    bad = []
    for name in coefs:
        if name == INTERCEPT:
            continue
        for part in split_term(name):
            if part not in known:
                bad.append(f"{part!r}" + did_you_mean(part, sorted(known)))
    if bad:
        raise InvalidOptionError(
            f"unknown variable(s) in the {what} coefficients: {', '.join(bad)}. "
            f"Known: {', '.join(sorted(known)) or 'none'}; use {INTERCEPT!r} for the constant "
            "and 'a:b' for a product.")
    for name, value in coefs.items():
        if not np.isfinite(float(value)):
            raise InvalidOptionError(f"the {what} coefficient {name!r} is {value!r}; it must be finite.")


def linear_predictor(coefs: Mapping[str, float], value: Callable[[str], np.ndarray],
                     shape: tuple[int, ...]) -> np.ndarray:
    """eta = sum_k beta_k x_k, accumulated in the order of ``coefs``.

    ``value(name)`` returns the array of a base variable (broadcastable to ``shape``);
    interactions ``a:b`` are element-wise products.
    """
    eta = np.zeros(shape)
    for name, b in coefs.items():
        if name == INTERCEPT:
            eta = eta + float(b)
            continue
        x = None
        for part in split_term(name):
            v = value(part)
            x = v if x is None else x * v
        eta = eta + float(b) * x
    return eta


def formula_of(coefs: Mapping[str, float], outcome: str) -> str:
    """A Wilkinson formula with exactly the terms of ``coefs``.

    Examples
    --------
    >>> formula_of({"Intercept": -3.0, "x": 1.0, "x:z": 0.5, "z": 0.1}, "y")
    'y ~ x + x:z + z'
    >>> formula_of({"x": 1.0}, "y")
    'y ~ 0 + x'
    """
    terms = [n for n in coefs if n != INTERCEPT]
    rhs = " + ".join(terms) if terms else "1"
    if INTERCEPT not in coefs:
        rhs = "0 + " + rhs
    return f"{outcome} ~ {rhs}"


def package_versions() -> dict[str, str]:
    """Versions that matter for reproducing a simulation."""
    out = {}
    for pkg in ("policydiffusion", "numpy", "scipy", "polars"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "unknown"
    try:
        import policydiffusion

        out["policydiffusion"] = getattr(policydiffusion, "__version__", out["policydiffusion"])
    except ImportError:  # pragma: no cover
        pass
    return out


def make_rng(seed: int | np.random.SeedSequence | None) -> np.random.Generator:
    """numpy's default generator; ``seed`` must be given (an int or a SeedSequence)."""
    if seed is None:
        raise InvalidOptionError("pass seed=<integer> so the simulation can be reproduced.")
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer, np.random.SeedSequence)):
        raise InvalidOptionError(f"seed must be an integer, got {seed!r}.")
    return np.random.default_rng(seed)
