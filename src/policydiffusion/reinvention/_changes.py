"""What an adopter added, dropped and changed, article by article (or sentence by sentence).

Each segment of the adopter's text is matched with its best-aligned segment of the
reference text (the likely source, or the first adopter): it is *kept* when at least
``kept`` of its (weighted) tokens align, *changed* when at least ``changed`` do, and
*added* otherwise. A reference segment that no adopter segment aligns with (share below
``changed``) was *dropped*. When a text is cut off (see :func:`truncation`), what lies
past the last aligned segment is *not comparable* rather than dropped or added.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from policydiffusion.errors import check_choice
from policydiffusion.reinvention._compare import AlignOptions, compare
from policydiffusion.reinvention._pairs import tokenize_texts
from policydiffusion.reinvention._sources import Sources
from policydiffusion.reinvention._texts import PolicyTexts

__all__ = ["Changes", "content_changes"]

KINDS = ("kept", "changed", "added", "dropped", "not comparable")


@dataclass(frozen=True)
class Changes:
    """``counts``: one row per adopter and reference with the number of segments of each
    kind; ``passages``: every segment with its kind, its text and the reference's."""

    counts: pd.DataFrame
    passages: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """The counts table."""
        return self.counts.copy()

    def summary(self) -> str:
        """One line per adopter: kept / changed / added / dropped against the reference."""
        return "\n".join(
            f"{r.policy} {r.unit} vs {r.against} {r.reference}: {r.kept} kept, {r.changed} "
            f"changed, {r.added} added, {r.dropped} dropped"
            + (f", {r.not_comparable} not comparable" if r.not_comparable else "")
            for r in self.counts.itertuples(index=False))


def content_changes(texts: PolicyTexts, sources: Sources, *, against: str = "source",
                    kept: float = 0.9, changed: float = 0.3, tokenizer: str = "default",
                    boilerplate_weight: float = 0.1, options: AlignOptions = AlignOptions()
                    ) -> Changes:
    """Segment-level differences of each adopter from its source or from the first adopter.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.reinvention import likely_sources, pair_similarity, read_texts
    >>> t = read_texts(pd.DataFrame({"policy": "p", "unit": ["A", "B"], "text": [
    ...     "Keep off the grass at all times. Dogs must be kept on a leash.",
    ...     "Keep off the grass at all times. Bicycles must be walked in the park."]}),
    ...     adoptions=pd.DataFrame({"policy": "p", "unit": ["A", "B"], "year": [2001, 2002]}))
    >>> ch = content_changes(t, likely_sources(pair_similarity(t), t))
    >>> ch.counts[["unit", "reference", "kept", "changed", "added", "dropped"]]
      unit reference  kept  changed  added  dropped
    0    B         A     1        0      1        1
    """
    check_choice("against", against, ("source", "first"))
    table = texts.table.reset_index(drop=True)
    where = {(p, u): k for k, (p, u) in enumerate(zip(table["policy"], table["unit"]))}
    counts, passages = [], []
    for policy, g in sources.table.groupby("policy", sort=True):
        idx = [where[(policy, u)] for u in g["unit"]]
        toks = dict(zip(g["unit"], tokenize_texts(table.loc[idx], tokenizer=tokenizer,
                                                  boilerplate_weight=boilerplate_weight)))
        trunc = dict(zip(g["unit"], g["truncated"]))
        for r in g.itertuples(index=False):
            ref = r.source if against == "source" else r.first
            if ref is None or ref == r.unit:
                continue
            c = compare(toks[r.unit], toks[ref], options)
            kinds_a = _kinds(c.segments_a, kept, changed, "added", trunc[ref])
            kinds_r = _kinds(c.segments_b, changed, changed, "dropped", trunc[r.unit])
            n = {k: 0 for k in KINDS}
            for seg, kind in kinds_a + [kr for kr in kinds_r if kr[1] in ("dropped",
                                                                          "not comparable")]:
                n[kind] += 1
            counts.append((policy, r.unit, against, ref, *[n[k] for k in KINDS]))
            for (seg, kind), best in zip(kinds_a, c.segments_a["best"]):
                passages.append((policy, r.unit, against, ref, kind, toks[r.unit].segment_text(seg),
                                 toks[ref].segment_text(best) if best >= 0 else ""))
            for seg, kind in kinds_r:
                if kind in ("dropped", "not comparable"):
                    passages.append((policy, r.unit, against, ref, kind, "",
                                     toks[ref].segment_text(seg)))
    cols = ["policy", "unit", "against", "reference"]
    return Changes(pd.DataFrame(counts, columns=cols + [k.replace(" ", "_") for k in KINDS]),
                   pd.DataFrame(passages, columns=cols + ["kind", "text", "reference_text"]))


def _kinds(segs: pd.DataFrame, kept: float, changed: float, otherwise: str,
           other_truncated: bool) -> list[tuple[int, str]]:
    """Kind of each segment; past the last aligned one, 'not comparable' if the other text is cut."""
    aligned = segs.index[segs["share"] >= changed]
    last = aligned.max() if len(aligned) else -1
    out = []
    for k, share in zip(segs["segment"], segs["share"]):
        if share >= kept:
            kind = "kept"
        elif share >= changed:
            kind = "changed"
        elif other_truncated and k > last:
            kind = "not comparable"
        else:
            kind = otherwise
        out.append((int(k), kind))
    return out
