"""The methods paragraph, written from what was actually run, in English and Chinese."""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from policydiffusion.report.i18n import LANGUAGES, TEXT, term_label, tr
from policydiffusion.report.translate import vcov_text

__all__ = ["time_dependence", "term_timing", "used_columns", "methods_paragraphs", "firth_refits"]

# The words of the separation refits live with the text that uses them (both languages).
TEXT.update({
    "methods.firth_refit": {
        "en": "Model {model} was refitted with Firth's penalised likelihood because maximum "
              "likelihood detected (quasi-)separation in {terms} (on_separation = \"firth\"); "
              "its estimates are Firth's.",
        "zh": "模型 {model} 的最大似然估计检测到（准）完全分离（{terms}），因此改用 Firth 惩罚似然"
              "重新估计（on_separation = \"firth\"）；报告的是 Firth 估计值。"},
    "methods.firth_refit_subgroups": {
        "en": "The subgroup fits of {model} by {by} were all refitted with Firth's penalised "
              "likelihood because maximum likelihood detected separation in subgroup(s) {groups} "
              "(on_separation = \"firth\").",
        "zh": "模型 {model} 按 {by} 的子样本估计中，子样本 {groups} 出现完全分离，因此所有子样本均改用 "
              "Firth 惩罚似然重新估计（on_separation = \"firth\"）。"},
})

_TIME_TERMS = {"duration_poly": "methods.time.poly", "duration_spline": "methods.time.spline",
               "period_dummies": "methods.time.dummies", "duration": "methods.time.duration"}


