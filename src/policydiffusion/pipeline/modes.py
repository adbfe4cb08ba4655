"""The ``[modes]`` step: diffusion modes of each policy, and their report section."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from policydiffusion.errors import PolicyDiffusionError, StudyFileError
from policydiffusion.report.document import Paragraph, Section, frame_table
from policydiffusion.report.i18n import TEXT, tr

if TYPE_CHECKING:
    from policydiffusion.modes import ModesResult
    from policydiffusion.pipeline.state import RunState
    from policydiffusion.study import Study
    from policydiffusion.studyfile import StudyFile

__all__ = ["modes_step", "modes_section", "modes_json"]

# The report's words for this section live with it (both languages; the i18n test
# checks every key of TEXT has both).
TEXT.update({
    "heading.modes": {"en": "Diffusion modes across levels", "zh": "多层级扩散模式"},
    "dataset.china_prefectures_covid": {
        "en": "china_prefectures_covid (real COVID-19 measures, 2020; gpl-covid)",
        "zh": "china_prefectures_covid（真实的 2020 年新冠防控措施；gpl-covid）"},
    "modes.intro": {
        "en": "Each policy's mode follows the documented rules of policydiffusion.modes "
              "(METHODS 5.24; Wang Puyu et al. 2013's four modes, Hu et al.'s timing rules, "
              "Zhu & Zhang 2016's hazard break at a central event): {centre} over {lower}. "
              "Share before: lower-level adopters that adopted before the {centre} adoption; "
              "HR: lower-level hazard after / before that date (piecewise-constant hazard, "
              "{conf}% CI); clustering: same-parent pairs among adopters, observed / expected "
              "at random.",
        "zh": "各政策的扩散模式依据 policydiffusion.modes 中公开的判定规则（方法 5.24；Wang Puyu 等 "
              "2013 年的四种模式、胡等的时序规则、朱旭峰和张友浪 2016 年以中央事件为风险断点）："
              "上级为 {centre}，下级为 {lower}。“之前比例”：在上级采纳之前采纳的下级单位占全部"
              "下级采纳者的比例；HR：该日期之后与之前的下级采纳风险之比（分段常数风险模型，"
              "{conf}% 置信区间）；聚集度：采纳者中同属一个上级的配对数，实际值与随机期望之比。"},
    "modes.table": {"en": "Diffusion mode of each policy", "zh": "各政策的扩散模式"},
    "modes.reasons": {"en": "The rule behind each label is in modes.json (field reason).",
                      "zh": "各模式的判定依据见 modes.json 的 reason 字段（英文）。"},
    "mode.top-down": {"en": "top-down", "zh": "自上而下"},
    "mode.pilot-then-promote": {"en": "pilot-then-promote", "zh": "试点推广"},
    "mode.bottom-up": {"en": "bottom-up (absorb, then radiate)", "zh": "自下而上（吸纳—辐射）"},
    "mode.horizontal": {"en": "horizontal", "zh": "横向扩散"},
    "mode.undetermined": {"en": "undetermined", "zh": "未定"},
    "col.mode": {"en": "Mode", "zh": "扩散模式"},
    "col.upper_unit": {"en": "Upper unit", "zh": "上级单位"},
    "col.central_time": {"en": "Upper-level adoption", "zh": "上级采纳时间"},
    "col.lower_adopters": {"en": "Lower-level adopters", "zh": "下级采纳数"},
    "col.share_before": {"en": "Share before", "zh": "之前比例"},
    "col.pilots_before": {"en": "Pilots adopting before", "zh": "先行采纳的试点"},
    "col.hazard_ratio": {"en": "HR after/before [CI]", "zh": "风险比（后/前）[置信区间]"},
    "col.periods_to_half": {"en": "Periods to half", "zh": "达半数所需期数"},
    "col.clustering": {"en": "Clustering", "zh": "聚集度"},
})


def modes_step(study: "Study", sf: "StudyFile") -> "ModesResult | None":
    """Classify the modes the ``[modes]`` table asks for (None without one)."""
    spec = sf.modes
    if spec is None or not spec.enabled:
        return None
    from policydiffusion.modes import ModeRules, classify_modes

    try:
        from policydiffusion.study import read_pilots

        target = study.select_policies(list(spec.policies)) if spec.policies else study
        # the pilots file is read as the study's own tables are (dates, encoding)
        pilots = None if spec.pilots is None else read_pilots(
            str(spec.pilots), target, date_format=sf.data.date_format, encoding=sf.data.encoding)
        return classify_modes(target, pilots=pilots,
                              central_level=spec.central_level,
                              lower_levels=list(spec.lower_levels) if spec.lower_levels else None,
                              rules=ModeRules(**dict(spec.options)))
    except (PolicyDiffusionError, TypeError) as exc:
        raise StudyFileError(f"{sf.where(('modes',))}: {exc}") from None


def modes_json(result: "ModesResult") -> dict:
    """The modes as written to ``modes.json`` (``{"policies": [...], ...}``)."""
    return result.to_dict()


def modes_section(state: "RunState", policy_label, fmt_num) -> Section | None:
    """The report section: one row per policy with its mode and the evidence."""
    res = state.modes
    if res is None:
        return None
    digits = state.sf.report.digits
    t = res.tidy()
    names = {u: n for u, n in zip(state.study.units["unit"], state.study.units["name"])}
    names_zh = ({u: n for u, n in zip(state.study.units["unit"], state.study.units["name_zh"])}
                if "name_zh" in state.study.units.columns else names)

    def frame(lang: str) -> pd.DataFrame:
        nm = names_zh if lang == "zh" else names
        hr = [("" if r.hazard_ratio is None else
               f"{fmt_num(r.hazard_ratio, 2)} [{fmt_num(r.hazard_ratio_low, 2)}, "
               f"{fmt_num(r.hazard_ratio_high, 2)}]") for r in t.itertuples()]
        out = {tr("col.policy", lang): [policy_label(state, p, lang) for p in t["policy"]]}
        if res.by_unit:
            out[tr("col.upper_unit", lang)] = [nm.get(u, u) for u in t["central_unit"]]
        out.update({
            tr("col.mode", lang): [tr(f"mode.{m}", lang) for m in t["mode"]],
            tr("col.central_time", lang): [c or "" for c in t["central_time"]],
            tr("col.lower_adopters", lang): [str(n) for n in t["n_lower_adopters"]],
            tr("col.share_before", lang): [fmt_num(v, digits) for v in t["share_before"]],
            tr("col.pilots_before", lang): [f"{a}/{n}" if n else "" for a, n in
                                            zip(t["n_pilots_adopted_before"], t["n_pilots"])],
            tr("col.hazard_ratio", lang): hr,
            tr("col.periods_to_half", lang): [fmt_num(v) for v in t["periods_to_half"]],
            tr("col.clustering", lang): [fmt_num(v, 2) for v in t["within_parent_clustering"]],
        })
        return pd.DataFrame(out)

    lower = ", ".join(res.lower_levels)
    intro = {lang: tr("modes.intro", lang, centre=res.central_level, lower=lower,
                      conf=round(100 * res.confidence)) for lang in ("en", "zh")}
    reasons = {"en": "Rules that fired: " + "; ".join(
                   f"{p}{'' if not res.by_unit else ' @ ' + u}: {why}"
                   for p, u, why in zip(t["policy"], t["central_unit"], t["reason"])) + ".",
               "zh": tr("modes.reasons", "zh")}
    items = [Paragraph(intro), frame_table("modes", {lang: tr("modes.table", lang)
                                                     for lang in ("en", "zh")}, frame,
                                           note=reasons)]
    return Section("modes", "heading.modes", tuple(items))
