"""Spatial clustering of adoption timing: Moran's I and the follow-a-neighbour share."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
import polars as pl
from scipy import special

from policydiffusion.curves._data import PolicyTimes, as_study, policy_list, policy_times, policy_times_many
from policydiffusion.errors import InvalidOptionError, check_choice

__all__ = ["MoranResult", "morans_i", "moran_statistic", "follow_neighbor_share", "weight_matrix",
           "MAX_KURTOSIS", "MIN_UNITS", "MIN_VARYING_UNITS"]

#: Largest kurtosis b2 = n sum(z^4) / (sum z^2)^2 of the values (3 for a normal sample) at
#: which :func:`morans_i` gives its normal-approximation p-values. Above it the values are
#: heavy-tailed (a few adopters among censored non-adopters, or one adoption far from the
#: rest) and the distribution of I is skewed and lumpy: over the SPID policies, analytic
#: p-values differ from 4999-permutation ones by up to 0.07 at b2 <= 10 and by up to
#: 0.34 above (e.g. 2 adopters: 1.7e-6 analytic, 0.008 exact).
MAX_KURTOSIS = 10.0
#: Fewest units whose values differ from the most common value, and fewest units, at
#: which :func:`morans_i` gives its normal-approximation p-values. The kurtosis is
#: bounded by about n - 2, so below about 12 units the limit above cannot trigger, yet
#: with 2-3 adopters among 6-16 units (SPID contiguity among neighbouring states, every
#: placement of the adopters, exact permutation p-values: benchmarks/moran_small_samples.py)
#: the analytic p differs from the exact one by up to 0.15-0.31 with 2 adopters (below
#: 0.05 for 6-11% of placements, the exact p for 1-5%) and 0.07-0.14 with 3; with 4 or
#: more varying units and 7 or more units by 0.05-0.08, as at n = 50 with b2 <= 10.
#: On 6 units even 4 varying units differ by 0.11.
MIN_VARYING_UNITS = 4
MIN_UNITS = 7


def weight_matrix(study, relation: str, *, period: int | None = None) -> np.ndarray:
    """Dense weight matrix W[i, j] = weight of edge i -> j, in the study's unit order.

    Static edges always count; period-varying edges only when ``period`` is given
    and equals their period.

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> s = spid_study(policies=["aborparc"])
    >>> W = weight_matrix(s, "contiguity")
    >>> W.shape, int(W[s.unit_ids.index("ME")].sum())   # Maine borders New Hampshire only
    ((50, 50), 1)
    """
    rel = study.relation(relation)
    e = rel.at(period) if period is not None else rel.edges.filter(pl.col("period").is_null())
    if e.height == 0:
        hint = " (its edges carry periods: pass period=)" if rel.edges.height else ""
        raise InvalidOptionError(f"relation {relation!r} has no edges to use{hint}.")
    idx = {u: i for i, u in enumerate(study.unit_ids)}
    W = np.zeros((len(idx), len(idx)))
    s = np.array([idx[u] for u in e.get_column("source")])
    t = np.array([idx[u] for u in e.get_column("target")])
    np.add.at(W, (s, t), e.get_column("weight").to_numpy())
    return W


def moran_statistic(x: np.ndarray, W: np.ndarray) -> float:
    """Moran's I = (n / S0) z'Wz / z'z with z = x - mean(x).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]], float)
    >>> round(moran_statistic(np.array([1.0, 3.0, 1.0]), W), 4)
    -1.0
    """
    z = np.asarray(x, float) - np.mean(x)
    return float(len(z) / W.sum() * (z @ W @ z) / (z @ z))


def _w_sums(W: np.ndarray) -> tuple[float, float, float]:
    """S0, S1, S2 of Cliff and Ord's moments (they depend on W only)."""
    S0 = W.sum()
    S1 = 0.5 * np.sum((W + W.T) ** 2)
    S2 = np.sum((W.sum(axis=1) + W.sum(axis=0)) ** 2)
    return S0, S1, S2


def _kurtosis(z: np.ndarray) -> float:
    """b2 = n sum(z^4) / (sum z^2)^2 of centred values (Cliff and Ord's kurtosis)."""
    return float(z.size * np.sum(z**4) / np.sum(z**2) ** 2)


