"""The ``[effects]`` step: what each policy achieved where it spread, and its report section.

The event study, the benefit components and the effects by adoption order come from
:mod:`policydiffusion.effects`; the process components beside them from
:func:`policydiffusion.curves.diffusion_index` on the study's own adoption records.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

import pandas as pd

from policydiffusion.errors import PolicyDiffusionError, StudyDataError, StudyFileError
from policydiffusion.report.document import Paragraph, Section, frame_table
from policydiffusion.report.i18n import TEXT, tr

if TYPE_CHECKING:
    from policydiffusion.study import Study
    from policydiffusion.studyfile import StudyFile

__all__ = ["EffectsOutput", "effects_step", "effects_json", "effects_report_section"]

TEXT.update({
    "effects.source.hsiang_china": {
        "en": "Outcome panel: the daily growth rate of active COVID-19 cases in {n} Chinese "
              "cities ({rows} city-days), prepared as Hsiang et al. (2020, Nature 584: 262-267) "
              "do (their CHN_adm2.do: quality cut-offs, testing-regime-change day dummies, city "
              "fixed effects, standard errors clustered by day); the measures start on the days "
              "their indicator switches on. Benefit = a lower growth rate.",
        "zh": "结果面板：{n} 个中国城市（{rows} 个城市-日）新冠现存确诊病例的日增长率，按 Hsiang 等"
              "（2020，《Nature》584 卷 262–267 页）的做法整理（其 CHN_adm2.do：数据质量筛选、检测口径"
              "变更日虚拟变量、城市固定效应、按日聚类的标准误）；各措施以其指标首次为 1 的日期为起点。"
              "效益 = 增长率下降。"},
    "effects.source.file": {
        "en": "Outcome panel: {outcome} in {file} ({n} units, {rows} unit-periods); "
              "benefit = {direction} of the outcome.",
        "zh": "结果面板：{file} 中的 {outcome}（{n} 个单位，{rows} 个单位-时期）；效益 = 结果{direction}。"},
    "effects.direction.increase": {"en": "an increase", "zh": "上升"},
    "effects.direction.decrease": {"en": "a decrease", "zh": "下降"},
    "effects.published": {"en": "Event study: ours beside the published estimates",
                          "zh": "事件研究：本工具估计与已发表估计对照"},
    "effects.excluded": {"en": "Rows the sample rules removed: {items}.",
                         "zh": "样本规则剔除的行（原因为英文）：{items}。"},
    "effects.window": {"en": "Benefit components over event time {lo} to {hi}.",
                       "zh": "效益指标的事件时间窗口：{lo} 至 {hi}。"},
    "effects.not_estimable": {"en": "Not estimable from these data: {items}.",
                              "zh": "数据无法识别（原因为英文）：{items}。"},
    "effects.missing": {"en": "The [effects] table was not run: {why}",
                        "zh": "未运行 [effects]（政策效果）：{why}"},
    "col.ours": {"en": "Ours", "zh": "本工具"},
    "col.ours_se": {"en": "Ours (SE)", "zh": "本工具（标准误）"},
    "col.published": {"en": "Published", "zh": "已发表"},
    "col.published_se": {"en": "Published (SE)", "zh": "已发表（标准误）"},
})


@dataclass(frozen=True)
class EffectsOutput:
    """One ``[effects]`` run: the event study, ours beside published, the benefit and
    process components joined in the evaluation index, and effects by adoption order."""

    event_study: object  # policydiffusion.effects.EventStudyResult; None: not run (source["missing"])
    source: Mapping[str, object]  # what the panel was (for the report's words)
    published: pd.DataFrame | None = None  # term, estimate, std_error, published, published_se
    benefits: pd.DataFrame | None = None
    index: pd.DataFrame | None = None
    links: tuple = ()  # (label, policy, HeterogeneityResult)
    not_estimable: tuple = ()  # (label, policy, reason) of links the data cannot identify

    def tidy(self) -> pd.DataFrame:
        """The event-study estimates (``term``, ``estimate``, ``std_error``, ...)."""
        return self.event_study.tidy()  # type: ignore[attr-defined]


def _panel(sf: "StudyFile", study: "Study") -> tuple[pd.DataFrame, pd.DataFrame, dict, dict]:
    """The panel, the adoptions, the event-study options and the source description."""
    e = sf.effects
    if e.panel == "hsiang_china":
        from policydiffusion.effects import HSIANG_BINS, hsiang_china_panel

        h = hsiang_china_panel()
        kw = dict(outcome="growth", unit="city", time="date", bins=HSIANG_BINS,
                  controls=h.controls, absorb=None, cluster="date")
        adoptions = h.adoptions
        source = {"kind": "hsiang_china", "exclusions": dict(h.exclusions), "benefit": "decrease",
                  "published": _shipped_published()}
        panel = h.panel
    else:
        path = _resolve(sf, e.panel)
        panel = pd.read_csv(path)
        kw = dict(outcome=e.outcome, unit=e.unit, time=e.time, bins=e.bins, controls=(),
                  absorb=None, cluster=None)
        adoptions = (study.adoptions.to_pandas()[["policy", "unit", "time"]]  # type: ignore[attr-defined]
                     if e.adoptions == "study" else pd.read_csv(_resolve(sf, e.adoptions)))
        if e.dates:
            panel[e.time] = pd.to_datetime(panel[e.time])
            adoptions["time"] = pd.to_datetime(adoptions["time"])
        elif e.time in panel.columns and pd.api.types.is_numeric_dtype(panel[e.time]):
            # the study keeps each time as the text it was read from ("2003")
            adoptions["time"] = pd.to_numeric(adoptions["time"], errors="raise")
        source = {"kind": "file", "file": Path(e.panel).name, "benefit": e.benefit, "published": None}
    given = sf.raw.get("effects", {})
    for k in ("outcome", "unit", "time", "bins", "controls", "absorb", "cluster"):
        if k in given:  # keys written in the study file win over a shipped panel's
            kw[k] = getattr(e, k)
    if "benefit" in given:
        source["benefit"] = e.benefit
    if e.published is not None:
        source["published"] = pd.read_csv(e.published)
    if e.policies:
        adoptions = adoptions[adoptions["policy"].isin(e.policies)]
    return panel, adoptions, kw, source


def _resolve(sf: "StudyFile", value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else sf.path.parent / p


def _shipped_published() -> pd.DataFrame:
    """The published China estimates (Hsiang et al. 2020, Figure2_data.csv; dataset folder)."""
    from importlib.resources import files

    res = files("policydiffusion.datasets").joinpath("data").joinpath(
        "china_covid_outcomes").joinpath("hsiang2020_published.csv")
    with res.open("r", encoding="utf-8") as fh:
        pub = pd.read_csv(fh)
    return pub.rename(columns={"policy": "term", "beta": "estimate", "se": "std_error"})


def _window(bins) -> tuple[int, int]:
    after = [b for b in bins if b[0] >= 0] or list(bins)
    return (min(b[0] for b in after), max(b[1] for b in after))


def effects_step(study: "Study", sf: "StudyFile") -> EffectsOutput | None:
    """Estimate what the ``[effects]`` table asks for (None without one)."""
    e = sf.effects
    if e is None or not e.enabled:
        return None

    from policydiffusion.effects import MissingDependencyError

    try:
        with warnings.catch_warnings():  # pandas' column-insert notices from the design builder
            warnings.simplefilter("ignore", pd.errors.PerformanceWarning)
            return _estimate(study, sf)
    except MissingDependencyError as exc:  # an optional extra: the rest of the run stands
        return EffectsOutput(event_study=None, source={"kind": e.panel, "missing": str(exc)})
    except (PolicyDiffusionError, KeyError, ValueError, TypeError) as exc:
        raise StudyFileError(f"{sf.where(('effects',))}: {exc}") from None


def _estimate(study: "Study", sf: "StudyFile") -> EffectsOutput:
    from policydiffusion.effects import (adoption_order, benefit_components, effect_heterogeneity,
                                         evaluation_index, event_study)

    e = sf.effects
    panel, adoptions, kw, source = _panel(sf, study)
    res = event_study(panel, adoptions, **kw)
    out = EffectsOutput(event_study=res, source={**source, "n_units": int(panel[kw["unit"]].nunique()),
                                                 "rows": res.n_obs, "outcome": kw["outcome"]})
    pub = source.get("published")
    if pub is not None:
        ours = res.tidy()[["term", "estimate", "std_error"]]
        both = ours.merge(pub[["term", "estimate", "std_error"]].rename(
            columns={"estimate": "published", "std_error": "published_se"}), on="term", how="left")
        out = replace(out, published=both)
    common = {k: kw[k] for k in ("outcome", "unit", "time", "controls", "absorb", "cluster")}
    if e.benefits:
        window = e.window[0] if e.window else _window(kw["bins"])
        ben = benefit_components(panel, adoptions, window=window, benefit=str(source["benefit"]),
                                 **common)
        out = replace(out, benefits=ben, index=evaluation_index(
            _process(study, sf, list(ben["policy"])), ben, weights=dict(e.weights) or None),
            source={**out.source, "window": window})
    links, skipped = [], []
    if "adoption_order" in e.links:
        order = adoption_order(adoptions, unit=kw["unit"], time=kw["time"])
        for pol in pd.unique(adoptions["policy"]):
            try:
                links.append(("adoption_order", str(pol), effect_heterogeneity(
                    panel, adoptions, policy=str(pol), moderator=order, column="z",
                    bins=kw["bins"], **common)))
            except StudyDataError as exc:  # e.g. one adoption date for all: said, not dropped
                skipped.append(("adoption_order", str(pol), str(exc).splitlines()[-1].strip()))
    return replace(out, links=tuple(links), not_estimable=tuple(skipped))


def _process(study: "Study", sf: "StudyFile", policies: list[str]) -> pd.DataFrame:
    """Process components of the policies the study has records of (others stay missing)."""
    from policydiffusion.curves import diffusion_index

    known = [p for p in policies if p in study.policy_ids]
    if not known:
        return pd.DataFrame({"policy": policies})
    rel = sf.describe.morans_i
    rel = rel if rel in getattr(study, "relations", {}) else None
    return diffusion_index(study, known, relation=rel)


def effects_json(out: EffectsOutput) -> dict:
    """The ``_effects`` entry of results.json."""
    def records(df: pd.DataFrame | None) -> list | None:
        return None if df is None else df.to_dict(orient="records")

    res = out.event_study
    if res is None:
        return {"skipped": out.source["missing"]}
    return {"estimates": records(out.tidy()), "n_obs": res.n_obs,  # type: ignore[attr-defined]
            "n_clusters": res.n_clusters, "exclusions": dict(res.exclusions),  # type: ignore[attr-defined]
            "source": {k: v for k, v in out.source.items() if k != "published"},
            "published": records(out.published), "benefits": records(out.benefits),
            "index": records(out.index),
            "links": [{"moderator": label, "policy": pol, "test": h.test(),
                       "estimates": records(h.tidy())} for label, pol, h in out.links],
            "links_not_estimable": [{"moderator": label, "policy": pol, "reason": why}
                                    for label, pol, why in out.not_estimable]}


_INDEX_COLUMNS = ("policy", "breadth", "speed", "depth", "clustering", "hierarchy",
                  "average_effect", "average_benefit", "significant_share", "dispersion",
                  "consistency", "process_index", "benefit_index", "index")


def effects_report_section(out: EffectsOutput | None, fmt_num) -> Section | None:
    """The report section (:func:`policydiffusion.report.effects_section.effects_section`),
    headed by where the panel came from and, where there are published estimates, ours
    beside them."""
    if out is None:
        return None
    from policydiffusion.report.effects_section import effects_section

    src = out.source
    if out.event_study is None:  # nothing estimated: say why, show no number
        return Section("effects", {"en": "Policy effects", "zh": "政策效果"}, (Paragraph(
            {lang: tr("effects.missing", lang, why=src["missing"]) for lang in ("en", "zh")}),))
    words = {}
    for lang in ("en", "zh"):
        if src["kind"] == "hsiang_china":
            text = tr("effects.source.hsiang_china", lang, n=src["n_units"], rows=f"{src['rows']:,}")
        else:
            text = tr("effects.source.file", lang, outcome=src["outcome"], file=src["file"],
                      n=src["n_units"], rows=f"{src['rows']:,}",
                      direction=tr(f"effects.direction.{src['benefit']}", lang))
        if src.get("exclusions"):
            text += " " + tr("effects.excluded", lang, items=", ".join(
                f"{k} {v:,}" for k, v in src["exclusions"].items()))
        if out.not_estimable:
            text += " " + tr("effects.not_estimable", lang, items="; ".join(
                f"{label} ({pol}): {why}" for label, pol, why in out.not_estimable))
        if src.get("window"):
            text += " " + tr("effects.window", lang, lo=src["window"][0], hi=src["window"][1])
        words[lang] = text
    index = None
    if out.index is not None:  # the components and the three indices; the rest is in results.json
        keep = [c for c in _INDEX_COLUMNS if c in out.index.columns and out.index[c].notna().any()]
        index = out.index[keep]
    sec = effects_section(out.event_study, heterogeneity=[(f"{label} ({pol})", h)
                                                          for label, pol, h in out.links],
                          index=index)
    items = list(sec.items)
    items.insert(1, Paragraph(words))
    if out.published is not None:
        pub = out.published

        def frame(lang: str) -> pd.DataFrame:
            return pd.DataFrame({
                tr("col.term", lang): pub["term"],
                tr("col.ours", lang): [fmt_num(v, 3) for v in pub["estimate"]],
                tr("col.ours_se", lang): [fmt_num(v, 3) for v in pub["std_error"]],
                tr("col.published", lang): [fmt_num(v, 3) for v in pub["published"]],
                tr("col.published_se", lang): [fmt_num(v, 3) for v in pub["published_se"]]})

        items.insert(2, frame_table("effects_published", {lang: tr("effects.published", lang)
                                                          for lang in ("en", "zh")}, frame))
    return replace(sec, items=tuple(items))
