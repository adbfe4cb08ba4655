"""Turn a :class:`RunState` into a :class:`~policydiffusion.report.document.ReportDocument`.

Nothing is computed here that changes a number: every figure and table is drawn
from the run's results, in the language the report is rendered in.
"""

from __future__ import annotations

import math
from collections import OrderedDict
import pandas as pd

from policydiffusion._format import fmt_num
from policydiffusion.pipeline import figures as F
from policydiffusion.pipeline.methods import (methods_paragraphs, term_timing, time_dependence,
                                              firth_refits, used_columns)
from policydiffusion.pipeline.network import mode_keys
from policydiffusion.pipeline.effects import effects_report_section
from policydiffusion.pipeline.modes import modes_section
from policydiffusion.pipeline.risksets import build_terms, exclusions_frame
from policydiffusion.pipeline.state import RunState
from policydiffusion.pipeline.table_order import FIXED_EFFECTS, TIME_BUILDERS, fixed_effects, table_order
from policydiffusion.report.document import (Fact, FigureItem, Paragraph, ReportDocument, Section,
                                             TableItem, frame_table)
from policydiffusion.report.figures.reinvention import plot_drift
from policydiffusion.report.i18n import LANGUAGES, figure_label, pick, term_label, tr
from policydiffusion.report.translate import exclusion_reason as _reason
from policydiffusion.report.translate import vcov_text, warning_text

__all__ = ["build_document", "all_exclusions", "policy_label", "fmt_num", "fmt_p"]


def fmt_p(p: object, digits: int = 3) -> str:
    """A p-value as table text: ``< 0.001`` rather than ``0.000`` below the shown precision.

    Examples
    --------
    >>> fmt_p(0.00002), fmt_p(0.0312), fmt_p(float("nan"))
    ('< 0.001', '0.031', '')
    """
    try:
        v = float(p)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return fmt_num(p, digits)
    floor = 10.0 ** -digits
    return f"< {floor:.{digits}f}" if 0 <= v < floor else fmt_num(v, digits)


def policy_label(state: RunState, policy: str, lang: str) -> str:
    """A policy's display name: the study file's label, else its description, else its id."""
    labels = state.sf.policies.labels
    if policy in labels:
        return pick(labels[policy], lang, policy)
    pol = state.study.policies
    if "description" in pol.columns:
        row = pol.filter(pol["policy"] == policy)
        if row.height and row["description"][0]:
            return str(row["description"][0])
    return policy


def all_exclusions(state: RunState) -> pd.DataFrame:
    """Every exclusion of the run: loading, risk sets, and rows dropped by each model."""
    frames = [state.study.exclusions.assign(stage=lambda d: "load: " + d["stage"].astype(str))]
    frames.append(exclusions_frame(list(state.risksets)))
    dropped = [(f"model {m.key}", tr("exclusion.model_missing", "en"),
                int(getattr(m.result, "n_dropped_missing", 0)), "")
               for m in state.models if getattr(m.result, "n_dropped_missing", 0)]
    frames.append(pd.DataFrame(dropped, columns=["stage", "reason", "count", "examples"]))
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=["stage", "reason", "count", "examples"])
    out = pd.concat(frames, ignore_index=True)
    out["count"] = out["count"].astype(int)
    return out


def _model_label(state: RunState, key: str, lang: str) -> str:
    m = next(x for x in state.models if x.key == key)
    return pick(m.spec.label, lang, m.spec.name)


def _compact(x: object) -> str:
    return fmt_num(x, 4, significant=True) if isinstance(x, float) else str(x)


def _labels(state: RunState) -> dict:
    return dict(state.sf.report.labels)


