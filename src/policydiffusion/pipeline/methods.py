"""The methods paragraph, written from what was actually run, in English and Chinese."""

from __future__ import annotations

from typing import Sequence

from policydiffusion.report.i18n import LANGUAGES, term_label, tr
from policydiffusion.report.translate import vcov_text

__all__ = ["time_dependence", "methods_paragraphs"]

_TIME_TERMS = {"duration_poly": "methods.time.poly", "duration_spline": "methods.time.spline",
               "period_dummies": "methods.time.dummies", "duration": "methods.time.duration"}


def _join(items: Sequence[str], lang: str) -> str:
    items = list(dict.fromkeys(items))
    if lang == "zh":
        return "、".join(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def time_dependence(term_names: dict[str, str], formulas: Sequence[str]) -> list[str]:
    """i18n keys of the time-dependence terms that appear in some formula.

    ``term_names`` maps a column prefix (a term's name) to its builder name.
    """
    keys = []
    for prefix, builder in term_names.items():
        if builder in _TIME_TERMS and any(prefix in f for f in formulas):
            keys.append(_TIME_TERMS[builder])
    if not keys and any("duration" in f for f in formulas):
        keys.append("methods.time.duration")
    return list(dict.fromkeys(keys))


def methods_paragraphs(*, designs: Sequence[dict], models: Sequence[dict], time_keys: Sequence[str],
                       moderation: Sequence[tuple[str, str]], heterogeneity: Sequence[str],
                       network: dict | None, describe: bool, simulated: bool,
                       extra_keys: Sequence[str] = (), notes: dict | None = None,
                       labels: dict | None = None) -> list[dict[str, str]]:
    """Paragraphs (``{"en": ..., "zh": ...}``) describing design, link, variance, time.

    Parameters
    ----------
    designs
        One dict per risk set: ``design``, ``name``, ``rows``, ``events``, ``n``
        (policies), ``conditional``, ``start``, ``end``, ``terms`` (column names).
    models
        One dict per model: ``link``, ``vcov`` (the spec), ``n_clusters``, ``firth``, ``name``.
    """
    out = []
    for lang in LANGUAGES:
        parts = []
        last_terms: list = []
        for d in designs:
            key = f"methods.design.{d['design']}"
            cond = tr("methods.conditional" if d.get("conditional") else "methods.unconditional",
                      lang)
            parts.append(tr(key, lang, name=d["name"], rows=f"{d['rows']:,}",
                            events=f"{d['events']:,}", start=d["start"], end=d["end"],
                            n=d.get("n", 1), conditional=cond))
            if d["terms"] and d["terms"] != last_terms:
                parts.append(tr("methods.terms", lang, terms=_join(
                    [term_label(t, lang, labels) for t in d["terms"]], lang)))
            last_terms = d["terms"]
        if models:
            links = _join([tr(f"link.{m['link']}", lang) for m in models], lang)
            vcovs = _join([vcov_text(m["vcov"], lang, m.get("n_clusters", ())) for m in models], lang)
            parts.append(tr("methods.models", lang, links=links, vcov=vcovs))
            firth = [m["name"] for m in models if m.get("firth")]
            if firth:
                parts.append(tr("methods.firth", lang, models=_join(firth, lang)))
            if time_keys:
                parts.append(tr("methods.time", lang,
                                time=_join([tr(k, lang) for k in time_keys], lang)))
            else:
                parts.append(tr("methods.time.none", lang))
        sep = "" if lang == "zh" else " "
        paragraphs = [sep.join(parts)]
        more = []
        if moderation:
            pairs = _join([f"{term_label(v, lang, labels)} × {term_label(m, lang, labels)}"
                           for v, m in moderation], lang)
            more.append(tr("methods.moderation", lang, pairs=pairs))
        if heterogeneity:
            more.append(tr("methods.heterogeneity", lang, groups=_join(
                [term_label(h, lang, labels) for h in heterogeneity], lang)))
        if network:
            more.append(tr("methods.network", lang, n=network["n"], edges=network["edges"]))
            more += [tr(k, lang) for k in network.get("mode_keys", ())]
        if describe:
            more.append(tr("methods.describe", lang))
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