def _moran_moments(z: np.ndarray, W: np.ndarray,
                   sums: tuple[float, float, float] | None = None) -> tuple[float, float, float]:
    """E[I] and Var[I] under normality and under randomisation (Cliff and Ord);
    ``sums``: :func:`_w_sums` of ``W`` when already known."""
    n = z.size
    S0, S1, S2 = sums if sums is not None else _w_sums(W)
    E = -1.0 / (n - 1)
    v_norm = (n * n * S1 - n * S2 + 3 * S0**2) / ((n * n - 1) * S0**2) - E**2
    b2 = _kurtosis(z)
    v_rand = ((n * ((n * n - 3 * n + 3) * S1 - n * S2 + 3 * S0**2)
               - b2 * ((n * n - n) * S1 - 2 * n * S2 + 6 * S0**2))
              / ((n - 1) * (n - 2) * (n - 3) * S0**2) - E**2)
    return E, float(v_norm), float(v_rand)


@dataclass(frozen=True)
class MoranResult:
    """Moran's I of adoption timing with analytic and permutation inference."""

    policy: str
    relation: str
    statistic: float
    expected: float
    variance_normal: float
    variance_randomization: float
    p_normal: float
    p_randomization: float
    p_permutation: float | None
    permutations: int
    alternative: str
    n: int
    options: dict = field(default_factory=dict)
    #: kurtosis b2 of the values (see :data:`MAX_KURTOSIS`)
    kurtosis: float = np.nan
    #: ``"ok"``, or why the analytic z and p-values are NaN: ``"heavy tails"`` (b2 above
    #: the limit), ``"degenerate variance"`` (Var[I] not positive: I cannot vary) or
    #: ``"few units"`` (see :data:`MIN_VARYING_UNITS`)
    analytic_status: str = "ok"
    analytic_reason: str | None = None

    @property
    def z_normal(self) -> float:
        return _z(self, self.variance_normal)

    @property
    def z_randomization(self) -> float:
        return _z(self, self.variance_randomization)

    def tidy(self) -> pd.DataFrame:
        """One row per inference (normal, randomisation, permutation)."""
        rows = [("moran_i (normal)", self.statistic, np.sqrt(self.variance_normal), self.z_normal,
                 self.p_normal),
                ("moran_i (randomization)", self.statistic, np.sqrt(self.variance_randomization),
                 self.z_randomization, self.p_randomization),
                ("moran_i (permutation)", self.statistic, np.nan, np.nan,
                 np.nan if self.p_permutation is None else self.p_permutation)]
        return pd.DataFrame(rows, columns=["term", "estimate", "std_error", "statistic", "p_value"])

    def to_dict(self) -> dict:
        return {"statistic": self.statistic, "expected": self.expected,
                "variance_normal": self.variance_normal,
                "variance_randomization": self.variance_randomization, "p_normal": self.p_normal,
                "p_randomization": self.p_randomization, "p_permutation": self.p_permutation,
                "permutations": self.permutations, "alternative": self.alternative, "n": self.n,
                "relation": self.relation, **self.options, "kurtosis": self.kurtosis,
                "analytic_status": self.analytic_status, "analytic_reason": self.analytic_reason}


def _z(m: MoranResult, variance: float) -> float:
    if m.analytic_status != "ok":
        return np.nan
    return float((m.statistic - m.expected) / np.sqrt(variance))