# ------------------------------------------------------------------ sections
def _summary(state: RunState, ex: pd.DataFrame) -> tuple[tuple[Fact, ...], Section]:
    s = state.study
    focus = state.sf.policies.focus or tuple(s.policy_ids)
    n_excl = int(ex["count"].sum())
    designs = {"en": ", ".join(dict.fromkeys(tr(f"design.{r.design}", "en")
                                              for r in state.sf.risksets)),
               "zh": "、".join(dict.fromkeys(tr(f"design.{r.design}", "zh")
                                            for r in state.sf.risksets))}
    ds = state.loaded.dataset
    data_label = _both(f"dataset.{ds}") if ds in _DATASETS else ds if ds else ", ".join(
        k.rsplit("/", 1)[-1] for k in state.loaded.inputs)
    focus_adoptions = s.adoptions.filter(s.adoptions["policy"].is_in(list(focus)))
    first = focus_adoptions["period"].min()
    start = s.start if first is None else max(s.start, int(first))
    facts = [Fact("summary.dataset", data_label),
             Fact("summary.units", f"{s.n_units}"),
             Fact("summary.policies", f"{len(focus)}"),
             Fact("summary.adoptions", f"{focus_adoptions.height}"),
             Fact("summary.window", f"{s.label(start)}–{s.label(s.end)}"),
             Fact("summary.models", f"{len(state.models)}")]
    if state.sf.risksets:
        facts.append(Fact("summary.design", designs))
    facts.append(Fact("summary.excluded", f"{n_excl}"))
    items: list = []
    if state.sf.study.description:
        items.append(Paragraph(state.sf.study.description))
    items += [Paragraph(w, kind="warning") for w in _fit_warnings(state)]
    return tuple(facts), Section("summary", "heading.summary", tuple(items))


_DATASETS = ("spid", "china_mobile_gov", "china_prefectures_covid")  # named in the summary by i18n keys dataset.NAME


def _warning(state: RunState, message: str, model: str | None = None) -> dict[str, str]:
    """A warning of the estimator in each language, prefixed with the model it concerns."""
    labels = _labels(state)
    out = {}
    for lang in LANGUAGES:
        text = warning_text(message, lang, labels=labels)
        out[lang] = text if model is None else tr("warning.where", lang, model=model,
                                                  message=text)
    return out


def _fit_warnings(state: RunState) -> list[dict[str, str]]:
    """Every estimator warning of the models, then a note for rows left out of a fit."""
    out = [_warning(state, w, m.key) for m in state.models for w in m.warnings]
    for m in state.models:
        n = int(getattr(m.result, "n_dropped_missing", 0))
        if n:
            out.append({lang: tr("warning.where", lang, model=m.key, message=tr(
                "warning.dropped_missing", lang, count=f"{n:,}")) for lang in LANGUAGES})
    return out


def _stage(stage: str, lang: str) -> str:
    """An exclusion's stage ("load: units", "risk set x", "model m") in ``lang``."""
    for prefix, key in (("load: ", "stage.load"), ("risk set ", "stage.riskset"),
                        ("model ", "stage.model")):
        if stage.startswith(prefix):
            rest = stage[len(prefix):]
            return tr(key, lang, stage=rest, name=rest)
    return stage


def _data_section(state: RunState, ex: pd.DataFrame) -> Section:

    def frame(lang: str) -> pd.DataFrame:
        if not len(ex):
            return pd.DataFrame({tr("col.reason", lang): [tr("report.none", lang)]})
        return pd.DataFrame({tr("col.stage", lang): [_stage(str(x), lang) for x in ex["stage"]],
                             tr("col.reason", lang): [_reason(str(x), lang) for x in ex["reason"]],
                             tr("col.count", lang): ex["count"].map(str),
                             tr("col.examples", lang): ex["examples"].fillna("")})

    def rs_frame(lang: str) -> pd.DataFrame:
        rows = []
        for b in state.risksets:
            rows.append({tr("col.name", lang): b.key,
                         tr("col.design", lang): tr(f"design.{b.spec.design}", lang),
                         tr("col.rows", lang): str(b.n_rows()),
                         tr("col.events", lang): str(b.n_events())})
        return pd.DataFrame(rows)

    items: list = [Paragraph({"en": tr("data.intro", "en"), "zh": tr("data.intro", "zh")})]
    if state.risksets:
        items.append(frame_table("risksets", _both("table.risksets"), rs_frame))
    items.append(frame_table("exclusions", _both("table.exclusions"), frame))
    return Section("data", "heading.data", tuple(items))


