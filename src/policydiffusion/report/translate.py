"""Estimator output in the report's language: warnings, variance labels, exclusion reasons.

The estimators speak English. :func:`warning_text` recognises the warnings they
issue (:class:`~policydiffusion.errors.SeparationWarning` naming the separating
terms, :class:`~policydiffusion.errors.ConvergenceWarning` after N iterations, rows
left out for missing values) and writes them from the templates in
:data:`~policydiffusion.report.i18n.TEXT`; an unknown warning keeps its English text
behind a Chinese prefix. :func:`vcov_text` says a variance specification in words.

Examples
--------
>>> from policydiffusion.errors import ConvergenceWarning
>>> msg = ("the logit fit did not converge in 26 iterations (tolerance 1e-10); estimates "
...        "may be inaccurate. Check for separation or rescale covariates.")
>>> warning_text(msg, "zh", category=ConvergenceWarning)
'logit 模型在 26 次迭代后仍未收敛（容差 1e-10），估计值可能不准确。请检查是否存在分离问题，或对协变量重新标度。'
>>> warning_text(msg, "en") == msg
True
"""

from __future__ import annotations

import re
from typing import Mapping, Sequence

from policydiffusion.estimate import VcovSpec
from policydiffusion.report.i18n import TEXT, check_language, term_label, tr

__all__ = ["warning_kind", "warning_text", "vcov_text", "exclusion_reason", "WARNING_KINDS"]

#: warning category name -> kind (the i18n key is ``warning.<kind>``)
WARNING_KINDS = {"SeparationWarning": "separation", "ConvergenceWarning": "not_converged",
                 "ExclusionWarning": "dropped_missing"}

_SEPARATION = re.compile(r"separation: (?P<terms>.*?) perfectly predict.*?\((?P<rows>\d+) row")
_NOT_CONVERGED = re.compile(r"the (?P<link>\w+) fit did not converge in (?P<iterations>\d+) "
                            r"iterations(?: \(tolerance (?P<tol>[^)]+)\))?")
_DROPPED = re.compile(r"(?P<count>\d[\d,]*) rows? (?:with|had|have|has) (?:a )?missing value")
_PATTERNS = {"separation": _SEPARATION, "not_converged": _NOT_CONVERGED,
             "dropped_missing": _DROPPED}


def _category_name(category: type | str | None) -> str | None:
    if category is None or isinstance(category, str):
        return category
    for cls in category.__mro__:  # a subclass of a known warning counts as that warning
        if cls.__name__ in WARNING_KINDS:
            return cls.__name__
    return category.__name__


def warning_kind(message: str, category: type | str | None = None) -> str | None:
    """``"separation"``, ``"not_converged"``, ``"dropped_missing"`` or None (unknown).

    The category (a warning class or its name) decides when given; otherwise the
    message's wording does.

    Examples
    --------
    >>> warning_kind("the probit fit did not converge in 50 iterations")
    'not_converged'
    >>> warning_kind("something else", "SeparationWarning"), warning_kind("something else")
    ('separation', None)
    """
    name = _category_name(category)
    if name in WARNING_KINDS:
        return WARNING_KINDS[name]
    for kind, pattern in _PATTERNS.items():
        if pattern.search(message):
            return kind
    return None


def _terms(text: str) -> list[str]:
    quoted = re.findall(r"'((?:[^'\\]|\\.)*)'", text)
    return quoted or [t.strip() for t in text.split(",") if t.strip()]


