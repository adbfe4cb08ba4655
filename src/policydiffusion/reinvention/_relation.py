"""Text borrowing into the diffusion models: a relation, and a check against netinf.

:func:`text_similarity_relation` turns the pair table into a
:class:`~policydiffusion.study.Relation` for the dyadic term
:func:`policydiffusion.terms.text_similarity`. :func:`compare_netinf` asks how often an
edge that netinf inferred from adoption timing alone (origin -> destination) is also
the destination's closest earlier text, against a permutation baseline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import polars as pl

from policydiffusion.reinvention._pairs import PairTable
from policydiffusion.reinvention._sources import Sources
from policydiffusion.study._relations import Relation

__all__ = ["text_similarity_relation", "compare_netinf", "NetinfComparison"]


def text_similarity_relation(pairs: PairTable, sources: Sources, *, dated: bool = True,
                             name: str = "text_similarity") -> Relation:
    """Pair similarities as a directed relation (both directions stored), weight = similarity.

    With ``dated=True`` each edge carries the period (calendar year) of the later of the
    two adoptions, when the similarity became knowable; ``dated=False`` gives a static
    relation with one edge per policy and pair (the term averages them).

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.reinvention import likely_sources, pair_similarity, read_texts
    >>> t = read_texts(pd.DataFrame({"policy": "p", "unit": ["A", "B"],
    ...                              "text": ["One two three four five.", "One two three four six."]}),
    ...                adoptions=pd.DataFrame({"policy": "p", "unit": ["A", "B"],
    ...                                        "year": [2001, 2003]}))
    >>> pt = pair_similarity(t)
    >>> rel = text_similarity_relation(pt, likely_sources(pt, t))
    >>> rel.edges.rows()
    [('A', 'B', 0.8, 2003), ('B', 'A', 0.8, 2003)]
    """
    when = {(p, u): t for p, u, t in sources.table[["policy", "unit", "time"]]
            .itertuples(index=False)}
    e = pairs.pairs
    period = [int(np.floor(max(when[(p, i)], when[(p, j)]))) if dated else None
              for p, i, j in e[["policy", "i", "j"]].itertuples(index=False)]
    edges = pl.DataFrame({
        "source": pl.Series(e["i"].astype(str).tolist(), dtype=pl.Utf8),
        "target": pl.Series(e["j"].astype(str).tolist(), dtype=pl.Utf8),
        "weight": pl.Series(e["similarity"].astype(float).tolist(), dtype=pl.Float64),
        "period": pl.Series(period, dtype=pl.Int64),
    })
    return Relation(name=name, edges=edges, directed=True,
                    description="text similarity of the two units' texts of a policy both adopted"
                                + (", dated by the later adoption" if dated else ""),
                    meta={"kind": "text similarity", "options": dict(pairs.options)})


@dataclass(frozen=True)
class NetinfComparison:
    """How often inferred edges are also text-borrowing links.

    ``share`` is the share of (inferred edge, policy) instances (origin adopted before
    destination, destination has a likely source) where the destination's likely
    source is the origin; ``baseline`` the expected share when each destination's source is
    replaced by a random earlier adopter of the same policy; ``p_value`` (from
    ``n_permutations`` such draws, ``seed``) the share of draws at least as high as observed (plus one, over
    ``n_permutations`` plus one). ``instances`` lists every instance with ``hit``.
    """

    share: float
    baseline: float
    p_value: float
    n_edges: int
    n_instances: int
    instances: pd.DataFrame

    def summary(self) -> str:
        """One line."""
        return (f"{self.n_instances} instances of {self.n_edges} inferred edges: share whose "
                f"destination's closest earlier text is the origin {self.share:.3f}, permutation "
                f"baseline {self.baseline:.3f}, p = {self.p_value:.3g}")


def compare_netinf(edges, sources: Sources, *, n_permutations: int = 1000,
                   seed: int = 1) -> NetinfComparison:
    """Share of netinf's edges confirmed by text borrowing, against a permutation baseline.

    ``edges`` is a :class:`~policydiffusion.networks.NetinfResult` or a DataFrame with
    ``origin`` and ``destination``.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.reinvention._sources import Sources
    >>> src = Sources(pd.DataFrame({"policy": "p", "unit": ["A", "B", "C"],
    ...                             "time": [1.0, 2.0, 3.0], "source": [None, "A", "B"]}))
    >>> cmp = compare_netinf(pd.DataFrame({"origin": ["A", "B"], "destination": ["B", "C"]}),
    ...                      src, n_permutations=200, seed=3)
    >>> cmp.share, round(cmp.baseline, 2)
    (1.0, 0.75)
    """
    e = edges.edges if hasattr(edges, "edges") else edges
    e = e[["origin", "destination"]].astype(str)
    tab = sources.table.dropna(subset=["source"])
    times = {(p, u): t for p, u, t in sources.table[["policy", "unit", "time"]]
             .itertuples(index=False)}
    rows = []
    for o, d in e.itertuples(index=False):
        for p, s, t in tab.loc[tab["unit"] == d, ["policy", "source", "time"]].itertuples(index=False):
            if (p, o) in times and times[(p, o)] < t:
                rows.append((o, d, p, s, s == o))
    inst = pd.DataFrame(rows, columns=["origin", "destination", "policy", "source", "hit"])
    share = float(inst["hit"].mean()) if len(inst) else np.nan
    rng = np.random.default_rng(seed)
    earlier = {}
    for p, g in sources.table.groupby("policy"):
        for u, t in zip(g["unit"], g["time"]):
            earlier[(p, u)] = g.loc[g["time"] < t, "unit"].tolist()
    null = np.empty(n_permutations)
    pools = [earlier[(p, d)] for p, d in zip(inst["policy"], inst["destination"])]
    for k in range(n_permutations):
        draws = [pool[rng.integers(len(pool))] for pool in pools]
        null[k] = np.mean([dr == o for dr, o in zip(draws, inst["origin"])]) if pools else np.nan
    # the permutation distribution's mean, exactly: each earlier adopter equally likely
    baseline = float(np.mean([1 / len(pool) for pool in pools])) if len(inst) else np.nan
    p_value = (1 + int((null >= share - 1e-12).sum())) / (n_permutations + 1) if len(inst) else np.nan
    return NetinfComparison(share, baseline, p_value, len(e), len(inst), inst)