def _description(state: RunState, digits: int) -> Section | None:
    desc = state.descriptions
    if not desc:
        return None
    figs = set(state.sf.report.figures)
    show = state.sf.describe  # fit_curves / takeoff / speed: columns of the glance table

    def glance(lang: str) -> pd.DataFrame:
        rows = []
        for p, d in desc.items():
            speed = d.speed.get("speed_rescaled") if d.speed else None
            half = d.speed.get("periods_to_half") if d.speed else None
            row = {
                tr("col.policy", lang): policy_label(state, p, lang),
                tr("col.adopters", lang): f"{d.n_adopters}/{d.n_units}",
                tr("col.first", lang): fmt_num(d.first_period),
                tr("col.last", lang): fmt_num(d.last_period),
            }
            if show.takeoff:
                why = d.takeoff.get("status", "ok")  # why there is no take-off period, if none
                row[tr("col.takeoff", lang)] = fmt_num(d.takeoff.get("takeoff_period"), missing="" if why == "ok"
                                                       else tr("describe.takeoff_" + why.replace(" ", "_"), lang))
            if show.speed:
                row[tr("col.half", lang)] = fmt_num(half, 0)
                row[tr("col.speed", lang)] = fmt_num(speed, digits)
            if show.fit_curves:
                # indistinguishable fits (equal likelihoods) are all named
                row[tr("col.best_curve", lang)] = ((" = ".join(figure_label(m, lang)
                                                               for m in d.fits.best_models)
                                                    or tr("describe.undetermined_best_curve"
                                                          if d.fits.best == "undetermined"
                                                          else "describe.no_best_curve", lang))
                                                   if d.fits is not None else "")
            row[tr("col.morans_i", lang)] = (fmt_num(d.moran.statistic, digits)
                                             if d.moran is not None else "")
            rows.append(row)
        return pd.DataFrame(rows)

    items: list = [Paragraph({"en": tr("describe.intro", "en"), "zh": tr("describe.intro", "zh")}),
                   frame_table("diffusion_glance", {"en": tr("describe.table", "en"),
                                                    "zh": tr("describe.table", "zh")}, glance)]
    label = lambda p, lang: policy_label(state, p, lang)  # noqa: E731
    if "curves" in figs:
        items.append(FigureItem("adoption_curves", _both("fig.curves"),
                                F.curves_drawer(desc, label)))
    if "hazard" in figs:
        items.append(FigureItem("hazard", _both("fig.hazard"), F.hazard_drawer(desc, label)))
    if "map" in figs:
        for p in (state.sf.describe.map_policies or tuple(desc)[:1]):
            items.append(FigureItem(f"map_{p}", {lang: tr("fig.map", lang, policy=label(p, lang))
                                                 for lang in ("en", "zh")},
                                    F.map_drawer(state.study, p)))
    first = next(iter(desc))
    items.append(frame_table(f"adopters_{first}", {lang: tr("describe.adopters", lang,
                                                            policy=label(first, lang))
                                                   for lang in ("en", "zh")},
                             lambda lang: _adopters_by_period(state, first, lang)))
    if "timeline" in figs:
        p = first
        items.append(FigureItem(f"timeline_{p}", {lang: tr("report.labelled", lang, label=tr(
                                                      "fig.timeline", lang), text=label(p, lang))
                                                  for lang in ("en", "zh")},
                                F.timeline_drawer(state.study, p)))
    return Section("description", "heading.description", tuple(items))