def analytic_status(variances: tuple[float, float], kurtosis: float, *,
                    max_kurtosis: float = MAX_KURTOSIS, values: np.ndarray | None = None,
                    min_varying: int = MIN_VARYING_UNITS, min_units: int = MIN_UNITS) -> tuple[str, str | None]:
    """(status, reason) of Moran's analytic p-values: ``"ok"`` unless a variance is
    not positive, the values' kurtosis exceeds ``max_kurtosis``, or (given the
    ``values``) there are fewer than ``min_units`` of them or fewer than
    ``min_varying`` differ from the most common value.

    Examples
    --------
    >>> analytic_status((0.01, 0.01), 48.0)[0]
    'heavy tails'
    >>> analytic_status((0.01, -1e-18), 2.0)[0]
    'degenerate variance'
    >>> status, why = analytic_status((0.01, 0.01), 4.6, values=np.array([1, 3] + [9] * 8))
    >>> status, why.split(":")[0]  # 2 adopters of 10, the rest censored
    ('few units', 'only 2 of 10 units differ from the most common value (fewer than 4)')
    """
    # a zero variance comes out of the moment formulas as rounding noise (+-1e-17 for a
    # complete graph, where I = E[I] under every permutation), not as 0
    if not all(np.isfinite(v) and v > 1e-12 for v in variances):
        return "degenerate variance", ("the variance of I under the null is not positive (I takes "
                                       "one value under every permutation): no z or p-value")
    if not kurtosis <= max_kurtosis:
        return "heavy tails", (f"values heavy-tailed (kurtosis {kurtosis:.1f} > {max_kurtosis:g}): the "
                               "normal approximation's p-values are unreliable; use permutations")
    if values is not None:
        n = len(values)
        varying = n - int(np.unique(values, return_counts=True)[1].max())
        if varying < min_varying or n < min_units:
            why = (f"only {varying} of {n} units differ from the most common value (fewer than "
                   f"{min_varying})" if varying < min_varying else f"only {n} units (fewer than {min_units})")
            return "few units", (f"{why}: I takes few values under permutation and the normal "
                                 "approximation's p-values are unreliable (off by up to 0.3); use "
                                 "permutations")
    return "ok", None


def _p(z: float, alternative: str) -> float:
    # special.ndtr is what stats.norm.sf/cdf evaluate (sf(z) = ndtr(-z)), without
    # their argument handling, which cost more than the whole statistic
    if alternative == "greater":
        return float(special.ndtr(-z))
    if alternative == "less":
        return float(special.ndtr(z))
    return float(2 * special.ndtr(-abs(z)))


def morans_i(study: object, policy: str, *, relation: str = "contiguity", permutations: int = 999,
             seed: int | None = None, row_standardize: bool = True, non_adopters: str = "censor",
             alternative: str = "greater", period: int | None = None,
             max_kurtosis: float = MAX_KURTOSIS, min_varying: int = MIN_VARYING_UNITS,
             min_units: int = MIN_UNITS) -> MoranResult:
    """Moran's I of the adoption periods of one policy over a relation of the study.

    Parameters
    ----------
    relation
        Name of a relation of the study; its edges give the weights ``W[i, j]``.
    permutations, seed
        Monte Carlo permutations of the values over units (``0`` skips them); the
        p-value is ``(1 + #extreme) / (permutations + 1)``.
    row_standardize
        Divide each row of ``W`` by its sum (rows of isolates stay zero).
    non_adopters
        ``"censor"``: non-adopters get the period after the policy's end;
        ``"exclude"``: only adopters enter (``W`` restricted to them).
    alternative
        ``"greater"`` (clustering: neighbours adopt at similar times),
        ``"less"`` or ``"two-sided"``.
    period
        For period-varying relations: use the edges of this period.
    max_kurtosis
        The analytic (normal-approximation) z and p-values are NaN, with
        ``analytic_status`` ``"heavy tails"``, when the values' kurtosis exceeds this
        (see :data:`MAX_KURTOSIS`); the permutation p-value is unaffected.
    min_varying, min_units
        Likewise (``analytic_status`` ``"few units"``) when fewer than ``min_varying``
        units' values differ from the most common value (e.g. 2-3 adopters, the rest
        censored) or there are fewer than ``min_units`` units, where the kurtosis
        cannot exceed its limit but the normal approximation still fails (see
        :data:`MIN_VARYING_UNITS`); 0 turns either check off.

    Notes
    -----
    ``I = (n / S0) z'Wz / z'z``, ``z = x - mean(x)``, ``S0`` the sum of weights;
    ``E[I] = -1/(n-1)``; variances under normality and randomisation as in Cliff
    and Ord (1981). Positive ``I``: neighbouring units adopt at similar times.
    Units without an edge (isolates, e.g. an island province) keep a zero row of ``W``
    and count in ``n``, as spdep's ``moran.test(..., zero.policy = TRUE, adjust.n =
    FALSE)``; they are listed in ``options["isolates"]``.

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> m = morans_i(spid_study(policies=["antibully"]), "antibully", seed=1, permutations=99)
    >>> m.n, m.relation, round(m.expected, 4)
    (50, 'contiguity', -0.0204)
    """
    check_choice("non_adopters", non_adopters, ("censor", "exclude"))
    check_choice("alternative", alternative, ("greater", "less", "two-sided"))
    st = as_study(study)
    pt = policy_times(st, policy)
    W = SpatialWeights(st, relation, period=period, row_standardize=row_standardize)
    return moran_of(pt, W, permutations=permutations, seed=seed, non_adopters=non_adopters,
                    alternative=alternative, max_kurtosis=max_kurtosis, min_varying=min_varying,
                    min_units=min_units)


