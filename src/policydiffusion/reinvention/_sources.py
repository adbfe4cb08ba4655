"""Each adopter's likely source: the earlier adopter whose text is closest to its own."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError
from policydiffusion.reinvention._pairs import PairTable
from policydiffusion.reinvention._texts import PolicyTexts

__all__ = ["Sources", "likely_sources"]


@dataclass(frozen=True)
class Sources:
    """One row per adopter with a text, in adoption order within each policy.

    ``source`` is the earlier adopter (strictly earlier ``time``) with the highest
    ``similarity`` (ties: the earlier adopter); it is None for the first adopters and
    for an adopter whose text shares nothing with any earlier one. ``share_from_source``
    is the share of the adopter's text aligned with the source's; ``first`` names the
    first adopter (the earliest; ties: the first in the table) and
    ``similarity_to_first`` compares with it. ``truncated`` repeats the text's flag.
    """

    table: pd.DataFrame

    def tidy(self) -> pd.DataFrame:
        """The source table."""
        return self.table.copy()

    def strongest(self, n: int = 5) -> pd.DataFrame:
        """The ``n`` source links with the highest similarity, per policy."""
        links = self.table.dropna(subset=["source"])
        return (links.sort_values(["policy", "similarity"], ascending=[True, False])
                .groupby("policy").head(n).reset_index(drop=True))

    def summary(self) -> str:
        """The five strongest source links of each policy."""
        lines = []
        for p, g in self.strongest().groupby("policy", sort=True):
            lines.append(f"{p}:")
            lines += [f"  {r.source} -> {r.unit}  similarity {r.similarity:.3f}"
                      for r in g.itertuples(index=False)]
        return "\n".join(lines)


def likely_sources(pairs: PairTable, texts: PolicyTexts) -> Sources:
    """Likely source of every adopter's text (see :class:`Sources`).

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.reinvention import pair_similarity, read_texts
    >>> t = read_texts(pd.DataFrame({"policy": "p", "unit": ["A", "B", "C"], "text": [
    ...     "One two three four five six.", "One two three four five seven.",
    ...     "One two three four five seven eight."]}),
    ...     adoptions=pd.DataFrame({"policy": "p", "unit": ["A", "B", "C"],
    ...                             "year": [2001, 2002, 2003]}))
    >>> likely_sources(pair_similarity(t), t).table[["unit", "order", "source"]]
      unit  order source
    0    A      1   None
    1    B      2      A
    2    C      3      B
    """
    table = texts.table
    if "time" not in table:
        raise InvalidOptionError("likely sources need adoption dates: read the texts with "
                                 "read_texts(..., adoptions=ADOPTIONS).")
    sim = {(p, i, j): (s, sh) for p, i, j, s, sh in
           pairs.pairs[["policy", "i", "j", "similarity", "share_i_from_j"]]
           .itertuples(index=False)}
    rows = []
    for policy, g in table.groupby("policy", sort=True):
        g = g.sort_values("time", kind="stable").reset_index(drop=True)
        first = g["unit"].iloc[0]
        for k, r in enumerate(g.itertuples(index=False)):
            earlier = g.loc[g["time"] < r.time, "unit"].tolist()
            scores = [sim.get((policy, r.unit, u), (0.0, 0.0)) for u in earlier]
            best = int(np.argmax([s for s, _ in scores])) if scores else None
            src = earlier[best] if best is not None and scores[best][0] > 0 else None
            s, sh = scores[best] if src is not None else (np.nan, np.nan)
            to_first = 1.0 if r.unit == first else sim.get((policy, r.unit, first), (0.0,))[0]
            rows.append((policy, r.unit, r.date, r.time, k + 1, src, s, sh, first, to_first,
                         bool(r.truncated)))
    cols = ["policy", "unit", "date", "time", "order", "source", "similarity",
            "share_from_source", "first", "similarity_to_first", "truncated"]
    out = pd.DataFrame(rows, columns=cols)
    out["source"] = out["source"].astype(object).where(out["source"].notna(), None)
    return Sources(out)
