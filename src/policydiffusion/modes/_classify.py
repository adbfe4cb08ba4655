"""Label each policy's diffusion mode from its evidence, by documented rules."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Sequence

import pandas as pd
import polars as pl

from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.modes._evidence import evidence_table
from policydiffusion.study import Study, hierarchy, read_pilots
from policydiffusion.study._read import TableLike

__all__ = ["ModeRules", "ModesResult", "classify_modes", "MODES", "MODE_LABELS_ZH"]

MODES = ("top-down", "pilot-then-promote", "bottom-up", "horizontal", "undetermined")
#: Chinese names of the modes (Wang Puyu et al. 2013's terms).
MODE_LABELS_ZH = {"top-down": "自上而下", "pilot-then-promote": "试点推广",
                  "bottom-up": "自下而上（吸纳—辐射）", "horizontal": "横向扩散",
                  "undetermined": "未定"}
_NO_LOWER = "no lower-level adopters: the mode cannot be measured"
_COUNTS = ("central_period", "first_period", "n_lower_units", "n_lower_adopters", "n_before",
           "n_pilots", "n_pilots_named_before", "n_pilots_adopted_before", "n_pilots_named_after",
           "events_before", "exposure_before", "events_after", "exposure_after", "periods_to_half")


@dataclass(frozen=True, kw_only=True)
class ModeRules:
    """Thresholds of the mode rules (METHODS 5.24); every one is an option.

    Attributes
    ----------
    top_down_max_share : float
        Top-down when at most this share of the lower-level adopters adopted before the
        central adoption (Hu et al.'s timing rule: local documents follow the central
        one) and the hazard rises at the central date. Default 0.10.
    bottom_up_min_share : float
        Bottom-up ("absorb, then radiate") when at least this share adopted before the
        central adoption, without pilots that did, and the hazard rises at the central
        date. Default 0.25.
    promote_min_share_after : float
        Pilot-then-promote when pilots named by the centre adopted before the central
        adoption and at least this share of the lower-level adoptions follow it.
        Default 0.5.
    min_pilots_adopted : int
        Pilots that must have been designated and adopted before the central
        adoption. Default 1.
    hazard_rise : str
        When the hazard "rises" at the central date (Zhu & Zhang 2016's regime break):
        ``"ci"`` (default): the lower confidence limit of the hazard ratio after / before
        exceeds 1; ``"point"``: the ratio exceeds 1. With no lower-level adoption before
        the central date and some after, the hazard rises from zero (ratio unbounded);
        where the centre adopted first (no lower-level time at risk before it) there is
        no ratio, and the reason says the label rests on the timing alone.
    horizontal_min_clustering : float
        Without a central adoption: horizontal when the lower-level adopters share a
        parent this many times as often as adopters drawn at random would. Default 1.5.
    horizontal_max_p : float
        ... and when so many same-parent pairs are unlikely by chance: the exact
        probability of at least as many among adopters drawn at random within each
        level (``clustering_p``) is at most this. Default 0.05. (Three adopters under
        one of two parents is 1.5 times random at p = 0.1: not a pattern.)
    min_adopters : int
        Fewest lower-level adopters for a horizontal label. Default 3.
    """

    top_down_max_share: float = 0.10
    bottom_up_min_share: float = 0.25
    promote_min_share_after: float = 0.5
    min_pilots_adopted: int = 1
    hazard_rise: str = "ci"
    horizontal_min_clustering: float = 1.5
    min_adopters: int = 3
    horizontal_max_p: float = 0.05

    def check(self) -> None:
        check_choice("hazard_rise", self.hazard_rise, ("ci", "point"))
        for name in ("top_down_max_share", "bottom_up_min_share", "promote_min_share_after",
                     "horizontal_max_p"):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not 0 <= v <= 1:
                raise InvalidOptionError(f"{name} must be a share between 0 and 1; got {v!r}.")
        if self.top_down_max_share >= self.bottom_up_min_share:
            raise InvalidOptionError("top_down_max_share must be below bottom_up_min_share.")


@dataclass(frozen=True)
class ModesResult:
    """The mode of each policy with its evidence.

    ``table`` (also :meth:`tidy`) has one row per policy (per policy and upper unit when
    several units play the centre): ``policy``, ``mode``,
    ``reason`` (the rule that fired, with its numbers) and the evidence columns
    documented in :func:`classify_modes`. ``exclusions`` counts what was left out, with
    the reason: policies whose mode could not be measured, adoptions by units of
    levels the analysis leaves out.
    """

    table: pd.DataFrame
    rules: ModeRules
    central_level: str
    lower_levels: tuple[str, ...]
    exclusions: pd.DataFrame = field(repr=False)
    confidence: float = 0.95

    @property
    def by_unit(self) -> bool:
        """True when there are several upper units (one row per policy and upper unit)."""
        return self.table["central_unit"].nunique() > 1

    def tidy(self) -> pd.DataFrame:
        """One row per policy: mode, reason and evidence."""
        return self.table.copy()

    def summary(self) -> str:
        """A few lines: the count of each mode and one line per policy (per policy and upper
        unit with lower-level adopters, when several units play the centre)."""
        counts = self.table["mode"].value_counts()
        lines = [f"Diffusion modes ({self.central_level} over {', '.join(self.lower_levels)}): "
                 + ", ".join(f"{m} {counts.get(m, 0)}" for m in MODES if counts.get(m, 0))]
        by_unit = self.by_unit  # a pass over the table: once, not per row
        for r in self.table.itertuples():
            if by_unit and not r.n_lower_adopters:
                continue  # counted under "left out" below
            hr = ("HR n/a" if r.hazard_ratio is None or pd.isna(r.hazard_ratio)
                  else f"HR {r.hazard_ratio:.2f} [{r.hazard_ratio_low:.2f}, {r.hazard_ratio_high:.2f}]")
            share = "-" if pd.isna(r.share_before) else f"{r.share_before:.2f}"
            who = f"{r.policy} @ {r.central_unit}" if by_unit else r.policy
            lines.append(f"  {who}: {r.mode} ({self.central_level} {r.central_time or 'none'}; "
                         f"{r.n_lower_adopters} lower adopters, share before {share}; {hr})")
        for r in self.exclusions.itertuples():
            lines.append(f"  left out: {r.count} ({r.reason})")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        """``{"policies": [...], "rules": ..., ...}`` for JSON (None for missing values)."""
        recs = []
        for rec in self.table.to_dict(orient="records"):
            recs.append({k: _plain(v) for k, v in rec.items()})
        return {"policies": recs, "rules": asdict(self.rules), "central_level": self.central_level,
                "lower_levels": list(self.lower_levels), "confidence": self.confidence,
                "exclusions": self.exclusions.to_dict(orient="records")}


def _plain(v: object) -> object:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        v = v.item()  # numpy scalars
        if isinstance(v, float) and math.isnan(v):
            return None
    return v


def classify_modes(study: Study, *, pilots: TableLike | pl.DataFrame | None = None,
                   levels: Sequence[str] | None = None, central_level: str | None = None,
                   lower_levels: Sequence[str] | None = None, rules: ModeRules | None = None,
                   level_col: str = "level", confidence: float = 0.95) -> ModesResult:
    """Measure how each policy spread through a multi-level state and label the mode.

    The modes are Wang Puyu et al.'s (2013) four, plus ``undetermined``:
    ``top-down`` (the centre adopts, localities follow), ``pilot-then-promote``
    (pilots named by the centre adopt, then the centre adopts and the rest follow),
    ``bottom-up`` (localities adopt first, the centre absorbs the innovation and it
    radiates) and ``horizontal`` (no central adoption; adoption clustered among
    same-parent peers). The rules and thresholds are :class:`ModeRules` (METHODS 5.24).

    Evidence per policy (lower-level units: all units below ``central_level`` unless
    ``lower_levels`` names some; periods at the study's granularity):

    - ``central_period`` / ``central_time``: the central adoption C (null: none).
    - ``n_lower_adopters``; ``share_before``: the share of them that adopted strictly
      before C (same-period adopters count as following).
    - ``n_pilots``, ``n_pilots_named_before`` (designated before C),
      ``n_pilots_adopted_before`` (pilots designated and adopting before C: the pilots
      that can have led the centre), ``n_pilots_named_after`` (designated in or after
      the period of C: not counted as leading it; each is also counted in
      ``exclusions``).
    - ``hazard_ratio`` (with ``hazard_ratio_low/high`` at ``confidence`` and
      ``log_hr_se``): lower-level hazard after / before C from a piecewise-constant
      hazard model with a break at C (Zhu & Zhang 2016), on the unit-periods at risk
      from the policy's first adoption (any level) to the end of observation;
      ``events_before/after`` and ``exposure_before/after`` are its data. Null when a
      piece has no event or no time at risk.
    - ``periods_to_half``: periods from C until half of the lower-level adopters had
      adopted (negative: half had adopted before C).
    - ``within_parent_clustering``: same-parent pairs among the lower-level adopters,
      observed / expected under random adopters (1 = no clustering); ``clustering_p``:
      the exact chance of at least as many pairs among adopters drawn at random within
      each level (computed where there is no central adoption, the rules' only use, and
      the computation is small enough: not for hundreds of adopters in large groups,
      where the reason says the ratio alone decided).

    A policy without lower-level adopters is ``undetermined`` and counted in
    ``exclusions``, as are adoptions by units of levels left out of ``lower_levels``
    (two adoptions of one policy by one unit are an error of the study data).

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> units = pd.DataFrame({"unit": ["C", "P", "A", "B", "D"],
    ...                       "level": ["central", "province", "city", "city", "city"],
    ...                       "parent": [None, "C", "P", "P", "P"]})
    >>> adopt = pd.DataFrame({"policy": ["p"] * 4, "unit": ["C", "A", "B", "D"],
    ...                       "time": [2001, 2002, 2002, 2003]})
    >>> res = classify_modes(load_study(adopt, units=units, end=2004))
    >>> res.tidy()[["policy", "mode", "share_before"]].values.tolist()
    [['p', 'top-down', 0.0]]
    """
    rules = rules or ModeRules()
    rules.check()
    h = hierarchy(study, levels=levels, level_col=level_col)
    central_level = central_level or h.levels[0]
    top = h.rank(central_level)
    lower = list(lower_levels) if lower_levels is not None else list(h.levels[top + 1:])
    for lv in lower:
        if h.rank(lv) <= top:
            raise InvalidOptionError(f"lower level {lv!r} is not below the central level "
                                     f"{central_level!r}; levels top to bottom: {list(h.levels)}.")
    if not lower:
        raise InvalidOptionError(f"no level below {central_level!r}; levels: {list(h.levels)}.")
    if pilots is not None and not (isinstance(pilots, pl.DataFrame)
                                   and {"policy", "unit", "period"} <= set(pilots.columns)):
        pilots = read_pilots(pilots, study)
    ev = evidence_table(study, h, central_level=central_level, lower_levels=lower,
                        pilots=pilots, level=confidence).to_pandas()
    ev["central_time"] = [None if pd.isna(c) else study.label(int(c)) for c in ev["central_period"]]
    labels = [_label(r, rules) for r in ev.to_dict(orient="records")]
    ev.insert(1, "mode", [m for m, _ in labels])
    ev.insert(2, "reason", [why for _, why in labels])
    order = ["policy", "mode", "reason", "central_unit", "central_period", "central_time",
             "first_period", "n_lower_units", "n_lower_adopters", "n_before", "share_before",
             "n_pilots", "n_pilots_named_before", "n_pilots_adopted_before",
             "n_pilots_named_after", "hazard_ratio",
             "hazard_ratio_low", "hazard_ratio_high", "log_hr_se", "events_before",
             "exposure_before", "events_after", "exposure_after", "periods_to_half",
             "within_parent_clustering", "clustering_p"]
    table = ev[order].astype(object).where(ev[order].notna(), None)
    for c in _COUNTS:  # whole numbers stay whole (polars nulls made them floats)
        table[c] = pd.Series([None if v is None else int(v) for v in table[c]], dtype=object,
                             index=table.index)
    none = table[[not k for k in table["n_lower_adopters"]]]  # _mode's test for unmeasured
    rows = [(_NO_LOWER, len(none), ", ".join(none["policy"].head(5)))] if len(none) else []
    level_of = h.level_of()
    used = {central_level, *lower}
    other = [(p, u) for p, u in study.adoptions.select("policy", "unit").rows()
             if level_of.get(u) not in used]
    if other:
        rows.append((f"adoption by a unit at a level the analysis excludes (not {central_level!r} "
                     f"or {', '.join(map(repr, lower))})", len(other),
                     ", ".join(f"{p}/{u}" for p, u in other[:5])))
    late = [(p, u) for p, us in zip(ev["policy"], ev["pilots_named_after"]) for u in us]
    if late:
        rows.append(("pilot designated in or after the period of the central adoption: not "
                     "counted as a pilot that led it", len(late),
                     ", ".join(f"{p}/{u}" for p, u in late[:5])))
    excl = pd.DataFrame(rows, columns=["reason", "count", "examples"])
    return ModesResult(table.reset_index(drop=True), rules, central_level, tuple(lower), excl,
                       confidence)


def _label(r: dict, rules: ModeRules) -> tuple[str, str]:
    mode, why = _mode(r, rules)
    late = r["n_pilots_named_after"]
    if late:  # the report counts them among the pilots: only the reason says they led nothing
        why += (f"; {late} pilot(s) designated in or after the period of the central adoption "
                "not counted as leading it")
    return mode, why


def _mode(r: dict, rules: ModeRules) -> tuple[str, str]:
    k = r["n_lower_adopters"]
    if not k:
        return "undetermined", _NO_LOWER
    clus, p = r["within_parent_clustering"], r.get("clustering_p")
    if r["central_period"] is None or pd.isna(r["central_period"]):
        defined = clus is not None and not pd.isna(clus)
        big = p is None or pd.isna(p)  # too many adopters for the exact p (see _P_WORK)
        if k >= rules.min_adopters and defined and clus >= rules.horizontal_min_clustering \
                and (big or p <= rules.horizontal_max_p + 1e-12):  # exact 0.1 is 0.1000...02
            test = (f"exact p not computed for {k} adopters: the ratio alone" if big else
                    f"exact p = {p:.3g} <= {rules.horizontal_max_p}")
            return "horizontal", (f"no central adoption; {k} lower-level adopters cluster within "
                                  f"parents ({clus:.2f} >= {rules.horizontal_min_clustering} x random, "
                                  f"{test})")
        why = "too few adopters" if k < rules.min_adopters else (
            "clustering n/a" if not defined else
            f"within-parent clustering {clus:.2f} < {rules.horizontal_min_clustering}"
            if clus < rules.horizontal_min_clustering else
            f"within-parent clustering {clus:.2f} could be chance: exact p = {p:.3g} > "
            f"{rules.horizontal_max_p}")
        return "undetermined", f"no central adoption and no horizontal pattern ({why})"
    share = r["share_before"]
    rise, rise_text = _rises(r, rules)
    piloted = r["n_pilots_adopted_before"] >= rules.min_pilots_adopted
    after = (k - r["n_before"]) / k  # from the counts: 1 - 0.8 is 0.19999999999999996
    if piloted and after >= rules.promote_min_share_after:
        return "pilot-then-promote", (f"{r['n_pilots_adopted_before']} pilot(s) adopted before the "
                                      f"central adoption and {after:.2f} of adoptions follow it")
    if share <= rules.top_down_max_share and rise:
        return "top-down", (f"share before the central adoption {share:.2f} <= "
                            f"{rules.top_down_max_share} and {rise_text}")
    if share >= rules.bottom_up_min_share and rise and not piloted:
        return "bottom-up", (f"share before the central adoption {share:.2f} >= "
                             f"{rules.bottom_up_min_share} and {rise_text}")
    return "undetermined", f"share before {share:.2f}; {rise_text}"


def _rises(r: dict, rules: ModeRules) -> tuple[bool, str]:
    d0, d1 = r["events_before"], r["events_after"]
    if not d1:
        return False, "no lower-level adoption after the central date"
    if not r["exposure_before"]:  # no "before" to compare: the timing alone speaks
        return True, ("no lower-level time at risk before the central date (the centre adopted "
                      "first), so no hazard ratio; every lower-level adoption follows it")
    if not d0:
        return True, "the hazard rises from zero (no lower-level adoption before the central date)"
    hr, lo = r["hazard_ratio"], r["hazard_ratio_low"]
    if hr is None or pd.isna(hr):
        return False, "hazard ratio not estimable"
    if rules.hazard_rise == "ci":
        return bool(lo > 1), f"hazard ratio {hr:.2f} (lower limit {lo:.2f} {'>' if lo > 1 else '<='} 1)"
    return bool(hr > 1), f"hazard ratio {hr:.2f} {'>' if hr > 1 else '<='} 1"
