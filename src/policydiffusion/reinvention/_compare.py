"""Compare two texts segment by segment: similarity, borrowed share, longest shared passage.

Each segment (article or sentence) of one text is aligned, by Smith-Waterman, with the
few segments of the other that share the most ``k``-token shingles with it (at most
``candidates`` each way); its best alignment counts. Working on segments keeps long
texts fast and lets a text reorder, insert and drop articles without one long gap
penalty ruining the alignment.

Scores (all weighted, so boilerplate counts ``boilerplate_weight`` of a word):

- ``similarity`` = (sum over A's segments of their best alignment score + the same for
  B) / (the two texts' self-alignment scores, ``match`` x total weight), clipped to
  [0, 1]: 1 for identical texts, 0 for texts with nothing in common;
- ``share_a`` = the weighted share of A's tokens that its segments' best alignments
  pair with equal tokens of B ("the share of A that comes from B"), and ``share_b``;
- the longest run of consecutive equal tokens in those alignments, with its text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from policydiffusion.reinvention._align import align_segments
from policydiffusion.reinvention._tokens import Tokens

__all__ = ["Comparison", "compare", "AlignOptions", "shingles"]

_MULT = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                  0x27D4EB2F165667C5, 0x85EBCA77C2B2AE63, 0xFF51AFD7ED558CCD], dtype=np.uint64)


@dataclass(frozen=True)
class AlignOptions:
    """Scores and search settings shared by every comparison (see the module text)."""

    match: float = 3.0
    mismatch: float = -1.0
    gap: float = -2.0
    k: int = 4
    candidates: int = 3


def shingles(tokens: Tokens, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of the ``k``-token shingles inside each segment, and that segment.

    Examples
    --------
    >>> from policydiffusion.reinvention import tokenize
    >>> h, seg = shingles(tokenize("one two three four five. six seven eight nine."), 4)
    >>> len(h), seg.tolist()
    (3, [0, 0, 1])
    """
    k = min(k, len(_MULT))
    n = len(tokens.ids) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    ids = tokens.ids.astype(np.uint64)
    with np.errstate(over="ignore"):
        h = np.zeros(n, dtype=np.uint64)
        for r in range(k):
            h += ids[r:r + n] * _MULT[r]
    seg = np.searchsorted(tokens.segments, np.arange(n), side="right") - 1
    inside = np.arange(n) + k <= tokens.segments[seg + 1]  # no shingle spans two segments
    return h[inside], seg[inside]


@dataclass(frozen=True)
class Comparison:
    """How text A relates to text B (see the module text for each score).

    ``segments_a`` has one row per segment of A: ``segment``, ``best`` (B's segment
    index, -1 when none aligned), ``score`` and ``share`` (weighted share of the
    segment's tokens matched in that alignment); ``segments_b`` the same for B.
    """

    similarity: float
    share_a: float
    share_b: float
    longest: int
    longest_passage: str
    segments_a: pd.DataFrame
    segments_b: pd.DataFrame


def compare(a: Tokens, b: Tokens, options: AlignOptions = AlignOptions(), *,
            shingles_a: tuple[np.ndarray, np.ndarray] | None = None,
            shingles_b: tuple[np.ndarray, np.ndarray] | None = None) -> Comparison:
    """Compare two tokenised texts (their ids must come from one shared vocabulary).

    Examples
    --------
    >>> from policydiffusion.reinvention._tokens import Vocabulary, tokenize
    >>> v = Vocabulary()
    >>> a = tokenize("A person has no duty to retreat. The act takes effect soon.", vocabulary=v)
    >>> b = tokenize("A person has no duty to retreat from a place.", vocabulary=v)
    >>> c = compare(a, b)
    >>> round(c.share_a, 3), round(c.share_b, 3), c.longest_passage
    (0.583, 0.7, 'A person has no duty to retreat')
    """
    ha, sa = shingles_a if shingles_a is not None else shingles(a, options.k)
    hb, sb = shingles_b if shingles_b is not None else shingles(b, options.k)
    pairs = _segment_pairs(ha, sa, hb, sb, options.candidates, b.n_segments)
    scores, spans, offsets, ma, mb = align_segments(
        a.ids, b.ids, a.weights, b.weights, a.segments, b.segments, pairs,
        match=options.match, mismatch=options.mismatch, gap=options.gap)
    best_a = _best(pairs[:, 0], scores, a.n_segments)
    best_b = _best(pairs[:, 1], scores, b.n_segments)
    seg_a, matched_a = _segment_table(a, best_a, pairs[:, 1], scores, offsets, ma)
    seg_b, matched_b = _segment_table(b, best_b, pairs[:, 0], scores, offsets, mb)
    total = options.match * (a.weights.sum() + b.weights.sum())
    got = seg_a["score"].sum() + seg_b["score"].sum()
    longest, first = _longest_run(best_a, offsets, ma, mb)
    passage = a.passage(first, first + longest - 1) if longest else ""
    return Comparison(
        similarity=float(min(1.0, got / total)) if total > 0 else 0.0,
        share_a=_share(a.weights, matched_a), share_b=_share(b.weights, matched_b),
        longest=longest, longest_passage=passage, segments_a=seg_a, segments_b=seg_b)


