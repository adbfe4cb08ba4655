"""A report section on policy effects: the event study, effects by diffusion position,
and the evaluation index with benefits beside the process, in English and Chinese."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from policydiffusion.report.document import FigureItem, Paragraph, Section, frame_table

__all__ = ["effects_section"]

_HEAD = {
    "term": ("term", "项"), "estimate": ("estimate", "估计值"), "std_error": ("std. error", "标准误"),
    "p_value": ("p", "p 值"), "group": ("group", "组"), "policy": ("policy", "政策"),
    "process_index": ("process index", "过程指数"), "benefit_index": ("benefit index", "效益指数"),
    "index": ("index", "综合指数"), "average_effect": ("average effect", "平均效应"),
    "significant_share": ("share with significant benefit", "显著受益比例"),
    "dispersion": ("dispersion of unit effects", "单位效应离散度"),
    "moderator": ("moderator", "调节变量"),
    "breadth": ("breadth", "广度"), "speed": ("speed", "速度"), "depth": ("depth", "深度"),
    "clustering": ("clustering", "聚集度"), "hierarchy": ("hierarchy", "层级性"),
    "average_benefit": ("average benefit", "平均效益"), "consistency": ("consistency", "一致性"),
}


def _het_names(h: object) -> dict[str, str]:
    """A heterogeneity fit's interacted columns by the rows its table shows: term (group)."""
    groups = ["at 0", "slope"] if getattr(h, "kind", "") == "numeric" else list(getattr(h, "levels", ()))
    return {h._cols(b, "base" if g == "at 0" else g): f"{b} ({g})"  # type: ignore[attr-defined]
            for b in getattr(h, "base_terms", ()) for g in groups}


def _headers(frame: pd.DataFrame, lang: str) -> pd.DataFrame:
    i = 0 if lang == "en" else 1
    return frame.rename(columns={k: v[i] for k, v in _HEAD.items()})


def _se_note(fit: object, names: dict[str, str] | None = None) -> dict[str, str] | None:
    """The table note naming terms shown without a standard error (one cluster only)
    or without a test (a standard error of 0 or not finite); ``names`` maps the fit's
    columns to the names the table shows (a heterogeneity table's ``b__late`` is its
    row ``b (late)``)."""
    shown = getattr(fit, "terms", ())  # the tables show the event-time terms, not controls
    nested = getattr(fit, "se_not_identified", None) or {}
    named = (names or {}).get
    terms = ", ".join(named(t, t) for t in nested if t in shown)
    no_test = ""
    if shown:
        t = fit.tidy()  # type: ignore[attr-defined]
        no_test = ", ".join(named(c, c) for c in t.loc[(t["se_not_identified"] != "")
                                                        & ~t["term"].isin(list(nested)), "term"])
    en, zh = [], []
    if terms:
        en.append(f"No standard error, test or interval for {terms}: nonzero in one cluster "
                  "only, so the cluster-robust standard error is not identified.")
        zh.append(f"{terms} 无标准误、检验与置信区间：仅在一个聚类中非零，其聚类稳健标准误无法识别。")
    if no_test:
        en.append(f"No test or interval for {no_test}: its standard error is 0 or not finite.")
        zh.append(f"{no_test} 无检验与置信区间：其标准误为 0 或非有限值。")
    return {"en": " ".join(en), "zh": "".join(zh)} if en else None


def effects_section(result: object, *, heterogeneity: Sequence[tuple[str, object]] = (),
                    index: pd.DataFrame | None = None, key: str = "effects") -> Section:
    """A :class:`Section` showing what the policies achieved where they spread.

    ``result`` is an ``EventStudyResult``; ``heterogeneity`` pairs a label with a
    ``HeterogeneityResult`` (e.g. ``("emulation", h)``); ``index`` is an
    ``evaluation_index`` table. Numbers are drawn from the results at render time.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.report.html import render_html
    >>> from policydiffusion.report.document import ReportDocument
    >>> idx = pd.DataFrame({"policy": ["p"], "process_index": [0.5], "benefit_index": [0.25],
    ...                     "index": [0.4]})
    >>> s = effects_section(None, index=idx)
    >>> "效益指数" in render_html(ReportDocument(title={"en": "T", "zh": "T"}, sections=(s,)), lang="zh")
    True
    """
    items: list = [Paragraph({
        "en": "Effects of each policy where it spread, from the adoption records as staggered "
              "treatment timing (two-way fixed-effects event study).",
        "zh": "以采纳记录作为交错处理时点，估计政策在扩散地区的效果（双向固定效应事件研究）。"})]
    if result is not None:
        def est(lang: str) -> pd.DataFrame:
            t = result.tidy()[["term", "estimate", "std_error", "p_value"]].round(4)
            return _headers(t, lang)

        items.append(frame_table(f"{key}_event_study", {"en": "Event-study estimates",
                                                        "zh": "事件研究估计"}, est,
                                 note=_se_note(result)))

        def draw(lang: str):
            from policydiffusion.report.figures.effects import plot_event_study

            title = "Effects by time since adoption" if lang == "en" else "按采纳后时间的效应"
            return plot_event_study(result, title=title)

        items.append(FigureItem(f"{key}_figure", {"en": "Event-study figure", "zh": "事件研究图"}, draw))
    for label, h in heterogeneity:
        def het(lang: str, h=h, label=label) -> pd.DataFrame:
            t = h.tidy()[["term", "group", "estimate", "std_error", "p_value"]].round(4)
            test = h.test()
            ok = bool(np.isfinite(test["statistic"]))
            row = {"term": "joint test" if lang == "en" else "联合检验", "group": "",
                   "estimate": round(test["statistic"], 3) if ok else
                   ("not computed: " if lang == "en" else "未计算：") + test.get("reason", ""),
                   "std_error": None, "p_value": round(test["p_value"], 4) if ok else None}
            return _headers(pd.concat([t, pd.DataFrame([row])], ignore_index=True), lang)

        items.append(frame_table(f"{key}_het_{label}", {"en": f"Effects by {label} (one pooled model)",
                                                        "zh": f"按{label}的效应差异（单一合并模型）"}, het,
                                 note=_se_note(getattr(h, "fit", None), _het_names(h))))
    if index is not None:
        items.append(frame_table(f"{key}_index", {"en": "Evaluation index: process and benefits",
                                                  "zh": "扩散评价指数：过程与效益"},
                                 lambda lang: _headers(index.round(3), lang)))
    return Section(key, {"en": "Policy effects", "zh": "政策效果"}, tuple(items))