def _adopters_by_period(state: RunState, policy: str, lang: str) -> pd.DataFrame:
    """Which units adopted in each period (names in ``lang``)."""
    names = F.unit_names(state.study, lang)
    a = state.study.adoptions_of(policy).to_pandas()
    sep = "、" if lang == "zh" else ", "
    rows = [(state.study.label(int(p)), str(len(g)), sep.join(names.get(u, u) for u in g["unit"]))
            for p, g in a.groupby("period", sort=True)]
    return pd.DataFrame(rows, columns=[tr("col.period", lang), tr("col.count", lang),
                                       tr("col.adopters_names", lang)])


def _both(key: str, **kw: object) -> dict[str, str]:
    return {lang: tr(key, lang, **kw) for lang in ("en", "zh")}


def _model_tables(state: RunState) -> Section | None:
    if not state.models:
        return None
    from policydiffusion.report.tables import regression_table

    groups: "OrderedDict[str, list]" = OrderedDict()
    for m in state.models:
        groups.setdefault(m.built.key, []).append(m)
    labels = _labels(state)
    digits = state.sf.report.digits
    items: list = [Paragraph(_both("models.intro"))]
    for key, fitted in groups.items():
        b = fitted[0].built
        seen = list(dict.fromkeys(t for m in fitted
                                  for t in m.result.params.index))  # type: ignore[attr-defined]
        order = _row_order(state, b, seen)
        fe = fixed_effects(seen)
        table_key = f"models_{key.replace('@', '_')}"

        # the design in words, not the risk set's internal name ("single: ..."); numbered
        # when the study has several risk sets of that design
        same = [r.name for r in state.sf.risksets if r.design == b.spec.design]
        nth = f" ({same.index(b.spec.name) + 1})" if len(same) > 1 and b.spec.name in same else ""
        caption = {lang: tr("models.table", lang, design=tr(f"models.design.{b.spec.design}", lang) + nth,
                            policy=(tr("models.pooled", lang) if b.policy is None
                                    else policy_label(state, b.policy, lang)))
                   for lang in ("en", "zh")}

        def table_args(lang: str, fitted: list = fitted, seen: list = seen, order: list = order,
                       fe: list = fe) -> tuple[dict, dict]:
            """The models and the options of one regression table, for every format."""
            results = {pick(m.spec.label, lang, m.spec.name): m.result for m in fitted}
            return results, dict(labels={t: term_label(t, lang, labels) for t in seen}, lang=lang,
                                 digits=digits, order=order,
                                 drop={f: tr(FIXED_EFFECTS[f], lang) for f in fe},
                                 vcov_labels=None if lang == "en" else {
                                     pick(m.spec.label, lang, m.spec.name): vcov_text(
                                         m.spec.vcov, lang, getattr(m.result, "n_clusters", ()))
                                     for m in fitted})

        def render(fmt: str, lang: str, table_args=table_args, caption: dict = caption,
                   table_key: str = table_key) -> str:
            results, options = table_args(lang)
            return regression_table(results, fmt=fmt, caption=caption[lang], label=f"tab:{table_key}",
                                    **options)

        def docx(path, lang: str, table_args=table_args, caption: dict = caption):
            from policydiffusion.report.docx import regression_table_docx

            results, options = table_args(lang)
            return regression_table_docx(results, path, caption=caption[lang], **options)

        items.append(TableItem(key=table_key, caption=caption, render=render,
                               css_class="regtable", docx=docx))
    return Section("models", "heading.models", tuple(items))


def _row_order(state: RunState, built: object, seen: list[str]) -> list[str]:
    """Key variables, their interactions, controls, time dependence, constant."""
    names, time = [], []
    for t, ts in zip(built.terms, built.spec.terms):  # type: ignore[attr-defined]
        (time if ts.term in TIME_BUILDERS else names).append(t.name)
    key = state.sf.report.key_terms or names
    return table_order(seen, key=key, time=time, others=names)