class SpatialWeights:
    """A relation's weight matrix for :func:`moran_of`, with what every policy with
    all units kept shares (the standardised matrix, its isolates and moment sums)
    computed once."""

    def __init__(self, study, relation: str, *, period: int | None = None,
                 row_standardize: bool = True) -> None:
        self.relation, self.period, self.row_standardize = relation, period, row_standardize
        self.W = weight_matrix(study, relation, period=period)
        self.unit_ids = np.asarray(study.unit_ids)
        self._full: tuple | None = None

    def restricted(self, keep: np.ndarray) -> tuple[np.ndarray, list, tuple | None]:
        """(W among the kept units, standardised if asked; its isolates; moment sums
        when all units are kept, else None)."""
        if keep.all() and self._full is not None:
            return self._full
        W = self.W[np.ix_(keep, keep)]
        # isolates keep a zero row and count in n: spdep's zero.policy = TRUE, adjust.n = FALSE
        isolates = [u for u, row in zip(self.unit_ids[keep], W.sum(axis=1)) if row == 0]
        if self.row_standardize:
            rs = W.sum(axis=1, keepdims=True)
            W = np.divide(W, rs, out=np.zeros_like(W), where=rs > 0)
        if not keep.all():
            return W, isolates, None
        self._full = (W, isolates, _w_sums(W))
        return self._full


def moran_of(pt: PolicyTimes, weights: SpatialWeights, *, permutations: int = 999,
             seed: int | None = None, non_adopters: str = "censor",
             alternative: str = "greater", max_kurtosis: float = MAX_KURTOSIS,
             min_varying: int = MIN_VARYING_UNITS, min_units: int = MIN_UNITS) -> MoranResult:
    """:func:`morans_i` of one policy's :class:`PolicyTimes` over prepared weights.

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> s = spid_study(policies=["antibully"])
    >>> m = moran_of(policy_times(s, "antibully"), SpatialWeights(s, "contiguity"), permutations=0)
    >>> m.statistic == morans_i(s, "antibully", permutations=0).statistic
    True
    """
    x = pt.adopt.copy()
    if non_adopters == "censor":
        x[np.isnan(x)] = pt.end + 1
        keep = np.ones(x.size, bool)
    else:
        keep = ~np.isnan(x)
    x = x[keep]
    W, isolates, sums = weights.restricted(keep)
    n = x.size
    if n < 4 or W.sum() == 0 or np.all(x == x[0]):
        raise InvalidOptionError(f"Moran's I of {pt.policy!r} over {weights.relation!r} is undefined: it "
                                 "needs at least 4 units, some edges among them and varying adoption times.")
    z = x - x.mean()
    I_obs = moran_statistic(x, W)
    E, vn, vr = _moran_moments(z, W, sums)
    p_perm = None
    if permutations > 0:
        rng = np.random.default_rng(seed)
        Z = np.stack([rng.permutation(z) for _ in range(permutations)])
        I_perm = n / W.sum() * np.einsum("ri,ij,rj->r", Z, W, Z) / (z @ z)
        if alternative == "greater":
            extreme = np.sum(I_perm >= I_obs - 1e-12)
        elif alternative == "less":
            extreme = np.sum(I_perm <= I_obs + 1e-12)
        else:
            extreme = np.sum(np.abs(I_perm - E) >= abs(I_obs - E) - 1e-12)
        p_perm = float((1 + extreme) / (permutations + 1))
    b2 = _kurtosis(z)
    status, reason = analytic_status((vn, vr), b2, max_kurtosis=max_kurtosis, values=x,
                                     min_varying=min_varying, min_units=min_units)
    p_n = p_r = np.nan
    if status == "ok":
        p_n, p_r = _p((I_obs - E) / np.sqrt(vn), alternative), _p((I_obs - E) / np.sqrt(vr), alternative)
    return MoranResult(pt.policy, weights.relation, I_obs, E, vn, vr, p_n, p_r, p_perm, permutations,
                       alternative, n,
                       {"row_standardize": weights.row_standardize, "non_adopters": non_adopters,
                        "seed": seed, "period": weights.period, "isolates": [str(u) for u in isolates]},
                       b2, status, reason)


