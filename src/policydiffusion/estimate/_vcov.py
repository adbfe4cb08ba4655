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
import scipy.sparse as sp

from policydiffusion._suggest import did_you_mean
from policydiffusion.errors import InvalidOptionError

__all__ = ["VcovSpec", "GroupSums", "VCOV_KINDS", "psd_correct", "PSD_NOTE", "nested_terms",
           "NESTED_NOTE", "NotIdentified", "design_nested_terms"]

VCOV_KINDS = ("classical", "hc0", "hc1", "cluster", "cluster-cr0", "cluster-regress", "dyadic")
_CLUSTERED = ("cluster", "cluster-cr0", "cluster-regress", "dyadic")
_DENSE_LIMIT = 20_000_000  # cells (groups x k) kept as a dense array


@dataclass(frozen=True)
class VcovSpec:
    """A parsed variance specification.

    Forms accepted by :meth:`parse`: ``"classical"``, ``"hc0"``, ``"hc1"``,
    ``{"cluster": "state"}``, ``{"cluster": ["state", "year"]}``,
    ``{"cluster-cr0": "state"}`` (no small-sample factor: R ``sandwich::vcovCL(type =
    "HC0", cadjust = FALSE)``, ``rms::robcov``), ``{"cluster-regress": "state"}`` and
    ``{"dyadic": ["unit", "source"]}``. docs/variance.md compares the conventions.

    Examples
    --------
    >>> VcovSpec.parse({"cluster": "state"}).label()
    'cluster-robust by state, Stata small-sample factor G/(G-1)'
    >>> VcovSpec.parse({"cluster-cr0": "state"}).label()
    'cluster-robust by state, CR0 (no small-sample factor)'
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
            if kind in _CLUSTERED:
                raise InvalidOptionError(
                    f"vcov {spec!r} needs its columns: write {{{kind!r}: 'state'}}.")
            raise InvalidOptionError(
                f"vcov must be one of {VCOV_KINDS} (with columns for the last four, e.g. "
                f"{{'cluster': 'state'}}); got {spec!r}{did_you_mean(kind, VCOV_KINDS)}.")
        if isinstance(spec, Mapping) and len(spec) == 1:
            (kind, cols), = spec.items()
            kind = str(kind).lower()
            if kind not in _CLUSTERED:
                raise InvalidOptionError(
                    f"unknown variance {kind!r}; a vcov mapping key must be 'cluster', "
                    f"'cluster-cr0', 'cluster-regress' or 'dyadic'"
                    f"{did_you_mean(kind, _CLUSTERED)}.")
            if isinstance(cols, str):
                cols = (cols,)
            else:
                try:
                    if isinstance(cols, Mapping):
                        raise TypeError
                    cols = tuple(cols)
                except TypeError:
                    raise InvalidOptionError(
                        f"vcov {spec!r}: give column names as strings.") from None
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
        return self.kind in _CLUSTERED

    def to_json(self) -> Any:
        """The spec in the form :meth:`parse` accepts."""
        if not self.columns:
            return self.kind
        return {self.kind: list(self.columns)}

    def label(self, n_clusters: Sequence[int] | None = None,
              n_intersections: Sequence[int] | None = None, *, lang: str = "en",
              names: Mapping[str, str] | None = None) -> str:
        """Words for table footers, summaries and methods text (with group counts when known).

        The one place where a variance kind is put into words, in English (``lang="en"``)
        or Chinese (``"zh"``); ``names`` gives display names of the columns (e.g.
        ``{"unit": "单位"}``).

        Examples
        --------
        >>> VcovSpec.parse("hc0").label(lang="zh")
        '异方差稳健标准误（HC0）'
        >>> VcovSpec.parse({"cluster": "unit"}).label([31], lang="zh", names={"unit": "单位"})
        '按单位聚类的稳健标准误（31 个聚类，Stata 小样本校正 G/(G-1)）'
        """
        if lang not in _WORDS:
            raise InvalidOptionError(f"lang must be one of {tuple(_WORDS)}; got {lang!r}.")
        w = _WORDS[lang]
        cols = [(names or {}).get(c, c) for c in self.columns]
        if self.kind in ("classical", "hc0", "hc1"):
            return w[self.kind]
        if self.kind == "dyadic":
            units = w["units"].format(n=n_clusters[0]) if n_clusters else ""
            return w["dyadic"].format(a=cols[0], b=cols[1], units=units)
        regress = self.kind == "cluster-regress"
        cr0 = self.kind == "cluster-cr0"
        if len(self.columns) == 1:
            g = w["g"].format(n=n_clusters[0]) if n_clusters else ""
            return w["cluster"].format(
                names=cols[0], g=g, fac=w["regress" if regress else "cr0" if cr0 else "stata"])
        joined = w["and"].join(w["g_col"].format(col=c, n=n_clusters[i]) if n_clusters else c
                               for i, c in enumerate(cols))
        inter = ""
        if n_intersections:
            inter = w["inter"].format(g=", ".join(str(g) for g in n_intersections))
        return w["multiway"].format(
            way=w["ways"].get(len(cols), w["way_n"].format(n=len(cols))), names=joined,
            fac=w["multi_cr0" if cr0 else "multi_fac"],
            total=w["total"] if regress else "", inter=inter)


#: the words of :meth:`VcovSpec.label`, per language
_WORDS: dict[str, dict] = {
    "en": {
        "classical": "classical (inverse expected information)",
        "hc0": "heteroskedasticity-robust HC0",
        "hc1": "heteroskedasticity-robust HC1 (n/(n-k))",
        "units": " (N units={n})",
        "dyadic": "dyadic-robust by {a} and {b}{units}: pairs of rows sharing a unit "
                  "(Aronow, Samii and Assenova 2015), no small-sample factor",
        "g": " (G={n})",
        "cluster": "cluster-robust by {names}{g}, {fac}",
        "stata": "Stata small-sample factor G/(G-1)",
        "regress": "regress-style small-sample factor G/(G-1)*(n-1)/(n-k)",
        "cr0": "CR0 (no small-sample factor)",
        "multi_fac": "each component (and each intersection) scaled by its own G/(G-1)",
        "multi_cr0": "no small-sample factor (CR0)",
        "and": " and ", "g_col": "{col} (G={n})",
        "ways": {2: "two-way", 3: "three-way"}, "way_n": "{n}-way",
        "inter": " (intersections: G={g})", "total": ", total times (n-1)/(n-k)",
        "multiway": "{way} cluster-robust by {names}, Cameron-Gelbach-Miller; {fac}{total}{inter}",
    },
    "zh": {
        "classical": "常规标准误（期望信息矩阵之逆）",
        "hc0": "异方差稳健标准误（HC0）",
        "hc1": "异方差稳健标准误（HC1，n/(n-k)）",
        "units": "，{n} 个单位",
        "dyadic": "按{a}和{b}的二元组稳健标准误（共享同一单位的观测对相关，Aronow, Samii and "
                  "Assenova 2015{units}；无小样本校正）",
        "g": "{n} 个聚类，",
        "cluster": "按{names}聚类的稳健标准误（{g}{fac}）",
        "stata": "Stata 小样本校正 G/(G-1)",
        "regress": "regress 式小样本校正 G/(G-1)·(n-1)/(n-k)",
        "cr0": "CR0，无小样本校正",
        "multi_fac": "各分量及交叉项按各自的 G/(G-1) 校正",
        "multi_cr0": "CR0，无小样本校正",
        "and": "和", "g_col": "{col}（G={n}）",
        "ways": {2: "双向", 3: "三向"}, "way_n": "{n} 向",
        "inter": "；交叉项 G={g}", "total": "，总体再乘以 (n-1)/(n-k)",
        "multiway": "按{names}的{way}聚类稳健标准误（Cameron-Gelbach-Miller；{fac}{total}{inter}）",
    },
}


class GroupSums:
    """Per-group sums of score rows, accumulated block by block (dense or sparse).

    Above ``_DENSE_LIMIT`` cells only the groups a block touches are kept; absorbed
    fixed-effect scores (one-hot columns left implicit) are then kept as sparse matrices.
    """

    def __init__(self, n_groups: int, k: int) -> None:
        self.k = k
        self.n_groups = n_groups
        self.dense = n_groups * k <= _DENSE_LIMIT
        self._sums = np.zeros((n_groups, k)) if self.dense else None
        self._parts: list[tuple[np.ndarray, Any]] = []
        self._cross: np.ndarray | None = None

    def add(self, codes: np.ndarray, S: np.ndarray) -> None:
        if S.shape[0] == 0:
            return
        self._cross = None
        if hasattr(S, "add_to"):  # absorbed fixed effects: one-hot score columns implicit
            if self.dense:
                S.add_to(self._sums, codes)
            else:
                self._parts.append(_sparse_part(codes, S))
            return
        if self.dense:
            for j in range(self.k):
                self._sums[:, j] += np.bincount(codes, weights=S[:, j], minlength=self.n_groups)
            return
        uniq, inv = np.unique(codes, return_inverse=True)
        part = np.empty((uniq.size, self.k))
        for j in range(self.k):
            part[:, j] = np.bincount(inv, weights=S[:, j], minlength=uniq.size)
        self._parts.append((uniq, part))

    def sums(self) -> Any:
        """The non-empty groups' sums (rows with all-zero sums included if touched); a
        sparse matrix when absorbed fixed-effect scores were added in sparse mode."""
        if self.dense:
            return self._sums
        if not self._parts:
            return np.zeros((0, self.k))
        codes = np.concatenate([p[0] for p in self._parts])
        uniq, inv = np.unique(codes, return_inverse=True)
        if any(sp.issparse(p[1]) for p in self._parts):
            # absorbed fixed effects: stay sparse (a group touches few levels)
            vals = sp.vstack([sp.csr_matrix(p[1]) for p in self._parts], format="csr")
            merge = sp.csr_matrix((np.ones(codes.size), (inv, np.arange(codes.size))),
                                  shape=(uniq.size, codes.size))
            return (merge @ vals).tocsr()
        vals = np.concatenate([p[1] for p in self._parts])
        out = np.zeros((uniq.size, self.k))
        for j in range(self.k):
            out[:, j] = np.bincount(inv, weights=vals[:, j], minlength=uniq.size)
        return out

    def crossprod(self) -> np.ndarray:
        """``S'S`` of the group sums, computed once (the meat and the nested-term check
        both read it)."""
        if self._cross is None:
            s = self.sums()
            self._cross = (s.T @ s).toarray() if sp.issparse(s) else s.T @ s
            self._cross.flags.writeable = False  # shared by the meat and the check
        return self._cross


def _sparse_part(codes: np.ndarray, S: Any) -> tuple[np.ndarray, sp.csr_matrix]:
    """One block's group sums of absorbed-effect scores (``FEScores``) as a sparse
    matrix: covariate columns dense, each level's column only where the group has rows of
    that level, so no n x levels array is formed."""
    uniq, inv = np.unique(codes, return_inverse=True)
    p = S.Sx.shape[1]
    cov = np.column_stack([np.bincount(inv, weights=S.Sx[:, j], minlength=uniq.size)
                           for j in range(p)]) if p else np.zeros((uniq.size, 0))
    fe = sp.csr_matrix((S.u, (inv, S.g.astype(np.int64))), shape=(uniq.size, S.n_levels))
    return uniq, sp.hstack([sp.csr_matrix(cov), fe], format="csr")


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
        if self.spec.kind in ("cluster", "cluster-cr0", "cluster-regress"):
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
            # CR0 (R sandwich cadjust=FALSE, rms::robcov) leaves out Stata's G/(G-1)
            factor = 1.0 if self.spec.kind == "cluster-cr0" else G / (G - 1)
            meat += sign * factor * sums.crossprod()
            (counts if len(combo) == 1 else inters).append(G)
        if self.spec.kind == "cluster-regress":
            meat *= (n - 1) / (n - k)
        return meat, tuple(counts), tuple(inters)

    def components(self) -> dict[str, np.ndarray]:
        """Per clustering column, the cross-product of its cluster sums (no factor): what
        :func:`nested_terms` reads. Empty for the dyadic estimator."""
        return {self.spec.columns[combo[0]]: sums.crossprod()
                for _, combo, sums, _ in self.parts if len(combo) == 1}


NESTED_NOTE = "nested in the clusters"


class NotIdentified(str):
    """Why a term's standard error is not identified: the reason as text (what tables,
    notes and JSON print), with the clustering columns it is nested in as data.

    A ``str``, so code and JSON that read the reason keep working; ``clusters`` saves
    readers from parsing it.

    Examples
    --------
    >>> why = NotIdentified.nested(("policy", "year"))
    >>> why, why.clusters
    ('nested in the clusters by policy and year', ('policy', 'year'))
    >>> why == "nested in the clusters by policy and year"
    True
    """

    clusters: tuple[str, ...]

    def __new__(cls, reason: str, clusters: Sequence[str] = ()) -> "NotIdentified":
        self = super().__new__(cls, reason)
        self.clusters = tuple(str(c) for c in clusters)
        return self

    @classmethod
    def nested(cls, clusters: Sequence[str]) -> "NotIdentified":
        """The record of a term nested in the clusters by ``clusters``."""
        return cls(f"{NESTED_NOTE} by {' and '.join(clusters)}", clusters)

    @property
    def reason(self) -> str:
        """The reason as a plain string."""
        return str.__str__(self)

    def __reduce__(self):  # pickles (e.g. results sent to Dask workers) keep the columns
        return (type(self), (self.reason, self.clusters))


def nested_terms(components: Mapping[str, np.ndarray], meat_hc: np.ndarray,
                 names: Sequence[str], *, rtol: float = 1e-8) -> dict[str, NotIdentified]:
    """Terms whose cluster-robust standard error is not identified, with the reason.

    A term nested in the clusters (a fixed-effect dummy of the cluster variable or of a
    finer grouping, or the intercept beside the cluster variable's dummies) is one whose
    column, restricted to any one cluster, lies in the span of the design's columns.
    Every estimating equation of the form ``X' psi = 0`` then holds cluster by cluster
    in its direction: the cluster's own free parameter absorbs all of its information,
    and no between-cluster variation is left to estimate a variance from. The meat
    has no row in its direction, and the sandwich's number for it (what R's
    ``sandwich::vcovCL`` reports too) comes only through its covariance with other
    terms: not a standard error. As fixest treats fixed effects nested in the clusters,
    the estimate is kept and the standard error marked.

    Detected per clustering dimension from the estimator's own estimating-function
    contributions ``x_i psi_i`` (``components``: their cluster sums' cross-product, no
    small-sample factor; ``meat_hc``: their rows' cross-product) as a diagonal below
    ``rtol`` times the row-wise one (about 1e-20 for a nested term at convergence,
    near 1 otherwise). For maximum likelihood ``psi`` is the score; for Firth fits it
    is the modified score ``w (y - p) + h (1/2 - p)``, which vanishes cluster by
    cluster where the likelihood score, whose cross-products the Firth sandwich's meat
    is built from, does not: the penalty's share ``-h (1/2 - p)`` is left in each
    nested cluster's sum, and the meat would measure the penalty, not sampling
    variation (see :func:`~policydiffusion.estimate._firth.modified_score_sums`).

    Examples
    --------
    >>> meat_hc = np.diag([4.0, 2.0])
    >>> nested_terms({"policy": np.diag([1e-25, 1.5])}, meat_hc, ["Intercept", "x"])
    {'Intercept': 'nested in the clusters by policy'}
    """
    hc = np.diag(meat_hc)
    out: dict[str, list[str]] = {}
    for col, cross in components.items():
        for j in np.flatnonzero((hc > 0) & (np.diag(cross) <= rtol * hc)):
            out.setdefault(str(names[j]), []).append(col)
    return {t: NotIdentified.nested(cols) for t, cols in out.items()}


def design_nested_terms(X: np.ndarray, clusters: Mapping[str, np.ndarray],
                        names: Sequence[str], *, baseline: np.ndarray | None = None,
                        seed: int = 0) -> dict[str, NotIdentified]:
    """:func:`nested_terms` read from the design alone, for estimators whose score
    contributions are not ``x_i psi_i`` (Cox: risk-set means enter every row's).

    A term is nested when its column restricted to each cluster lies in the span of
    ``X`` and the indicators of ``baseline`` (codes of groups with a free baseline of
    their own: Cox strata; pass zeros for one baseline). That is the case exactly when
    ``(x_j 1_g)' r = 0`` for every cluster ``g`` and every ``r`` orthogonal to that span;
    one ``r`` drawn at random (``seed``) and made orthogonal (least squares, twice)
    shows it with probability one, and :func:`nested_terms` reads the contributions
    ``x_j r``. In a Cox model the cluster's own contribution to such a term's score is
    then fixed by the fit; what the robust meat keeps comes from the other clusters
    through the risk-set means (about 1e-3 of the row-wise meat, see
    golden/cox_nested_golden.R), not from the cluster's own variation.

    Examples
    --------
    >>> g = np.repeat([0, 1, 2], 4)
    >>> x = np.linspace(-1, 1, 12)
    >>> X = np.column_stack([x, g == 1, g == 2]).astype(float)
    >>> sorted(design_nested_terms(X, {"g": g}, ["x", "g1", "g2"], baseline=0 * g))
    ['g1', 'g2']
    """
    n = X.shape[0]
    v = np.random.default_rng(seed).standard_normal(n)
    codes, _ = _factorize(np.zeros(n, dtype=np.int64) if baseline is None else baseline)
    member = sp.csr_matrix((np.ones(n), (codes, np.arange(n))))  # baseline groups x rows
    size = np.asarray(member.sum(axis=1)).ravel()

    def demean(a: np.ndarray) -> np.ndarray:  # residual on the baselines' indicators
        means = (member @ a) / (size if a.ndim == 1 else size[:, None])
        return a - means[codes]

    Z = demean(X)
    r = demean(v)
    for _ in range(2):  # the second round removes what rounding left in the span
        r = r - Z @ np.linalg.lstsq(Z, r, rcond=None)[0]
        r = demean(r)
    S = X * r[:, None]
    comps = {}
    for col, cl in clusters.items():
        cc, uniq = _factorize(cl)
        g = GroupSums(len(uniq), S.shape[1])
        g.add(cc, S)
        comps[col] = g.crossprod()
    return nested_terms(comps, S.T @ S, names)


def _factorize(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    uniq, inv = np.unique(np.asarray(a), return_inverse=True)
    return inv.ravel(), uniq


def sandwich(bread_inv: np.ndarray, meat: np.ndarray) -> np.ndarray:
    """``B M B`` symmetrised."""
    v = bread_inv @ meat @ bread_inv
    return (v + v.T) / 2


PSD_NOTE = ("not positive semi-definite; negative eigenvalues set to 0 (Cameron, Gelbach & "
            "Miller 2011)")


def psd_correct(cov: np.ndarray, names: Sequence[str], *, rtol: float = 1e-10
                ) -> tuple[np.ndarray, dict | None]:
    """A covariance made positive semi-definite, and what was changed (None if nothing).

    Dyadic and multiway cluster sandwiches add and subtract meats, so they can have
    negative eigenvalues (even negative variances). As Cameron, Gelbach & Miller (2011,
    sec. 2.3) propose, the spectral decomposition is taken and negative eigenvalues
    are set to zero. Eigenvalues below ``rtol`` times the largest in size are rounding
    and left alone. The record names the terms whose variance changed.

    Examples
    --------
    >>> v = np.array([[1.0, 2.0], [2.0, 1.0]])          # eigenvalues 3 and -1
    >>> fixed, info = psd_correct(v, ["a", "b"])
    >>> np.round(fixed, 3).tolist(), info["terms"], info["eigenvalues"]
    ([[1.5, 1.5], [1.5, 1.5]], ['a', 'b'], [-1.0])
    >>> psd_correct(np.eye(2), ["a", "b"])[1] is None
    True
    """
    lam, U = np.linalg.eigh((cov + cov.T) / 2)
    top = float(np.max(np.abs(lam))) if lam.size else 0.0
    neg = lam < -rtol * top
    if not neg.any():
        return cov, None
    fixed = (U * np.where(lam < 0, 0.0, lam)) @ U.T
    fixed = (fixed + fixed.T) / 2
    before, after = np.diag(cov), np.diag(fixed)
    changed = (after - before) > 1e-6 * np.maximum(after, 1e-300)
    terms = [str(n) for n, c in zip(names, changed) if c]
    return fixed, {"method": "Cameron-Gelbach-Miller eigenvalue correction",
                   "eigenvalues": [float(v) for v in lam[neg]], "terms": terms,
                   "negative_variances": [str(n) for n, d in zip(names, before) if d < 0]}