def _moderation(state: RunState) -> Section | None:
    if not state.moderation:
        return None
    labels = _labels(state)
    items = []
    keys: set[str] = set()
    for mo in state.moderation:
        cap = {lang: tr("report.of_model", lang, model=_model_label(state, mo.key, lang), text=tr(
            "fig.marginal", lang, variable=term_label(mo.variable, lang, labels),
            moderator=term_label(mo.moderator, lang, labels))) for lang in ("en", "zh")}
        base = f"marginal_{mo.key}_{mo.variable}_{mo.moderator}".replace("@", "_")
        key, n = base, 1
        while key in keys:  # the same pair on another scale: its own file and HTML id
            n += 1
            key = f"{base}_{n}"
        keys.add(key)
        if "marginal_effects" in state.sf.report.figures:
            items.append(FigureItem(key, cap, F.marginal_drawer(mo, labels)))
    if not items:
        return None
    return Section("moderation", "heading.moderation", tuple(items))


def _heterogeneity(state: RunState, digits: int) -> Section | None:
    if not state.heterogeneity:
        return None
    labels = _labels(state)
    items: list = []
    for h in state.heterogeneity:
        def frame(lang: str, h=h) -> pd.DataFrame:
            f = h.frame
            bad = f["not_estimable"].fillna("").astype(bool) if "not_estimable" in f else \
                pd.Series(False, index=f.index)
            firth = "estimator" in f and (f["estimator"] == "firth").any()
            return pd.DataFrame({
                tr("col.term", lang): [term_label(t, lang, labels) for t in f["term"]],
                tr("col.group", lang): [F.group_label(g, lang) for g in f["group"]],
                tr("col.estimate_firth" if firth else "col.estimate", lang): [
                    tr("report.not_estimable", lang) if b else fmt_num(v, digits)
                    for v, b in zip(f["estimate"], bad)],
                tr("col.std_error", lang): [fmt_num(v, digits) for v in f["std_error"]],
                tr("col.p_value", lang): [fmt_p(v, digits) for v in f["p_value"]],
                tr("col.difference_p", lang): [fmt_p(v, digits) for v in f["difference_p"]],
                tr("col.difference_test", lang): [_difference_test(r, lang) for r in
                                                   f.to_dict("records")],
            })

        by = {lang: term_label(h.by, lang, labels) for lang in ("en", "zh")}
        split = {lang: tr(h.split_key, lang, value=_compact(h.split_value))
                 for lang in ("en", "zh")}
        note = {lang: tr("heterogeneity.note", lang, model=_model_label(state, h.key, lang), by=by[lang],
                         split=split[lang]) + _separation_note(h, lang)
                for lang in ("en", "zh")}
        key = f"heterogeneity_{h.key}_{h.by}".replace("@", "_")
        cap = {lang: tr("report.of_model", lang, text=tr("fig.heterogeneity", lang, by=by[lang]),
                        model=_model_label(state, h.key, lang)) for lang in ("en", "zh")}
        items.append(frame_table(key, cap, frame, note=note))
        items += [Paragraph(_warning(state, w), kind="warning") for w in h.warnings]
        if "heterogeneity" in state.sf.report.figures:
            items.append(FigureItem(key, cap, F.subgroup_drawer(h, labels)))
    return Section("heterogeneity", "heading.heterogeneity", tuple(items))


def _difference_test(row: dict, lang: str) -> str:
    """Which difference test a heterogeneity row's p-value comes from."""
    test = row.get("test", "independent")
    if test in ("none", "singular", "not_identified"):
        return tr(f"heterogeneity.test.{test}", lang)
    if test == "pooled":
        return tr("heterogeneity.test.pooled", lang, difference=fmt_num(row["difference"]),
                  se=fmt_num(row["difference_se"]))
    return tr("heterogeneity.test.independent", lang)


