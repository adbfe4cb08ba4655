"""Detect (quasi-)complete separation and say which terms are involved.

A linear programme finds a direction ``b`` with ``(2y - 1) x_i'b >= 0`` for every
row and a positive total margin; one exists exactly when the logit MLE does not
(Albert & Anderson 1984; Konis 2007). The terms with non-zero ``b`` are named.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

__all__ = ["separating_terms", "collect_design"]

_LP_LIMIT = 3_000_000  # rows x columns solved exactly; larger data use the fit's divergence


def collect_design(engine) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """The whole complete-case design, response and weights of an engine (small data)."""
    if hasattr(engine, "dense_design"):  # absorbed fixed effects: build their dummies
        return engine.dense_design()
    Xs, ys, ws = [], [], []
    for prep in engine.prepared():
        Xs.append(engine.design.block(prep, 0, prep.n))
        ys.append(prep.y)
        ws.append(prep.w)
    X, y = np.vstack(Xs), np.concatenate(ys)
    w = None if ws[0] is None else np.concatenate(ws)
    return X, y, w


def separating_terms(X: np.ndarray, y: np.ndarray, names: Sequence[str],
                     w: np.ndarray | None = None) -> list[str] | None:
    """Terms in a separating direction; ``[]`` if none; ``None`` if too large to check."""
    from scipy.optimize import linprog

    if w is not None:
        keep = w > 0
        X, y = X[keep], y[keep]
    n, k = X.shape
    if n * k > _LP_LIMIT:
        return None
    scale = np.maximum(np.abs(X).max(axis=0), 1e-12)
    A = (X / scale) * (2 * y - 1)[:, None]
    res = linprog(-A.sum(axis=0), A_ub=-A, b_ub=np.zeros(n), bounds=[(-1, 1)] * k,
                  method="highs")
    if res.status != 0 or -res.fun <= 1e-7 * max(1.0, n ** 0.5):
        return []
    b = res.x
    terms = [nm for nm, bj in zip(names, b) if abs(bj) > 1e-6 and nm != "Intercept"]
    return terms or [nm for nm, bj in zip(names, b) if abs(bj) > 1e-6]


def separation_message(terms: Sequence[str], *, converged: bool, n_extreme: int) -> str:
    """The warning text: which terms, what it means, what to do."""
    which = ", ".join(repr(t) for t in terms) if terms else "some terms"
    return (f"(quasi-)complete separation: {which} perfectly predict(s) the outcome for a "
            f"subset of rows ({n_extreme} row(s) have fitted hazards of 0 or 1"
            f"{'' if converged else '; the fit did not converge'}). Maximum-likelihood "
            "estimates for these terms are infinite, so their estimates and standard errors "
            "are unreliable. Refit with firth=True (penalised likelihood), or drop/merge "
            "the categories involved.")
