"""Smith-Waterman local alignment of two token sequences, with per-token weights.

Scores (defaults from the Legislative Influence Detector's ``LocalAligner``,
dssg/policy_diffusion ``lid/text_alignment.py``): a match of tokens ``a_i = b_j``
scores ``match * (w_a[i] + w_b[j]) / 2``, so boilerplate (weight 0.1) adds little; a
mismatch scores ``mismatch``; a gap (a token of one text left unpaired) scores ``gap``.
Cells never go below zero (local alignment); the alignment ends at the first cell
holding the highest score (row-major order) and is traced back, preferring the
diagonal, then a gap in ``b``, then a gap in ``a``, until a zero cell.

The dynamic program runs compiled with numba when it is installed (the
``reinvention`` extra); without it the same code runs as plain Python, correct but
slow, and a warning says so once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from policydiffusion.errors import PolicyDiffusionWarning

__all__ = ["smith_waterman", "Alignment"]


def _fill(a, b, wa, wb, match, mismatch, gap):  # pragma: no cover - compiled by numba
    n, m = len(a), len(b)
    trace = np.zeros((n + 1, m + 1), dtype=np.int8)
    prev = np.zeros(m + 1)
    cur = np.zeros(m + 1)
    best, bi, bj = 0.0, 0, 0
    for i in range(1, n + 1):
        ai, wai = a[i - 1], wa[i - 1]
        cur[0] = 0.0
        for j in range(1, m + 1):
            if b[j - 1] == ai:
                d = prev[j - 1] + match * 0.5 * (wai + wb[j - 1])
            else:
                d = prev[j - 1] + mismatch
            u = prev[j] + gap
            left = cur[j - 1] + gap
            h, t = 0.0, 0
            if d > h:
                h, t = d, 1
            if u > h:
                h, t = u, 2
            if left > h:
                h, t = left, 3
            cur[j] = h
            trace[i, j] = t
            if h > best:
                best, bi, bj = h, i, j
        prev, cur = cur, prev
    # trace back: collect matched positions (0-based) and the aligned start
    ma = np.empty(min(n, m), dtype=np.int64)
    mb = np.empty(min(n, m), dtype=np.int64)
    k = 0
    i, j = bi, bj
    while i > 0 and j > 0 and trace[i, j] != 0:
        t = trace[i, j]
        if t == 1:
            if a[i - 1] == b[j - 1]:
                ma[k] = i - 1
                mb[k] = j - 1
                k += 1
            i -= 1
            j -= 1
        elif t == 2:
            i -= 1
        else:
            j -= 1
    return best, i, bi, j, bj, ma[:k][::-1].copy(), mb[:k][::-1].copy()


def _fill_many(a, b, wa, wb, a_bounds, b_bounds, pi, pj, match, mismatch, gap):  # pragma: no cover
    """:func:`_fill` for many segment pairs of two texts in one call (positions in the texts)."""
    n = len(pi)
    scores = np.zeros(n)
    spans = np.zeros((n, 4), dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    ma_all = np.empty(0, dtype=np.int64)
    mb_all = np.empty(0, dtype=np.int64)
    parts_a, parts_b = [], []
    for k in range(n):
        a0, a1 = a_bounds[pi[k]], a_bounds[pi[k] + 1]
        b0, b1 = b_bounds[pj[k]], b_bounds[pj[k] + 1]
        sc, i0, i1, j0, j1, ma, mb = _fill_one(a[a0:a1], b[b0:b1], wa[a0:a1], wb[b0:b1],
                                               match, mismatch, gap)
        scores[k] = sc
        spans[k, 0], spans[k, 1], spans[k, 2], spans[k, 3] = i0 + a0, i1 + a0, j0 + b0, j1 + b0
        parts_a.append(ma + a0)
        parts_b.append(mb + b0)
        offsets[k + 1] = offsets[k] + len(ma)
    if n:
        ma_all = np.empty(offsets[n], dtype=np.int64)
        mb_all = np.empty(offsets[n], dtype=np.int64)
        for k in range(n):
            ma_all[offsets[k]:offsets[k + 1]] = parts_a[k]
            mb_all[offsets[k]:offsets[k + 1]] = parts_b[k]
    return scores, spans, offsets, ma_all, mb_all


try:
    import numba as _numba
except ImportError:  # optional extra: the plain-Python DP gives the same numbers
    _numba = None
    _kernel = _fill_one = _fill
    _kernel_many = _fill_many
else:
    _kernel = _fill_one = _numba.njit(cache=True, nogil=True)(_fill)
    _kernel_many = _numba.njit(cache=True, nogil=True)(_fill_many)

_warned = []


def _warn_slow() -> None:
    if _numba is None and not _warned:
        _warned.append(True)
        warnings.warn("numba is not installed, so text alignment runs as plain Python and is "
                      "slow on long texts: pip install 'policydiffusion[reinvention]'",
                      PolicyDiffusionWarning, stacklevel=3)


@dataclass(frozen=True)
class Alignment:
    """The best local alignment of ``a`` and ``b``.

    ``a_start:a_end`` and ``b_start:b_end`` are the aligned stretches (0-based,
    end exclusive); ``a_matched`` / ``b_matched`` the positions of the tokens paired
    as equal, in order.
    """

    score: float
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    a_matched: np.ndarray
    b_matched: np.ndarray

    @property
    def n_matched(self) -> int:
        return len(self.a_matched)


def smith_waterman(a: Sequence | np.ndarray, b: Sequence | np.ndarray, *,
                   a_weights: Sequence[float] | None = None,
                   b_weights: Sequence[float] | None = None, match: float = 3.0,
                   mismatch: float = -1.0, gap: float = -2.0) -> Alignment:
    """Best local alignment of two token sequences (see the module text for the scores).

    Examples
    --------
    >>> al = smith_waterman("the cat sat on the mat".split(), "a cat sat on a mat".split())
    >>> al.score, al.n_matched, (al.a_start, al.a_end)
    (11.0, 4, (1, 6))
    """
    _warn_slow()
    a_ids, b_ids = _as_ids(a, b)
    wa = np.ones(len(a_ids)) if a_weights is None else np.asarray(a_weights, dtype=np.float64)
    wb = np.ones(len(b_ids)) if b_weights is None else np.asarray(b_weights, dtype=np.float64)
    return align_ids(a_ids, b_ids, wa, wb, match=match, mismatch=mismatch, gap=gap)


def align_ids(a: np.ndarray, b: np.ndarray, wa: np.ndarray, wb: np.ndarray, *, match: float,
              mismatch: float, gap: float) -> Alignment:
    """:func:`smith_waterman` on integer ids and weights already prepared (no checks)."""
    if len(a) == 0 or len(b) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Alignment(0.0, 0, 0, 0, 0, empty, empty)
    score, a0, a1, b0, b1, ma, mb = _kernel(a, b, wa, wb, float(match), float(mismatch),
                                            float(gap))
    return Alignment(float(score), int(a0), int(a1), int(b0), int(b1), ma, mb)


def align_segments(a: np.ndarray, b: np.ndarray, wa: np.ndarray, wb: np.ndarray,
                   a_bounds: np.ndarray, b_bounds: np.ndarray, pairs: np.ndarray, *,
                   match: float, mismatch: float, gap: float):
    """Align segment ``pairs[k] = (i, j)`` of text a with segment j of b, all in one call.

    Returns ``scores``, ``spans`` (a_start, a_end, b_start, b_end per pair), ``offsets``
    and the concatenated matched positions ``ma``, ``mb`` (pair k's are
    ``ma[offsets[k]:offsets[k + 1]]``), all as positions in the whole texts.
    """
    _warn_slow()
    pi = np.ascontiguousarray(pairs[:, 0], dtype=np.int64)
    pj = np.ascontiguousarray(pairs[:, 1], dtype=np.int64)
    return _kernel_many(a, b, wa, wb, a_bounds, b_bounds, pi, pj, float(match), float(mismatch),
                        float(gap))


def _as_ids(a, b) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.dtype.kind in "iu" \
            and b.dtype.kind in "iu":
        return a.astype(np.int64), b.astype(np.int64)
    vocab: dict = {}
    enc = [np.fromiter((vocab.setdefault(x, len(vocab)) for x in s), dtype=np.int64,
                       count=len(s)) for s in (list(a), list(b))]
    return enc[0], enc[1]