def _separation_note(h: object, lang: str) -> str:
    """A sentence saying the subgroups were refitted with Firth, or which are not estimable."""
    f = h.frame  # type: ignore[attr-defined]
    if "estimator" in f and (f["estimator"] == "firth").any():
        return tr("heterogeneity.firth", lang)
    if "not_estimable" in f and f["not_estimable"].fillna("").astype(bool).any():
        return tr("heterogeneity.not_estimable", lang)
    return ""


def _network(state: RunState) -> Section | None:
    net = state.network
    if net is None:
        return None
    edges = net.result.edges  # type: ignore[attr-defined]
    n = len(net.policies)
    items: list = [Paragraph(_both("network.intro", n=n))]
    items += [Paragraph(_both(k)) for k in mode_keys(net.result)]
    if "network" in state.sf.report.figures:
        items.append(FigureItem("network", _both("fig.network"), F.network_drawer(state.study, edges)))

    def top(lang: str) -> pd.DataFrame:
        names = F.unit_names(state.study, lang)
        out_deg = edges.groupby("origin").size().rename("out")
        in_deg = edges.groupby("destination").size().rename("in")
        deg = pd.concat([out_deg, in_deg], axis=1).fillna(0).astype(int)
        deg = deg.sort_values(["out", "in"], ascending=[False, True]).head(10)
        return pd.DataFrame({tr("col.unit", lang): [names.get(u, u) for u in deg.index],
                             tr("col.out_degree", lang): deg["out"].map(str).tolist(),
                             tr("col.in_degree", lang): deg["in"].map(str).tolist()})

    items.append(frame_table("network_top", _both("network.table"), top))
    return Section("network", "heading.network", tuple(items))


def _reinvention(state: RunState, digits: int) -> Section | None:
    rv = state.reinvention
    if rv is None:
        return None
    texts, src, drift = rv.texts.table, rv.sources, rv.drift  # type: ignore[attr-defined]
    items: list = [Paragraph(_both("reinvention.intro", n=len(texts),
                                   policies=", ".join(sorted(texts["policy"].unique())),
                                   truncated=int(texts["truncated"].sum())))]

    def links(lang: str) -> pd.DataFrame:
        names = F.unit_names(state.study, lang)
        top = src.strongest(10)  # type: ignore[attr-defined]
        return pd.DataFrame({
            tr("col.policy", lang): top["policy"].tolist(),
            tr("col.unit", lang): [names.get(u, u) for u in top["unit"]],
            tr("col.source", lang): [names.get(u, u) for u in top["source"]],
            tr("col.similarity", lang): [fmt_num(v, digits) for v in top["similarity"]],
            tr("col.share_from_source", lang): [fmt_num(v, digits) for v in top["share_from_source"]]})

    def index(lang: str) -> pd.DataFrame:
        t = drift.table  # type: ignore[attr-defined]
        names = F.unit_names(state.study, lang)
        return pd.DataFrame({
            tr("col.policy", lang): t["policy"].tolist(),
            tr("col.texts", lang): t["n"].map(str).tolist(),
            tr("col.reference", lang): [names.get(u, u) for u in t["reference"]],
            tr("col.reinvention_index", lang): [fmt_num(v, digits) for v in t["index"]],
            tr("col.slope", lang): ["" if not math.isfinite(v) else f"{v:+.{digits}f}"
                                    for v in t["slope"]]})

    items.append(frame_table("reinvention_sources", _both("reinvention.table"), links))
    items.append(frame_table("reinvention_index", _both("reinvention.drift"), index))
    if "reinvention" in state.sf.report.figures:
        ref = drift.reference  # type: ignore[attr-defined]
        items.append(FigureItem("reinvention_drift", {lang: tr(
            "fig.reinvention_drift", lang, reference=tr(f"reference.{ref}", lang))
            for lang in ("en", "zh")}, lambda lang: plot_drift(drift, lang=lang)))  # type: ignore[arg-type]
        for policy, g in src.table.dropna(subset=["source"]).groupby("policy"):  # type: ignore[attr-defined]
            edges = pd.DataFrame({"origin": g["source"], "destination": g["unit"]})
            items.append(FigureItem(f"reinvention_tree_{policy}",
                                    _both("fig.reinvention_tree", policy=policy),
                                    F.network_drawer(state.study, edges)))
    return Section("reinvention", "heading.reinvention", tuple(items))


