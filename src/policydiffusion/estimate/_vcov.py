"""Variance estimators: one parser (:class:`VcovSpec`), one label, sandwich meats.

Meats are built from per-group sums of score contributions accumulated chunk by
chunk, so no estimator needs all rows at once, and the dyadic estimator never
forms an N x N matrix.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import Any, Mapping, Sequence

import numpy as np

from policydiffusion.errors import InvalidOptionError

__all__ = ["VcovSpec", "GroupSums", "VCOV_KINDS"]

VCOV_KINDS = ("classical", "hc0", "hc1", "cluster", "cluster-regress", "dyadic")
_DENSE_LIMIT = 20_000_000  # cells (groups x k) kept as a dense array


@dataclass(frozen=True)
class VcovSpec:
    """A parsed variance specification.

    Forms accepted by :meth:`parse`: ``"classical"``, ``"hc0"``, ``"hc1"``,
    ``{"cluster": "state"}``, ``{"cluster": ["state", "year"]}``,
    ``{"cluster-regress": "state"}`` and ``{"dyadic": ["unit", "source"]}``.

    Examples
    --------
    >>> VcovSpec.parse({"cluster": "state"}).label()
    'cluster-robust by state, Stata small-sample factor G/(G-1)'
    >>> VcovSpec.parse("hc1").label()
    'heteroskedasticity-robust HC1 (n/(n-k))'
    """

    kind: str
    columns: tuple[str, ...] = ()

    @classmethod
    def parse(cls, spec: Any) -> "VcovSpec":
        """Build a spec from a string, a one-key mapping or another spec."""
        if isinstance(spec, VcovSpec):
            return spec
        if isinstance(spec, str):
            kind = spec.lower()
            if kind in ("classical", "hc0", "hc1"):
                return cls(kind)
            if kind in ("cluster", "cluster-regress", "dyadic"):
                raise InvalidOptionError(
                    f"vcov {spec!r} needs its columns: write {{{kind!r}: 'state'}}.")
            raise InvalidOptionError(
                f"vcov must be one of {VCOV_KINDS} (with columns for the last three, e.g. "
                f"{{'cluster': 'state'}}); got {spec!r}.")
        if isinstance(spec, Mapping) and len(spec) == 1:
            (kind, cols), = spec.items()
            kind = str(kind).lower()
            if kind not in ("cluster", "cluster-regress", "dyadic"):
                raise InvalidOptionError(
                    f"vcov mapping key must be 'cluster', 'cluster-regress' or 'dyadic'; "
                    f"got {kind!r}.")
            cols = (cols,) if isinstance(cols, str) else tuple(cols)
            if not cols or not all(isinstance(c, str) for c in cols):
                raise InvalidOptionError(f"vcov {spec!r}: give column names as strings.")
            if len(set(cols)) != len(cols):
                raise InvalidOptionError(f"vcov {spec!r} repeats a column.")
            if kind == "dyadic" and len(cols) != 2:
                raise InvalidOptionError(
                    "dyadic vcov needs exactly two unit columns (e.g. the unit at risk and the "
                    f"source): {{'dyadic': ['unit', 'source']}}; got {cols}.")
            return cls(kind, cols)
        raise InvalidOptionError(
            f"vcov must be a string such as 'classical' or a one-key mapping such as "
            f"{{'cluster': 'state'}}; got {spec!r}.")

    @property
    def is_clustered(self) -> bool:
        return self.kind in ("cluster", "cluster-regress", "dyadic")

    def to_json(self) -> Any:
        """The spec in the form :meth:`parse` accepts."""
        if not self.columns:
            return self.kind
        return {self.kind: list(self.columns)}

    def label(self, n_clusters: Sequence[int] | None = None,
              n_intersections: Sequence[int] | None = None) -> str:
        """Words for table footers and summaries (with group counts when known)."""
        def by(i: int, col: str) -> str:
            return f"{col} (G={n_clusters[i]})" if n_clusters else col

        if self.kind == "classical":
            return "classical (inverse expected information)"
        if self.kind == "hc0":
            return "heteroskedasticity-robust HC0"
        if self.kind == "hc1":
            return "heteroskedasticity-robust HC1 (n/(n-k))"
        if self.kind == "dyadic":
            units = f" (N units={n_clusters[0]})" if n_clusters else ""
            return (f"dyadic-robust by {self.columns[0]} and {self.columns[1]}{units}: "
                    "pairs of rows sharing a unit, no small-sample factor")
        names = " and ".join(by(i, c) for i, c in enumerate(self.columns))
        regress = self.kind == "cluster-regress"
        if len(self.columns) == 1:
            fac = ("regress-style small-sample factor G/(G-1)*(n-1)/(n-k)" if regress
                   else "Stata small-sample factor G/(G-1)")
            return f"cluster-robust by {names}, {fac}"
        way = {2: "two-way", 3: "three-way"}.get(len(self.columns), f"{len(self.columns)}-way")
        inter = ""
        if n_intersections:
            inter = " (intersections: G=" + ", ".join(str(g) for g in n_intersections) + ")"
        fac = "each component (and each intersection) scaled by its own G/(G-1)"
        if regress:
            fac += ", total times (n-1)/(n-k)"
        return f"{way} cluster-robust by {names}, Cameron-Gelbach-Miller; {fac}{inter}"


class GroupSums:
    """Per-group sums of score rows, accumulated block by block (dense or sparse)."""

    def __init__(self, n_groups: int, k: int) -> None:
        self.k = k
        self.n_groups = n_groups
        self.dense = n_groups * k <= _DENSE_LIMIT
        self._sums = np.zeros((n_groups, k)) if self.dense else None
        self._parts: list[tuple[np.ndarray, np.ndarray]] = []

    def add(self, codes: np.ndarray, S: np.ndarray) -> None:
        if S.shape[0] == 0:
            return
        if hasattr(S, "add_to"):  # absorbed fixed effects: one-hot score columns implicit
            if self.dense:
                S.add_to(self._sums, codes)
                return
            S = S.toarray()
        if self.dense:
            for j in range(self.k):
                self._sums[:, j] += np.bincount(codes, weights=S[:, j], minlength=self.n_groups)
            return
        uniq, inv = np.unique(codes, return_inverse=True)
        part = np.empty((uniq.size, self.k))
        for j in range(self.k):
            part[:, j] = np.bincount(inv, weights=S[:, j], minlength=uniq.size)
        self._parts.append((uniq, part))

    def sums(self) -> np.ndarray:
        """The non-empty groups' sums (rows with all-zero sums included if touched)."""
        if self.dense:
            return self._sums
        if not self._parts:
            return np.zeros((0, self.k))
        codes = np.concatenate([p[0] for p in self._parts])
        vals = np.concatenate([p[1] for p in self._parts])
        uniq, inv = np.unique(codes, return_inverse=True)
        out = np.zeros((uniq.size, self.k))
        for j in range(self.k):
            out[:, j] = np.bincount(inv, weights=vals[:, j], minlength=uniq.size)
        return out

    def crossprod(self) -> np.ndarray:
        s = self.sums()
        return s.T @ s


