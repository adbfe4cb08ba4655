"""Random small studies for property tests, and brute-force references written with loops."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from hypothesis import strategies as st

from policydiffusion.study import RelationSpec, load_study

START = 2000


@dataclass
class Raw:
    """The plain-Python truth behind a generated study."""

    units: list[str]
    entry: dict[str, int | None]
    exit: dict[str, int | None]
    adopt: dict[tuple[str, str], int]  # (policy, unit) -> period
    edges: list[tuple[str, str]]  # undirected pairs
    policies: list[str]
    end: int

    def exists(self, u: str, t: int) -> bool:
        en, ex = self.entry[u], self.exit[u]
        return (en is None or en <= t) and (ex is None or ex >= t)

    def spells(self, p: str) -> dict[str, tuple[int, int, int]]:
        """unit -> (first, last, event) for units at risk, start = first adoption."""
        ts = [t for (q, _), t in self.adopt.items() if q == p]
        if not ts:
            return {}
        s = min(ts)
        out = {}
        for u in self.units:
            T = self.adopt.get((p, u))
            if T is not None and T < s:
                continue
            first = max(s, self.entry[u]) if self.entry[u] is not None else s
            last = min([self.end] + [x for x in (self.exit[u], T) if x is not None])
            if first > last:
                continue
            out[u] = (first, last, int(T is not None and T == last))
        return out

    def adopted_by(self, p: str, u: str, t: int) -> bool:
        T = self.adopt.get((p, u))
        return T is not None and T <= t

    def neighbours(self, u: str) -> list[str]:
        return sorted({b for a, b in self.edges if a == u} | {a for a, b in self.edges if b == u})


@st.composite
def raw_studies(draw, max_units: int = 6, max_periods: int = 7) -> Raw:
    n = draw(st.integers(2, max_units))
    units = [f"U{k}" for k in range(n)]
    P = draw(st.integers(1, max_periods))
    end = START + P - 1
    entry, exit_ = {units[0]: None}, {units[0]: None}  # U0 always exists
    for u in units[1:]:
        entry[u] = draw(st.one_of(st.none(), st.integers(START - 1, end + 1)))
        lo = entry[u] if entry[u] is not None else START - 1
        exit_[u] = draw(st.one_of(st.none(), st.integers(lo, end + 1)))
    policies = ["p1", "p2"][: draw(st.integers(1, 2))]
    adopt = {}
    for p in policies:
        for u in units:
            lo = max(START, entry[u] if entry[u] is not None else START)
            hi = min(end, exit_[u] if exit_[u] is not None else end)
            if lo <= hi and draw(st.booleans()):
                adopt[(p, u)] = draw(st.integers(lo, hi))
    if not adopt:  # a study needs at least one adoption
        adopt[(policies[0], units[0])] = draw(st.integers(START, end))
    pairs = [(a, b) for i, a in enumerate(units) for b in units[i + 1:]]
    edges = [e for e in pairs if draw(st.booleans())] or [pairs[-1]]  # a relation needs a row
    return Raw(units, entry, exit_, adopt, edges, policies, end)


def to_study(raw: Raw):
    adopt = pd.DataFrame([(p, u, t) for (p, u), t in raw.adopt.items()],
                         columns=["policy", "unit", "time"])
    units = pd.DataFrame({"unit": raw.units,
                          "entry": pd.array([raw.entry[u] for u in raw.units], dtype="Int64"),
                          "exit": pd.array([raw.exit[u] for u in raw.units], dtype="Int64"),
                          "region": ["N" if k % 2 else "S" for k in range(len(raw.units))]})
    edges = pd.DataFrame(raw.edges, columns=["a", "b"])
    return load_study(adopt, units=units, policies=pd.DataFrame({"policy": raw.policies}),
                      relations={"contiguity": RelationSpec(edges, source="a", target="b")},
                      start=START, end=raw.end)
