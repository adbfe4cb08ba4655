"""The rank of a covariance matrix as a Wald test needs it: rounding noise, real
directions, and the ambiguous band between them (shared by the effects' joint tests
and the subgroup difference tests)."""

from __future__ import annotations

import numpy as np

__all__ = ["covariance_rank"]


def covariance_rank(V: np.ndarray, *, what: str, zero_tol: float = 1e-10,
                    nonzero_tol: float = 1e-8) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Eigenvalues and eigenvectors of a symmetric covariance, the mask of those that are
    real, and why its rank is ambiguous ('' if it is not).

    Eigenvalues at most ``zero_tol`` times the largest are rounding noise (0), those above
    ``nonzero_tol`` times it are real (the tolerances of ``curves/_newton.py``); one in
    between leaves the rank, and so a Wald test's degrees of freedom, to rounding, and
    the reason says so. ``what`` names the tested quantities in it.

    Examples
    --------
    >>> lam, vec, real, why = covariance_rank(np.diag([1.0, 1e-9]), what="2 effects")
    >>> real.tolist(), why[:52]
    ([False, True], 'the covariance of the 2 effects has 1 eigenvalue bet')
    """
    lam, vec = np.linalg.eigh(V)
    top = max(float(lam.max()), 0.0)
    real = lam > nonzero_tol * top
    unclear = int(np.sum(~real & (lam > zero_tol * top)))
    why = "" if not unclear else (
        f"the covariance of the {what} has {unclear} eigenvalue{'s' if unclear > 1 else ''} "
        f"between {zero_tol:g} and {nonzero_tol:g} times the largest: its rank is ambiguous")
    return lam, vec, real, why