class GroupCounter:
    """Which groups are non-empty (for G of intersections and of clusters in the sample)."""

    def __init__(self, n_groups: int) -> None:
        self.dense = n_groups <= 50_000_000
        self._seen = np.zeros(n_groups, dtype=bool) if self.dense else set()

    def add(self, codes: np.ndarray) -> None:
        if self.dense:
            self._seen[codes] = True
        else:
            self._seen.update(np.unique(codes).tolist())

    def count(self) -> int:
        return int(self._seen.sum()) if self.dense else len(self._seen)


@dataclass
class MeatPlan:
    """Group codings a clustered spec needs; fed block by block, then combined."""

    spec: VcovSpec
    n_levels: tuple[int, ...]
    k: int

    def __post_init__(self) -> None:
        self.parts: list[tuple[int, tuple[int, ...], GroupSums, GroupCounter]] = []
        if self.spec.kind in ("cluster", "cluster-regress"):
            p = len(self.spec.columns)
            for r in range(1, p + 1):
                for combo in combinations(range(p), r):
                    size = int(np.prod([self.n_levels[i] for i in combo], dtype=np.float64))
                    sign = (-1) ** (r + 1)
                    self.parts.append((sign, combo, GroupSums(size, self.k), GroupCounter(size)))
        elif self.spec.kind == "dyadic":
            G = self.n_levels[0]
            self.unit = GroupSums(G, self.k)
            self.unit_count = GroupCounter(G)
            self.pair = GroupSums(G * G, self.k)

    def add(self, codes: Sequence[np.ndarray], S: np.ndarray) -> None:
        if self.spec.kind == "dyadic":
            a, b = (c.astype(np.int64) for c in codes)
            self.unit.add(a, S)
            diff = a != b
            self.unit.add(b[diff], S[diff])      # self-dyads count their unit once
            self.unit_count.add(a)
            self.unit_count.add(b)
            lo, hi = np.minimum(a, b)[diff], np.maximum(a, b)[diff]
            self.pair.add(lo * self.n_levels[0] + hi, S[diff])
            return
        for _, combo, sums, counter in self.parts:
            code = codes[combo[0]].astype(np.int64)
            for i in combo[1:]:
                code = code * self.n_levels[i] + codes[i]
            sums.add(code, S)
            counter.add(code)

    def meat(self, n: int, k: int) -> tuple[np.ndarray, tuple[int, ...], tuple[int, ...]]:
        """The combined meat, the cluster counts and the intersection counts."""
        if self.spec.kind == "dyadic":
            # sum over pairs of rows sharing a unit = sum_u S_u S_u' - sum_dyads S_D S_D'
            # (rows of the same unordered dyad share two units and are counted twice)
            m = self.unit.crossprod() - self.pair.crossprod()
            return m, (self.unit_count.count(),), ()
        meat = np.zeros((k, k))
        counts, inters = [], []
        for sign, combo, sums, counter in self.parts:
            G = counter.count()
            if G < 2:
                raise InvalidOptionError(
                    f"cluster-robust variance needs at least 2 clusters; "
                    f"{'x'.join(self.spec.columns[i] for i in combo)} has {G}.")
            meat += sign * G / (G - 1) * sums.crossprod()
            (counts if len(combo) == 1 else inters).append(G)
        if self.spec.kind == "cluster-regress":
            meat *= (n - 1) / (n - k)
        return meat, tuple(counts), tuple(inters)


def sandwich(bread_inv: np.ndarray, meat: np.ndarray) -> np.ndarray:
    """``B M B`` symmetrised."""
    v = bread_inv @ meat @ bread_inv
    return (v + v.T) / 2