def _segment_pairs(ha, sa, hb, sb, top: int, nb: int) -> np.ndarray:
    """Segment pairs to align: for each segment, the ``top`` partners sharing most shingles."""
    empty = np.zeros((0, 2), dtype=np.int64)
    if not len(ha) or not len(hb):
        return empty
    # unique (hash, segment) per text: one 64-bit key, 48 bits of hash and 16 of segment
    ua, ub = _keys(ha, sa), _keys(hb, sb)
    lo = np.searchsorted(ub[:, 0], ua[:, 0], side="left")
    hi = np.searchsorted(ub[:, 0], ua[:, 0], side="right")  # ub is sorted by hash
    n = hi - lo
    if not n.sum():
        return empty
    rep_a = np.repeat(ua[:, 1].astype(np.int64), n)
    idx_b = np.repeat(lo - np.r_[0, np.cumsum(n)[:-1]], n) + np.arange(n.sum())
    code = rep_a * nb + ub[idx_b, 1].astype(np.int64)
    codes, counts = np.unique(code, return_counts=True)
    pa, pb = codes // nb, codes % nb
    keep = _top(pa, counts, top) | _top(pb, counts, top)
    return np.stack([pa[keep], pb[keep]], axis=1)


def _keys(h: np.ndarray, seg: np.ndarray) -> np.ndarray:
    """Unique (hash, segment) rows, sorted by hash."""
    if seg.max() >= 1 << 16:  # very many segments: the slower exact way
        return np.unique(np.stack([h, seg.astype(np.uint64)], axis=1), axis=0)
    key = np.unique((h >> np.uint64(16) << np.uint64(16)) | seg.astype(np.uint64))
    return np.stack([key >> np.uint64(16), key & np.uint64(0xFFFF)], axis=1)


def _top(group: np.ndarray, counts: np.ndarray, top: int) -> np.ndarray:
    """Mask of the ``top`` entries with the highest counts within each group (ties: first)."""
    order = np.lexsort((-counts, group))
    g = group[order]
    start = np.r_[0, np.flatnonzero(np.diff(g)) + 1]
    rank = np.arange(len(g)) - np.repeat(start, np.diff(np.r_[start, len(g)]))
    mask = np.zeros(len(group), dtype=bool)
    mask[order[rank < top]] = True
    return mask


def _best(segment: np.ndarray, scores: np.ndarray, n_segments: int) -> np.ndarray:
    """For each segment, the index of its highest-scoring pair (-1: none scored above 0)."""
    best = np.full(n_segments, -1, dtype=np.int64)
    ok = np.flatnonzero(scores > 0)
    order = ok[np.lexsort((ok, -scores[ok], segment[ok]))]  # per segment: best score, then first
    first = np.r_[True, np.diff(segment[order]) != 0] if len(order) else np.zeros(0, bool)
    best[segment[order[first]]] = order[first]
    return best


def _segment_table(t: Tokens, best: np.ndarray, other: np.ndarray, scores: np.ndarray,
                   offsets: np.ndarray, matched_pos: np.ndarray) -> tuple[pd.DataFrame, np.ndarray]:
    matched = np.zeros(len(t), dtype=bool)
    for k in best[best >= 0]:
        matched[matched_pos[offsets[k]:offsets[k + 1]]] = True
    pick = np.where(best >= 0, best, len(scores))  # len(scores): the "none" entry below
    seg_share = _segment_sums(t, t.weights * matched) / np.maximum(_segment_sums(t, t.weights),
                                                                    1e-300)
    frame = pd.DataFrame({"segment": np.arange(t.n_segments),
                          "best": np.r_[other, -1][pick],
                          "score": np.r_[scores, 0.0][pick],
                          "share": seg_share})
    return frame, matched


def _segment_sums(t: Tokens, values: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over each segment (0 for an empty one)."""
    c = np.r_[0.0, np.cumsum(values)]
    return c[t.segments[1:]] - c[t.segments[:-1]]


def _share(weights: np.ndarray, matched: np.ndarray) -> float:
    total = float(weights.sum())
    return float(weights[matched].sum() / total) if total > 0 else 0.0


def _longest_run(best: np.ndarray, offsets: np.ndarray, ma: np.ndarray,
                 mb: np.ndarray) -> tuple[int, int]:
    """Longest run of consecutive equal tokens in the best alignments (length, first in A)."""
    ks = best[best >= 0]
    if not len(ks):
        return 0, 0
    sel = np.concatenate([np.arange(offsets[k], offsets[k + 1]) for k in ks])
    if not len(sel):
        return 0, 0
    a, b = ma[sel], mb[sel]
    owner = np.repeat(np.arange(len(ks)), offsets[ks + 1] - offsets[ks])
    # a run breaks where either position jumps or a new alignment starts
    brk = np.flatnonzero((np.diff(a) != 1) | (np.diff(b) != 1) | (np.diff(owner) != 0)) + 1
    starts = np.concatenate([[0], brk])
    lengths = np.diff(np.concatenate([starts, [len(a)]]))
    j = int(np.argmax(lengths))
    return int(lengths[j]), int(a[starts[j]])