def _join(items: Sequence[str], lang: str) -> str:
    items = list(dict.fromkeys(items))
    if lang == "zh":
        return "、".join(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def used_columns(columns: Sequence[str], params: Sequence[str]) -> list[str]:
    """The ``columns`` that appear in some coefficient name (``x``, ``x:z``, ``C(x)[T.a]``).

    Examples
    --------
    >>> used_columns(["visits", "mimetic", "t_1"], ["Intercept", "visits:coercive", "t_1"])
    ['visits', 't_1']
    """
    tokens = {tok for p in params for tok in re.split(r"[:()\[\]\s,*]+", p) if tok}
    return [c for c in columns if c in tokens]


def term_timing(columns: Sequence[str], meta: Mapping[str, Mapping]) -> list[tuple[str, int, list[str]]]:
    """Columns grouped by when they are measured, from the risk set's column metadata.

    ``("lag", k, cols)``: information up to t-k; ``("current", 0, cols)``: in force at t;
    ``("static", 0, cols)``: fixed attributes (``"static": True`` or no lag).

    Examples
    --------
    >>> meta = {"v": {"lag": 1}, "d": {"lag": 0}, "g": {"lag": 0, "static": True}}
    >>> term_timing(["v", "d", "g"], meta)
    [('lag', 1, ['v']), ('current', 0, ['d']), ('static', 0, ['g'])]
    """
    groups: dict[tuple[str, int], list[str]] = {}
    for c in columns:
        m = meta.get(c, {})
        lag = m.get("lag")
        key = (("static", 0) if m.get("static") or lag is None
               else ("current", 0) if lag == 0 else ("lag", int(lag)))
        groups.setdefault(key, []).append(c)
    order = sorted(groups, key=lambda k: ({"lag": 0, "current": 1, "static": 2}[k[0]], k[1]))
    return [(kind, k, groups[(kind, k)]) for kind, k in order]


def time_dependence(models: Sequence[tuple[str, Sequence[str]]],
                    time_columns: Mapping[str, tuple[str, str]]) -> list[tuple[tuple, list[str]]]:
    """How each fitted model handles time, grouped: ``[(phrases, model names), ...]``.

    ``models``: (name, coefficient names) of each fitted model; ``time_columns``: a
    time-dependence column -> (builder, term name), e.g. ``{"t_1": ("duration_poly", "t")}``
    (the risk set's ``duration`` counter is added here). A phrase is ``(i18n key, degree)``.

    Examples
    --------
    >>> cols = {"t_1": ("duration_poly", "t"), "t_2": ("duration_poly", "t")}
    >>> time_dependence([("a", ["x", "duration"]), ("b", ["x", "t_1", "t_2"])], cols)
    [((('methods.time.duration', 1),), ['a']), ((('methods.time.poly', 2),), ['b'])]
    """
    time_columns = {"duration": ("duration", "duration"), **time_columns}
    out: dict[tuple, list[str]] = {}
    for name, params in models:
        counts: dict[tuple[str, str], int] = {}
        for c in used_columns(list(time_columns), params):
            counts[time_columns[c]] = counts.get(time_columns[c], 0) + 1
        if any(p.startswith("C(period)") for p in params):
            counts[("period_dummies", "C(period)")] = 1
        phrases = tuple((_TIME_TERMS[b], n) for (b, _), n in counts.items())
        out.setdefault(phrases, []).append(name)
    return list(out.items())


def _time_phrase(phrase: tuple[str, int], lang: str) -> str:
    key, degree = phrase
    if key != "methods.time.poly":
        return tr(key, lang)
    word = f"methods.degree.{degree}"
    return tr(key, lang, degree=tr(word, lang) if word in TEXT
              else tr("methods.degree.n", lang, n=degree))


def _time_text(groups: Sequence[tuple[tuple, list[str]]], lang: str) -> str:
    if not any(phrases for phrases, _ in groups):
        return tr("methods.time.none", lang)
    def words(phrases: tuple) -> str:
        return (_join([_time_phrase(p, lang) for p in phrases], lang) if phrases
                else tr("methods.time.no_term", lang))
    if len(groups) == 1:
        return tr("methods.time", lang, time=words(groups[0][0]))
    parts = [tr("methods.time.models", lang, time=words(phrases), models=_join(names, lang))
             for phrases, names in groups]
    return tr("methods.time", lang, time=("; " if lang == "en" else "；").join(parts))


def _timing_text(timing: Sequence[tuple[str, int, list[str]]], lang: str, labels: dict | None) -> str:
    parts = [tr(f"methods.timing.{kind}" + ("1" if (kind, k) == ("lag", 1) else ""), lang, k=k,
                terms=_join([term_label(c, lang, labels) for c in cols], lang))
             for kind, k, cols in timing]
    return tr("methods.terms", lang, groups=("; " if lang == "en" else "；").join(parts))


def firth_refits(models: Sequence[object] = (), heterogeneity: Sequence[object] = ()) -> list[dict]:
    """What was refitted with Firth because of separation, from the fits' own metadata.

    ``models``: fitted models (``.key`` and ``.result``, whose ``provenance`` holds
    ``separation_refit`` after an ``on_separation="firth"`` refit); ``heterogeneity``:
    subgroup outputs (``.key``, ``.by`` and a ``frame`` whose ``firth_refit`` column
    names the separated subgroups). A fit that asked for Firth outright is not a refit.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> m = NS(key="m1", result=NS(provenance={"separation_refit": {"terms": ["x"]}}))
    >>> firth_refits([m])
    [{'kind': 'model', 'model': 'm1', 'terms': ['x']}]
    """
    out: list[dict] = []
    for m in models:
        refit = (getattr(m.result, "provenance", None) or {}).get("separation_refit")
        if refit:
            out.append({"kind": "model", "model": m.key, "terms": list(refit.get("terms", ()))})
    for h in heterogeneity:
        f = h.frame
        # the column holds the separated subgroups of the block joined by ", "
        groups = (list(dict.fromkeys(g for v in f["firth_refit"] if v
                                     for g in str(v).split(", ")))
                  if "firth_refit" in f.columns else [])
        if groups:
            out.append({"kind": "subgroups", "model": h.key, "by": h.by, "groups": groups})
    return out


def _refit_text(refit: Mapping, lang: str, labels: dict | None) -> str:
    if refit["kind"] == "model":
        return tr("methods.firth_refit", lang, model=refit["model"], terms=_join(
            [term_label(t, lang, labels) for t in refit["terms"]], lang))
    by = term_label(refit["by"], lang, labels)
    return tr("methods.firth_refit_subgroups", lang, model=refit["model"], by=by,
              groups=_join([f"{by} = {g}" for g in refit["groups"]], lang))


def methods_paragraphs(*, designs: Sequence[dict], models: Sequence[dict],
                       time: Sequence[tuple[tuple, list[str]]],
                       moderation: Sequence[tuple[str, str, str]], heterogeneity: Sequence[str],
                       network: dict | None, describe: bool, simulated: bool,
                       extra_keys: Sequence[str] = (), notes: dict | None = None,
                       labels: dict | None = None,
                       isolates: Mapping[str, Sequence[str]] | None = None,
                       refits: Sequence[Mapping] = ()) -> list[dict[str, str]]:
    """Paragraphs (``{"en": ..., "zh": ...}``) describing design, link, variance, time.

    Everything comes from what was fitted, not from what the study file asked for.

    Parameters
    ----------
    designs
        One dict per risk set: ``design``, ``name``, ``rows``, ``events`` (adopting units),
        ``dyad_events`` (dyadic: rows with outcome 1), ``outcome`` (the response column),
        ``n`` (policies), ``conditional``, ``start``, ``end``, ``timing`` (the
        :func:`term_timing` of the columns the models use).
    models
        One dict per kind of fit: ``link``, ``vcov`` (the spec), ``n_clusters``, ``firth``,
        ``name`` and ``names`` (every model fitted this way).
    time
        :func:`time_dependence` of the fitted models.
    moderation
        ``(variable, moderator, scale)`` with scale ``"response"`` or ``"link"``.
    isolates
        Names (per language) of the units without a neighbour in Moran's I.
    refits
        :func:`firth_refits` of the run: fits refitted with Firth because of separation.

    Examples
    --------
    >>> d = {"design": "dyadic", "name": "dyads", "rows": 944, "events": 30, "dyad_events": 395,
    ...      "outcome": "adopt", "conditional": True, "start": "2014", "end": "2022",
    ...      "timing": [("lag", 1, ["visits"]), ("static", 0, ["same_group"])]}
    >>> p = methods_paragraphs(designs=[d], models=[], time=[], moderation=[], heterogeneity=[],
    ...                        network=None, describe=False, simulated=False)
    >>> "395 dyad rows with outcome 1, from 30 adopting units" in p[0]["en"]
    True
    """
    out = []
    for lang in LANGUAGES:
        parts = []
        last_timing: list = []
        for d in designs:
            key = f"methods.design.{d['design']}"
            cond = tr("methods.conditional" if d.get("conditional") else "methods.unconditional",
                      lang)
            after = d.get("outcome") == "adopt_after_source" or d.get("conditional")
            outcome = tr("methods.outcome.after" if after else "methods.outcome.any", lang)
            parts.append(tr(key, lang, name=d["name"], rows=f"{d['rows']:,}",
                            events=f"{d['events']:,}", start=d["start"], end=d["end"],
                            dyad_events=f"{d.get('dyad_events', 0):,}", outcome=outcome,
                            n=d.get("n", 1), conditional=cond))
            if d["timing"] and d["timing"] != last_timing:
                parts.append(_timing_text(d["timing"], lang, labels))
            last_timing = d["timing"]
        if models:
            links = _join([tr(f"link.{m['link']}", lang) for m in models], lang)
            vcovs = [vcov_text(m["vcov"], lang, m.get("n_clusters", ())) for m in models]
            if len(set(vcovs)) > 1:  # say which models use which
                vcovs = [tr("methods.vcov.models", lang, vcov=v,
                            models=_join(m.get("names", [m["name"]]), lang))
                         for v, m in zip(vcovs, models)]
                # each part already lists models with 、: separate the parts more strongly
                vcovs = "；".join(dict.fromkeys(vcovs)) if lang == "zh" else _join(vcovs, lang)
            else:
                vcovs = _join(vcovs, lang)
            parts.append(tr("methods.models", lang, links=links, vcov=vcovs))
            firth = [m["name"] for m in models if m.get("firth")]
            if firth:
                parts.append(tr("methods.firth", lang, models=_join(firth, lang)))
            parts += [_refit_text(r, lang, labels) for r in refits if r["kind"] == "model"]
            parts.append(_time_text(time, lang))
        sep = "" if lang == "zh" else " "
        paragraphs = [sep.join(parts)]
        more = []
        if moderation:
            pairs = _join([tr("methods.across", lang, variable=term_label(v, lang, labels),
                              moderator=term_label(m, lang, labels)) for v, m, _ in moderation],
                          lang)
            scales = _join([tr(f"methods.scale.{sc}", lang)
                            for sc in dict.fromkeys(sc for _, _, sc in moderation)], lang)
            more.append(tr("methods.moderation", lang, pairs=pairs, scale=scales))
        if heterogeneity:
            more.append(tr("methods.heterogeneity", lang, groups=_join(
                [term_label(h, lang, labels) for h in heterogeneity], lang)))
        more += [_refit_text(r, lang, labels) for r in refits if r["kind"] == "subgroups"]
        if network:
            more.append(tr("methods.network", lang, n=network["n"], edges=network["edges"]))
            more += [tr(k, lang) for k in network.get("mode_keys", ())]
        if describe:
            more.append(tr("methods.describe", lang))
            more.append(tr("methods.describe_limits", lang))
        if describe and isolates and isolates.get(lang):
            more.append(tr("methods.moran_isolates", lang, units=_join(list(isolates[lang]), lang)))
        more += [tr(k, lang) for k in extra_keys]
        if simulated:
            more.append(tr("methods.simulated", lang))
        if more:
            paragraphs.append(sep.join(more))
        if notes and (notes.get(lang) or notes.get("en")):
            paragraphs.append(notes.get(lang) or notes["en"])
        out.append((lang, paragraphs))
    n = max(len(p) for _, p in out)
    return [{lang: (p[i] if i < len(p) else "") for lang, p in out} for i in range(n)]