def warning_text(message: str, lang: str, *, category: type | str | None = None,
                 labels: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A warning in ``lang``: English keeps the message; Chinese uses the templates.

    Parameters
    ----------
    message
        The warning's text as the estimator wrote it.
    category
        Its class (e.g. :class:`~policydiffusion.errors.SeparationWarning`) or class name.
    labels
        Display names of terms (the study file's ``report.labels``), used for the terms a
        separation warning names.

    Examples
    --------
    >>> msg = ("(quasi-)complete separation: 'x', 'z' perfectly predict(s) the outcome for a "
    ...        "subset of rows (3 row(s) have fitted hazards of 0 or 1). ...")
    >>> print(warning_text(msg, "zh", labels={"x": {"zh": "收入"}}))  # doctest: +ELLIPSIS
    （准）完全分离：“收入”、“z”对部分观测完美预测了结果（3 行的拟合风险率为 0 或 1）。...
    >>> warning_text("beware", "zh")
    '警告（英文原文）：beware'
    """
    check_language(lang)
    if lang == "en":
        return message
    kind = warning_kind(message, category)
    m = _PATTERNS[kind].search(message) if kind is not None else None
    if kind is None or m is None:
        return tr("warning.other", lang, message=message)
    if kind == "separation":
        names = [term_label(t, lang, labels) for t in _terms(m["terms"])]
        terms = "、".join(f"“{n}”" for n in names)
        note = tr("warning.separation.not_converged", lang) if "did not converge" in message else ""
        return tr("warning.separation", lang, terms=terms, rows=m["rows"], not_converged=note)
    if kind == "not_converged":
        tol = tr("warning.tolerance", lang, tol=m["tol"]) if m["tol"] else ""
        return tr("warning.not_converged", lang, link=m["link"], iterations=m["iterations"],
                  tolerance=tol)
    return tr("warning.dropped_missing", lang, count=m["count"])


def _column(name: str, lang: str) -> str:
    """A clustering column in Chinese where the report has a word for it (unit -> 单位);
    other names between spaces, as Latin words in Chinese text."""
    if lang == "en":
        return name
    return tr(f"col.{name}", lang) if f"col.{name}" in TEXT else f" {name} "


def vcov_text(vcov: object, lang: str, n_clusters: Sequence[int] = ()) -> str:
    """A variance specification (as in a study file, or a ``VcovSpec``) in words.

    The words are :meth:`~policydiffusion.estimate.VcovSpec.label`'s, so the report says
    exactly what the estimator says; this only supplies the report's names of the columns.

    Examples
    --------
    >>> vcov_text({"cluster": "unit"}, "en", [50])
    'cluster-robust by unit (G=50), Stata small-sample factor G/(G-1)'
    >>> vcov_text({"cluster": "unit"}, "zh", [50])
    '按单位聚类的稳健标准误（50 个聚类，Stata 小样本校正 G/(G-1)）'
    >>> vcov_text("hc0", "en")
    'heteroskedasticity-robust HC0'
    """
    check_language(lang)
    spec = VcovSpec.parse(vcov)
    names = {c: _column(c, lang) for c in spec.columns}
    return spec.label(list(n_clusters) or None, lang=lang, names=names).replace("  ", " ")


def exclusion_reason(reason: str, lang: str) -> str:
    """A recorded exclusion reason (English, as the study loader, risk-set builders and
    models write it) in ``lang``; a reason without an ``exclusion.*`` text is kept as recorded.

    Examples
    --------
    >>> exclusion_reason("rows with a missing value in a model variable", "zh")
    '模型变量存在缺失值的行'
    >>> exclusion_reason("something new", "zh")
    'something new'
    >>> exclusion_reason("relation 'net': edge names a unit outside the study (AK, HI); "
    ...                  "dropped (unknown_units='drop')", "zh")
    "关系 'net' 中涉及研究范围以外单位（AK, HI）的边，已删除（unknown_units='drop'）"
    """
    for key, entry in TEXT.items():
        if key.startswith("exclusion.") and entry["en"] == reason:
            return tr(key, lang)
    for key, entry in TEXT.items():  # reasons with values in them, e.g. a relation's name
        if key.startswith("exclusion.") and "{" in entry["en"]:
            pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>.+?)", re.escape(entry["en"]))
            m = re.fullmatch(pattern, reason)
            if m:
                return tr(key, lang, **m.groupdict())
    return reason
