"""Estimator output in the report's language: warnings, variance labels, exclusion reasons.

The estimators speak English. Their warnings carry their facts as fields
(:class:`~policydiffusion.errors.PolicyDiffusionWarning`: the separating terms and rows,
the iterations and tolerance, the terms of a corrected covariance, ...);
:func:`warning_text` writes a warning in the report's language from its kind and
fields with the templates in :data:`~policydiffusion.report.i18n.TEXT`, never by
reading its English message back. A warning without the fields its template needs
keeps its English text behind a Chinese prefix. :func:`vcov_text` says a variance
specification in words.

Examples
--------
>>> from policydiffusion.errors import ConvergenceWarning
>>> w = ConvergenceWarning("the logit fit did not converge in 26 iterations (tolerance "
...                        "1e-10); ...", link="logit", iterations=26, tolerance=1e-10)
>>> warning_text(w, "zh")
'logit 模型在 26 次迭代后仍未收敛（容差 1e-10），估计值可能不准确。请检查是否存在分离问题，或对协变量重新标度。'
>>> warning_text(w, "en") == str(w)
True
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Sequence

from policydiffusion.estimate import VcovSpec
from policydiffusion.report.i18n import TEXT, check_language, term_label, tr

__all__ = ["warning_kind", "warning_text", "vcov_text", "exclusion_reason", "WARNING_KINDS"]

#: warning category name -> kind (the i18n key is ``warning.<kind>``), for warnings
#: known only by their class name (as run.json stores them)
WARNING_KINDS = {"SeparationWarning": "separation", "ConvergenceWarning": "not_converged",
                 "ExclusionWarning": "dropped_missing",
                 "VarianceCorrectionWarning": "vcov_not_psd",
                 "FittedProbabilityWarning": "fitted_extreme",
                 "SubgroupTermsWarning": "subgroup_dropped"}

#: the fields each kind's template needs
_NEEDS = {"separation": ("terms", "rows"), "not_converged": ("link", "iterations"),
          "dropped_missing": ("count",), "vcov_not_psd": ("terms",),
          "fitted_extreme": ("rows",), "subgroup_dropped": ("group", "by", "terms")}


def _category_name(category: type | str | None) -> str | None:
    if category is None or isinstance(category, str):
        return category
    for cls in category.__mro__:  # a subclass of a known warning counts as that warning
        if cls.__name__ in WARNING_KINDS:
            return cls.__name__
    return category.__name__


def warning_kind(warning: Any, category: type | str | None = None) -> str | None:
    """``"separation"``, ``"not_converged"``, ... or None (unknown), from the warning's
    class (an instance, its class, or the class name as ``category``), never its wording.

    Examples
    --------
    >>> from policydiffusion.errors import SeparationWarning
    >>> warning_kind(SeparationWarning("..."))
    'separation'
    >>> warning_kind("something else", "SeparationWarning"), warning_kind("something else")
    ('separation', None)
    """
    if category is None:
        category = getattr(warning, "category", None)
    if category is None and isinstance(warning, Warning):
        category = type(warning)
    return WARNING_KINDS.get(_category_name(category) or "")


def _terms(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else [str(t) for t in value]


def warning_text(warning: Any, lang: str, *, category: type | str | None = None,
                 fields: Mapping[str, Any] | None = None,
                 labels: Mapping[str, Mapping[str, str]] | None = None) -> str:
    """A warning in ``lang``: English keeps the message; Chinese uses the templates.

    Parameters
    ----------
    warning
        The warning: an instance, a :class:`~policydiffusion.pipeline.models.FitWarning`
        or its message.
    category
        Its class or class name, when ``warning`` does not say it.
    fields
        Its facts, when ``warning`` does not carry them (``warning.fields``).
    labels
        Display names of terms (the study file's ``report.labels``), used for the terms a
        warning names.

    Examples
    --------
    >>> print(warning_text("(quasi-)complete separation: ...", "zh",
    ...                    category="SeparationWarning", fields={"terms": ["x", "z"], "rows": 3},
    ...                    labels={"x": {"zh": "收入"}}))  # doctest: +ELLIPSIS
    （准）完全分离：“收入”、“z”对部分观测完美预测了结果（3 行的拟合风险率为 0 或 1）。...
    >>> warning_text("beware", "zh")
    '警告（英文原文）：beware'
    """
    check_language(lang)
    message = str(warning)
    if lang == "en":
        return message
    kind = warning_kind(warning, category)
    f = dict(getattr(warning, "fields", None) or {}) if fields is None else dict(fields)
    if kind is None or not all(k in f for k in _NEEDS[kind]):
        return tr("warning.other", lang, message=message)

    def names(key: str) -> str:
        return "、".join(f"“{term_label(t, lang, labels)}”" for t in _terms(f[key]))

    if kind == "separation":
        note = "" if f.get("converged", True) else tr("warning.separation.not_converged", lang)
        return tr("warning.separation", lang, terms=names("terms"), rows=f["rows"],
                  not_converged=note)
    if kind == "not_converged":
        tol = tr("warning.tolerance", lang, tol=f["tolerance"]) if f.get("tolerance") else ""
        return tr("warning.not_converged", lang, link=f["link"], iterations=f["iterations"],
                  tolerance=tol)
    if kind == "dropped_missing":
        count = f["count"]
        return tr("warning.dropped_missing", lang,
                  count=f"{count:,}" if isinstance(count, int) else count)
    if kind == "subgroup_dropped":
        return tr("warning.subgroup_dropped", lang, group=f["group"],
                  by=term_label(str(f["by"]), lang, labels), terms=names("terms"))
    if kind == "vcov_not_psd":
        return tr("warning.vcov_not_psd", lang, terms=names("terms"))
    return tr("warning.fitted_extreme", lang, rows=f["rows"])


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