def _simulation(state: RunState, digits: int) -> Section | None:
    if not state.simulations:
        return None
    items: list = [Paragraph(_both("simulation.intro", seed=state.seed))]
    for sim in state.simulations:
        m = next(x for x in state.models if x.key == sim.model)
        policy = m.built.policy or ""
        cap = {lang: tr("fig.simulation", lang, policy=policy_label(state, policy, lang),
                        model=pick(m.spec.label, lang, m.spec.name)) for lang in ("en", "zh")}
        if "simulation" in state.sf.report.figures:
            items.append(FigureItem(f"simulation_{sim.key}", cap, F.simulation_drawer(sim.frame)))

        def frame(lang: str, sim=sim) -> pd.DataFrame:
            f = sim.frame
            out = {tr("col.period", lang): [state.study.label(int(p)) for p in f["period"]]}
            for c in ("observed", "simulated_mean", "simulated_q025", "simulated_q975"):
                out[tr(f"col.{c}", lang)] = [fmt_num(v, digits) for v in f[c]]
            return pd.DataFrame(out)

        items.append(frame_table(f"simulation_{sim.key}", cap, frame))
    return Section("simulation", "heading.simulation", tuple(items))


def _isolates(state: RunState) -> dict[str, list[str]]:
    """Names of the units Moran's I found without a neighbour, in each language."""
    ids = dict.fromkeys(u for d in state.descriptions.values() if d.moran is not None
                        for u in d.moran.options.get("isolates", ()))
    return {lang: [F.unit_names(state.study, lang).get(u, u) for u in ids] for lang in LANGUAGES}