def follow_neighbor_share(study: object, policy: str | Sequence[str] | None = None, *,
                          relation: str = "contiguity") -> pd.DataFrame:
    """Share of adoptions that follow a neighbour's: the adopter had at least one
    neighbour (edge ``adopter -> neighbour`` in force in the adoption period) that
    adopted in an earlier period. The denominator is every adopter, first
    adopters and adopters without neighbours included (they cannot follow anyone;
    over US contiguity AK and HI never do). When every adoption falls in one
    period no adoption could follow another, and the share is NaN (not 0).

    Returns
    -------
    pandas.DataFrame
        ``policy``, ``relation``, ``n_adopters``, ``n_followers``, ``share``.

    Examples
    --------
    >>> from policydiffusion.datasets import spid_study
    >>> f = follow_neighbor_share(spid_study(policies=["antibully"]))
    >>> f[["n_adopters", "n_followers"]].values.tolist()
    [[50, 37]]
    """
    st = as_study(study)
    edges = NeighbourEdges(st, relation)
    rows = []
    for pt in policy_times_many(st, policy_list(st, policy)):
        n_ad, n_f = edges.followers(pt)
        share = edges.share(pt, n_f)
        rows.append((pt.policy, relation, n_ad, n_f, np.nan if share is None else share))
    return pd.DataFrame(rows, columns=["policy", "relation", "n_adopters", "n_followers", "share"])


class NeighbourEdges:
    """A relation's edges as unit-index arrays, for :meth:`followers`."""

    def __init__(self, study, relation: str) -> None:
        rel = study.relation(relation)
        idx = {u: i for i, u in enumerate(study.unit_ids)}
        e = rel.edges
        self.src = np.array([idx[u] for u in e.get_column("source")], int)
        self.tgt = np.array([idx[u] for u in e.get_column("target")], int)
        self.eper = np.array([np.nan if v is None else v for v in e.get_column("period")], float)

    def followers(self, pt: PolicyTimes) -> tuple[int, int]:
        """(adopters, adopters that follow a neighbour) of one policy (see
        :func:`follow_neighbor_share`).

        Examples
        --------
        >>> from policydiffusion.datasets import spid_study
        >>> s = spid_study(policies=["antibully"])
        >>> NeighbourEdges(s, "contiguity").followers(policy_times(s, "antibully"))
        (50, 37)
        """
        a = pt.adopt
        src, tgt = self.src, self.tgt
        in_force = np.isnan(self.eper) | (self.eper == a[src])
        earlier = a[tgt] < a[src]  # NaN comparisons are False
        follows = np.zeros(a.size, bool)
        follows[src[in_force & earlier]] = True
        return pt.n_adopters, int((follows & pt.adopted).sum())

    def share(self, pt: PolicyTimes, n_followers: int | None = None) -> float | None:
        """The follow-a-neighbour share of one policy, or None where it is undefined:
        no adopter, or every adoption in one period (nobody could follow anyone: the
        share would be 0 by construction, not by the data). ``n_followers``: from
        :meth:`followers` when already counted.

        Examples
        --------
        >>> from policydiffusion.datasets import spid_study
        >>> s = spid_study(policies=["antibully", "commercial real estate receivership act"])
        >>> e = NeighbourEdges(s, "contiguity")
        >>> e.share(policy_times(s, "antibully")), e.share(policy_times(s, "commercial real estate receivership act"))
        (0.74, None)
        """
        if not pt.n_adopters or pt.first == pt.last:
            return None
        if n_followers is None:
            n_followers = self.followers(pt)[1]
        return float(n_followers / pt.n_adopters)
