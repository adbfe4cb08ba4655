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

from policydiffusion.reinvention._align import Alignment, align_ids
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
    pairs = _segment_pairs(ha, sa, hb, sb, options.candidates)
    best_a: dict[int, tuple[float, int, Alignment]] = {}
    best_b: dict[int, tuple[float, int, Alignment]] = {}
    for i, j in pairs:
        a0, a1, b0, b1 = a.segments[i], a.segments[i + 1], b.segments[j], b.segments[j + 1]
        al = align_ids(a.ids[a0:a1], b.ids[b0:b1], a.weights[a0:a1], b.weights[b0:b1],
                       match=options.match, mismatch=options.mismatch, gap=options.gap)
        if al.score <= 0:
            continue
        al = Alignment(al.score, al.a_start + a0, al.a_end + a0, al.b_start + b0, al.b_end + b0,
                       al.a_matched + a0, al.b_matched + b0)
        if al.score > best_a.get(i, (0.0,))[0]:
            best_a[i] = (al.score, j, al)
        if al.score > best_b.get(j, (0.0,))[0]:
            best_b[j] = (al.score, i, al)
    seg_a, matched_a = _segment_table(a, best_a, "a")
    seg_b, matched_b = _segment_table(b, best_b, "b")
    total = options.match * (a.weights.sum() + b.weights.sum())
    got = sum(v[0] for v in best_a.values()) + sum(v[0] for v in best_b.values())
    longest, first = _longest_run(best_a.values())
    passage = a.passage(first, first + longest - 1) if longest else ""
    return Comparison(
        similarity=float(min(1.0, got / total)) if total > 0 else 0.0,
        share_a=_share(a.weights, matched_a), share_b=_share(b.weights, matched_b),
        longest=longest, longest_passage=passage, segments_a=seg_a, segments_b=seg_b)


def _segment_pairs(ha, sa, hb, sb, top: int) -> list[tuple[int, int]]:
    """The segment pairs to align: for each segment, the ``top`` partners sharing most shingles."""
    if not len(ha) or not len(hb):
        return []
    fa = pd.DataFrame({"h": ha, "sa": sa}).drop_duplicates()
    fb = pd.DataFrame({"h": hb, "sb": sb}).drop_duplicates()
    shared = fa.merge(fb, on="h").groupby(["sa", "sb"]).size().rename("n").reset_index()
    if shared.empty:
        return []
    shared = shared.sort_values(["n", "sa", "sb"], ascending=[False, True, True])
    keep = pd.concat([shared.groupby("sa").head(top), shared.groupby("sb").head(top)])
    keep = keep.drop_duplicates(["sa", "sb"]).sort_values(["sa", "sb"])
    return list(zip(keep["sa"].tolist(), keep["sb"].tolist()))


def _segment_table(t: Tokens, best: dict, side: str) -> tuple[pd.DataFrame, np.ndarray]:
    matched = np.zeros(len(t), dtype=bool)
    rows = []
    for k in range(t.n_segments):
        s0, s1 = t.segments[k], t.segments[k + 1]
        if k in best:
            score, other, al = best[k]
            pos = al.a_matched if side == "a" else al.b_matched
            matched[pos] = True
            share = _share(t.weights[s0:s1], matched[s0:s1])
            rows.append((k, other, score, share))
        else:
            rows.append((k, -1, 0.0, 0.0))
    frame = pd.DataFrame(rows, columns=["segment", "best", "score", "share"])
    return frame, matched


def _share(weights: np.ndarray, matched: np.ndarray) -> float:
    total = float(weights.sum())
    return float(weights[matched].sum() / total) if total > 0 else 0.0


def _longest_run(best) -> tuple[int, int]:
    """Longest run of consecutive equal tokens (length, first token in A)."""
    longest, first = 0, 0
    for _, _, al in best:
        ma, mb = al.a_matched, al.b_matched
        if not len(ma):
            continue
        brk = np.flatnonzero((np.diff(ma) != 1) | (np.diff(mb) != 1)) + 1
        starts = np.r_[0, brk]
        lengths = np.diff(np.r_[starts, len(ma)])
        k = int(np.argmax(lengths))
        if lengths[k] > longest:
            longest, first = int(lengths[k]), int(ma[starts[k]])
    return longest, first
