"""Smith-Waterman against an independent plain dynamic program, to exact equality."""

from __future__ import annotations

import numpy as np
import pytest

from policydiffusion.reinvention import smith_waterman


def plain_sw(a, b, wa, wb, match=3.0, mismatch=-1.0, gap=-2.0):
    """Textbook Smith-Waterman (Smith & Waterman 1981), full matrix, linear gaps."""
    H = [[0.0] * (len(b) + 1) for _ in range(len(a) + 1)]
    best = 0.0
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            s = match * (wa[i - 1] + wb[j - 1]) / 2 if a[i - 1] == b[j - 1] else mismatch
            H[i][j] = max(0.0, H[i - 1][j - 1] + s, H[i - 1][j] + gap, H[i][j - 1] + gap)
            best = max(best, H[i][j])
    return best


def path_score(al, a, b, wa, wb, match=3.0, mismatch=-1.0, gap=-2.0):
    """Score of the returned alignment, rebuilt from its matched pairs and spans."""
    score, pi, pj = 0.0, al.a_start, al.b_start
    for i, j in zip(al.a_matched, al.b_matched):
        # between matches: diagonal mismatches first, then gaps
        di, dj = i - pi, j - pj
        score += mismatch * min(di, dj) + gap * abs(di - dj)
        score += match * (wa[i] + wb[j]) / 2
        pi, pj = i + 1, j + 1
    di, dj = al.a_end - pi, al.b_end - pj
    return score + mismatch * min(di, dj) + gap * abs(di - dj)


@pytest.mark.parametrize("seed", range(40))
def test_score_equals_plain_dynamic_program(seed):
    rng = np.random.default_rng(seed)
    a = rng.integers(0, 4, rng.integers(1, 25)).tolist()
    b = rng.integers(0, 4, rng.integers(1, 25)).tolist()
    wa = rng.choice([1.0, 0.5, 0.25], len(a)).tolist()
    wb = rng.choice([1.0, 0.5, 0.25], len(b)).tolist()
    al = smith_waterman(a, b, a_weights=wa, b_weights=wb)
    assert al.score == plain_sw(a, b, wa, wb)
    assert al.score == pytest.approx(path_score(al, a, b, wa, wb), abs=1e-12)


def test_other_scores_and_words():
    a = "a person has no duty to retreat from any place".split()
    b = "a person who is not engaged in unlawful activity has no duty to retreat".split()
    w = [1.0] * len(a), [1.0] * len(b)
    for match, mismatch, gap in [(3, -1, -2), (2, -1, -1), (1, -3, -5)]:
        al = smith_waterman(a, b, match=match, mismatch=mismatch, gap=gap)
        assert al.score == plain_sw(a, b, *w, match, mismatch, gap)
    al = smith_waterman(a, b)
    assert [a[i] for i in al.a_matched] == "has no duty to retreat".split()


def test_no_common_token_scores_zero():
    al = smith_waterman(["x", "y"], ["z"])
    assert al.score == 0.0 and al.n_matched == 0


def test_batched_segment_alignment_equals_the_plain_program():
    from policydiffusion.reinvention._align import align_segments

    rng = np.random.default_rng(11)
    a = rng.integers(0, 5, 60).astype(np.int64)
    b = rng.integers(0, 5, 50).astype(np.int64)
    wa = rng.choice([1.0, 0.5], 60)
    wb = rng.choice([1.0, 0.5], 50)
    a_bounds, b_bounds = np.array([0, 20, 45, 60]), np.array([0, 10, 30, 50])
    pairs = np.array([[i, j] for i in range(3) for j in range(3)])
    scores, spans, offsets, ma, mb = align_segments(a, b, wa, wb, a_bounds, b_bounds, pairs,
                                                    match=3.0, mismatch=-1.0, gap=-2.0)
    for k, (i, j) in enumerate(pairs):
        sa, sb = slice(a_bounds[i], a_bounds[i + 1]), slice(b_bounds[j], b_bounds[j + 1])
        assert scores[k] == plain_sw(a[sa].tolist(), b[sb].tolist(), wa[sa].tolist(),
                                     wb[sb].tolist())
        got = ma[offsets[k]:offsets[k + 1]]
        assert np.all((got >= a_bounds[i]) & (got < a_bounds[i + 1]))  # positions in the text
        assert np.array_equal(a[got], b[mb[offsets[k]:offsets[k + 1]]])


def test_plain_python_fallback_gives_the_same_alignment():
    """Without numba the uncompiled dynamic program runs: same score and path."""
    from policydiffusion.reinvention._align import _fill

    rng = np.random.default_rng(5)
    a, b = rng.integers(0, 4, 30), rng.integers(0, 4, 25)
    wa, wb = rng.choice([1.0, 0.5], 30), rng.choice([1.0, 0.5], 25)
    score, a0, a1, b0, b1, ma, mb = _fill(a, b, wa, wb, 3.0, -1.0, -2.0)
    al = smith_waterman(a, b, a_weights=wa, b_weights=wb)
    assert (score, a0, a1, b0, b1) == (al.score, al.a_start, al.a_end, al.b_start, al.b_end)
    assert np.array_equal(ma, al.a_matched) and np.array_equal(mb, al.b_matched)