def _methods(state: RunState) -> Section:
    """The methods text, from the fitted models and the risk sets they were fitted on."""
    sf, s = state.sf, state.study
    designs = []
    time_columns: dict[str, tuple[str, str]] = {}
    for spec in sf.risksets:
        built = [b for b in state.risksets if b.spec.name == spec.name]
        terms = built[0].terms if built else build_terms(sf, spec.terms)
        fitted = [m for m in state.models if m.built.spec.name == spec.name]
        params = [p for m in fitted for p in m.result.params.index]  # type: ignore[attr-defined]
        meta = dict(built[0].as_built.column_meta) if built else {}  # type: ignore[attr-defined]
        cols = []
        for t, ts in zip(terms, spec.terms):
            own = ([t.name] if t.name in meta or not meta
                   else [c for c in meta if c.startswith(t.name + "_")])  # t -> t_1, t_2, ...
            if ts.term in TIME_BUILDERS:
                time_columns.update({c: (ts.term, t.name) for c in own})
            else:
                cols += own
        cols += list(spec.unit_attributes)
        used = used_columns(cols, params) if fitted else cols
        outcome = next((m.result.design.response for m in fitted  # type: ignore[attr-defined]
                        if hasattr(m.result, "design")), "adopt")
        adopted = [b.events(outcome) for b in built]
        designs.append({"design": spec.design, "name": spec.name,
                        "rows": sum(b.n_rows() for b in built),
                        "events": sum(a.select("policy", "unit").unique().height for a in adopted),
                        "dyad_events": sum(a.height for a in adopted),
                        "outcome": outcome,
                        "n": len(spec.policies or s.policy_ids), "conditional": spec.conditional,
                        "start": s.label(s.start), "end": s.label(s.end),
                        "timing": term_timing(used, meta)})
    models: list[dict] = []
    seen: dict[tuple, dict] = {}
    for m in state.models:
        key = (m.spec.link, str(m.spec.vcov), m.spec.firth)
        if key in seen and not m.spec.firth:
            seen[key]["names"] = list(dict.fromkeys([*seen[key]["names"], m.spec.name]))
            continue
        seen[key] = {"name": m.spec.name, "names": [m.spec.name], "link": m.spec.link,
                     "vcov": m.spec.vcov, "firth": m.spec.firth,
                     "n_clusters": tuple(getattr(m.result, "n_clusters", ()))}
        models.append(seen[key])
    time = time_dependence([(m.spec.name, list(m.result.params.index))  # type: ignore[attr-defined]
                            for m in state.models], time_columns)
    extra = ["methods.internal_spid"] if state.loaded.dataset == "spid" and sf.models else []
    paragraphs = methods_paragraphs(
        designs=designs, models=models, time=time,
        moderation=list(dict.fromkeys((mo.variable, mo.moderator, str(mo.frame["scale"].iloc[0]))
                                      for mo in state.moderation)),
        heterogeneity=list(dict.fromkeys(h.by for h in state.heterogeneity)),
        network=({"n": len(state.network.policies),
                  "edges": int(state.network.result.n_edges),  # type: ignore[attr-defined]
                  "mode_keys": mode_keys(state.network.result)}
                 if state.network is not None else None),
        describe=bool(state.descriptions), simulated=state.loaded.simulated, extra_keys=extra,
        notes=dict(sf.report.notes) or None, labels=_labels(state), isolates=_isolates(state),
        refits=firth_refits(state.models, state.heterogeneity))
    return Section("methods", "heading.methods", tuple(Paragraph(p) for p in paragraphs if any(p.values())))


def _reproducibility(state: RunState, provenance: dict) -> Section:
    def versions(lang: str) -> pd.DataFrame:
        v = provenance.get("versions", {})
        return pd.DataFrame({tr("col.package", lang): list(v), tr("col.version", lang): list(v.values())})

    def inputs(lang: str) -> pd.DataFrame:
        return pd.DataFrame({tr("col.file", lang): list(state.loaded.inputs),
                             tr("col.sha256", lang): [h[:16] + "…" for h in state.loaded.inputs.values()]})

    items = [Paragraph(_both("repro.intro")),
             Paragraph({lang: tr("report.labelled", lang, label=tr("repro.seed", lang), text=state.seed)
                        for lang in ("en", "zh")}),
             frame_table("versions", _both("table.versions"), versions)]
    if state.loaded.inputs:
        items.append(frame_table("inputs", _both("table.inputs"), inputs))
    return Section("reproducibility", "heading.reproducibility", tuple(items))


def build_document(state: RunState, *, provenance: dict,
                   exclusions: pd.DataFrame | None = None) -> ReportDocument:
    """The report's content for one run (rendered later in either language).

    ``exclusions`` is :func:`all_exclusions` of the run, when the caller has it already.
    """
    from policydiffusion import __version__

    digits = state.sf.report.digits
    ex = all_exclusions(state) if exclusions is None else exclusions
    facts, summary = _summary(state, ex)
    sections: list[Section | None] = [
        summary, _data_section(state, ex), _description(state, digits),
        modes_section(state, policy_label, fmt_num), effects_report_section(state.effects, fmt_num),
        _model_tables(state),
        _moderation(state), _heterogeneity(state, digits), _network(state),
        _reinvention(state, digits), _simulation(state, digits), _methods(state), _reproducibility(state, provenance)]
    return ReportDocument(
        title=state.sf.report.title or state.sf.study.title, description={},
        authors=tuple(state.sf.study.authors), simulated=state.loaded.simulated, facts=facts,
        sections=tuple(s for s in sections if s is not None),
        source_file=state.sf.path.name, version=__version__)
