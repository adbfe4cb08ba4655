"""Regression tables: several models side by side, as in a paper's main table.

Coefficients with significance stars, standard errors in parentheses, then rows for
hidden fixed effects ("Policy fixed effects: Yes"), observations, events (unweighted
fits), clusters, log-likelihood, AIC, BIC and McFadden's pseudo R-squared, with the variance estimator's
label and the star thresholds in the notes. Rows come in the order asked for
(``order=``; the constant last by default); English or Chinese table words; HTML,
LaTeX, Markdown or CSV.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any, Callable, Mapping, Sequence

import numpy as np
import pandas as pd

from policydiffusion._format import fmt_num
from policydiffusion._display import with_html_table
from policydiffusion._labels import term_label
from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.report.document import _TEX as LATEX_SPECIAL
from policydiffusion.report.document import latex_label
from policydiffusion.report.i18n import TEXT, tr
from policydiffusion.report.translate import vcov_text
from policydiffusion.safe_output import neutralise_frame

__all__ = ["regression_table", "regression_table_frame", "order_terms", "matches"]

_WORDS = {
    "en": {"observations": "Observations", "events": "Events", "clusters": "Clusters",
           "loglik": "Log-likelihood", "aic": "AIC", "bic": "BIC",
           "pseudo_r2": "Pseudo R2 (McFadden)",
           "se_note": "Standard errors in parentheses.", "se_label": "Standard errors",
           "stars": "p < {p}", "sep": "; ", "colon": ": ", "gap": " ", "term": "", "yes": "Yes", "no": "No",
           "not_estimable": "not estimable", "firth": " (Firth)",
           "not_estimable_note": "Not estimable ({reason}): {model}: {terms}.",
           "firth_note": "{model}: refitted with Firth's penalised likelihood after "
                         "(quasi-)separation in {terms}.",
           "se_not_identified": "(not identified)",
           "hidden_fe": "the fixed effects not shown ({n} terms)", "and": " and ",
           "se_nested_note": "{model}: no standard error, test or interval for {terms}: nested "
                             "in the clusters by {cols}, so their cluster-robust standard "
                             "errors are not identified (the clusters carry no information in "
                             "their direction).",
           "psd_note": "{model}: the covariance was not positive semi-definite; negative "
                       "eigenvalues set to 0 (Cameron, Gelbach & Miller 2011), changing the "
                       "variances of {terms}."},
    "zh": {"observations": "观测数", "events": "事件数", "clusters": "聚类数", "loglik": "对数似然",
           "aic": "AIC", "bic": "BIC", "pseudo_r2": "伪R²（McFadden）",
           "se_note": "括号内为标准误。", "se_label": "标准误", "stars": "p < {p}",
           "sep": "；", "colon": "：", "gap": "", "term": "", "yes": "是", "no": "否",
           "not_estimable": "无法估计", "firth": "（Firth）",
           "not_estimable_note": "无法估计（{reason}）：{model}：{terms}。",
           "firth_note": "{model}：因（准）完全分离（{terms}）改用 Firth 惩罚似然估计。",
           "se_not_identified": "（无法识别）",
           "hidden_fe": "未列出的固定效应（{n} 项）", "and": "和",
           "se_nested_note": "{model}：{terms}嵌套于按{cols}划分的聚类之内，其聚类稳健标准误"
                             "无法识别（聚类在该方向上不含信息），故不报告标准误、"
                             "检验与置信区间。",
           "psd_note": "{model}：协方差矩阵非半正定，已将负特征值设为 0（Cameron, Gelbach & "
                       "Miller 2011），{terms} 的方差因此改变。"},
}
FORMATS = ("markdown", "html", "latex", "csv")
INTERCEPT = "Intercept"


def _stars(p: float, stars: Sequence[float]) -> str:
    if not np.isfinite(p):
        return ""
    return "*" * sum(p < s for s in stars)


def _num(v: float, digits: int) -> str:
    return fmt_num(v, digits, grouping=True, whole=False)


def matches(term: str, name: str) -> bool:
    """Whether ``name`` names ``term``: the term itself, or the factor behind a dummy.

    ``"C(policy)"`` names ``"C(policy)[T.lott]"``; interactions are matched whole.

    Examples
    --------
    >>> matches("C(policy)[T.lott]", "C(policy)"), matches("x", "x"), matches("x:z", "x")
    (True, True, False)
    """
    return term == name or (term.startswith(name + "[") and ":" not in term[len(name):])


def order_terms(terms: Sequence[str], order: Sequence[str] | None = None, *,
                intercept: str = "last") -> list[str]:
    """``terms`` rearranged: those named in ``order`` first, in that order, then the rest.

    The rest keep their order; the constant (``Intercept``) goes ``"first"`` or
    ``"last"`` unless ``order`` places it. An entry of ``order`` may name a factor
    (``"C(region)"``) to place all its dummies.

    Examples
    --------
    >>> order_terms(["Intercept", "age", "x", "C(r)[T.b]", "x:age"], ["x", "x:age"])
    ['x', 'x:age', 'age', 'C(r)[T.b]', 'Intercept']
    >>> order_terms(["x", "Intercept"], intercept="first")
    ['Intercept', 'x']
    """
    check_choice("intercept", intercept, ("first", "last"))
    placed: list[str] = []
    for name in order or ():
        placed += [t for t in terms if matches(t, name) and t not in placed]
    rest = [t for t in terms if t not in placed and t != INTERCEPT]
    out = placed + rest
    if INTERCEPT in terms and INTERCEPT not in placed:
        out = [INTERCEPT] + out if intercept == "first" else out + [INTERCEPT]
    return out


def _drop_groups(drop: Sequence[str] | Mapping[str, str] | None) -> dict[str, str | None]:
    """``{name: row label or None}`` from the ``drop=`` option."""
    if drop is None:
        return {}
    if isinstance(drop, str):
        return {drop: None}
    if isinstance(drop, Mapping):
        return {str(k): (str(v) if v else None) for k, v in drop.items()}
    return {str(k): None for k in drop}


def regression_table_frame(results: Mapping[str, Any], *, labels: Mapping[str, str] | None = None,
                           lang: str = "en", stars: Sequence[float] = (0.05, 0.01, 0.001),
                           digits: int = 3, order: Sequence[str] | None = None,
                           intercept: str = "last",
                           drop: Sequence[str] | Mapping[str, str] | None = None,
                           vcov_labels: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The table as a DataFrame (column ``term`` then one column per model).

    Each term has two rows: the estimate with stars and, below it, the standard error
    in parentheses. ``frame.attrs["notes"]`` holds the footer lines. The options are
    those of :func:`regression_table`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from policydiffusion.estimate import fit_hazard
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=400)})
    >>> df["y"] = (rng.random(400) < 1 / (1 + np.exp(1 - df.x))).astype(int)
    >>> t = regression_table_frame({"Model 1": fit_hazard(df, "y ~ x")}, labels={"x": "Income"})
    >>> t["term"].tolist()[:4]
    ['Income', '', 'Constant', '']
    """
    check_choice("lang", lang, tuple(_WORDS))
    if not results:
        raise InvalidOptionError("regression_table needs at least one result.")
    stars = tuple(sorted(stars, reverse=True))
    words = _WORDS[lang]
    labels = dict(labels or {})

    def label_of(term: str) -> str:  # the report's names, so table, summary and report agree
        return term_label(term, lang, labels)

    seen: list[str] = []
    for res in results.values():
        seen += [t for t in res.params.index if t not in seen]
    groups = _drop_groups(drop)
    hidden = {t for t in seen if any(matches(t, g) for g in groups)}
    terms = order_terms([t for t in seen if t not in hidden], order, intercept=intercept)
    rows: list[list[str]] = []
    tidies = {name: res.tidy().set_index("term") for name, res in results.items()}
    for term in terms:
        est_row, se_row = [label_of(term)], [""]
        for name, res in results.items():
            t = tidies[name]
            if term in getattr(res, "not_estimable", {}):
                est_row.append(words["not_estimable"])
                se_row.append("")
            elif term in t.index:
                r = t.loc[term]
                est_row.append(_num(r["estimate"], digits) + _stars(r["p_value"], stars))
                se_row.append(words["se_not_identified"]
                              if term in getattr(res, "se_not_identified", {})
                              else f"({_num(r['std_error'], digits)})")
            else:
                est_row += [""]
                se_row += [""]
        rows += [est_row, se_row]

    def stat(key: str, fn) -> list[str]:
        return [words[key]] + [fn(res) for res in results.values()]

    for name, row_label in groups.items():
        if row_label is not None:
            rows.append([row_label] + [
                words["yes" if any(matches(t, name) for t in res.params.index) else "no"]
                for res in results.values()])
    rows.append(stat("observations", lambda r: f"{int(r.nobs):,}"))
    if any(getattr(r, "n_events", None) is not None for r in results.values()):
        rows.append(stat("events", lambda r: "" if getattr(r, "n_events", None) is None
                         else f"{int(r.n_events):,}"))
    if any(getattr(r, "n_clusters", ()) for r in results.values()):
        rows.append(stat("clusters", lambda r: " / ".join(
            f"{int(g):,}" for g in getattr(r, "n_clusters", ()))))
    def fit_stat(value: Any) -> Any:
        # a fit that did not converge has no likelihood the estimator stands behind
        return lambda r: (words["not_estimable"] if getattr(r, "converged", True) is False
                          else _num(value(r), digits))

    rows.append(stat("loglik", fit_stat(lambda r: r.loglik)))
    rows.append(stat("aic", fit_stat(lambda r: r.aic)))
    if any(hasattr(r, "bic") for r in results.values()):
        rows.append(stat("bic", fit_stat(lambda r: getattr(r, "bic", np.nan))))
    if any(hasattr(r, "pseudo_r2") for r in results.values()):
        rows.append(stat("pseudo_r2", fit_stat(lambda r: getattr(r, "pseudo_r2", np.nan))))
    heads = [name + (words["firth"] if _refitted(res) else "") for name, res in results.items()]
    frame = pd.DataFrame(rows, columns=["term", *heads])
    star_note = ", ".join(f"{'*' * (i + 1)} {words['stars'].format(p=s)}"
                          for i, s in enumerate(stars))
    vlabels = {name: (vcov_labels or {}).get(name) or _vcov_words(r, lang)
               for name, r in results.items()}
    if len(set(vlabels.values())) == 1:
        se_line = f"{words['se_label']}{words['colon']}{next(iter(vlabels.values()))}"
    else:
        se_line = f"{words['se_label']}{words['colon']}" + words["sep"].join(
            f"{name}{words['colon']}{lab}" for name, lab in vlabels.items())
    frame.attrs["n_term_rows"] = 2 * len(terms)
    frame.attrs["hidden_terms"] = [t for t in seen if t in hidden]
    frame.attrs["notes"] = [words["se_note"] + words["gap"] + se_line, star_note,
                            *_trust_notes(results, words, label_of, lang, hidden=hidden)]
    return frame


def _in_lang(prefix: str, english: str, lang: str) -> str:
    """The estimator's English words in ``lang``, through the report's texts (kept as
    they are where the report has no text for them)."""
    for key, entry in TEXT.items():
        if key.startswith(prefix) and entry["en"] == english:
            return tr(key, lang)
    return english


def _vcov_words(res: Any, lang: str) -> str:
    """The result's variance label in ``lang``: in Chinese from its specification, as
    the report writes it, with the King-Zeng factor where the label has it."""
    spec = getattr(res, "vcov_spec", None)
    if lang == "en" or spec is None:
        return res.vcov_label
    kz = TEXT["vcov.king_zeng"]
    return (vcov_text(spec, lang, getattr(res, "n_clusters", ()))
            + (kz[lang] if res.vcov_label.endswith(kz["en"]) else ""))


def _refitted(res: Any) -> bool:
    return bool(getattr(res, "provenance", {}).get("separation_refit"))


def _trust_notes(results: Mapping[str, Any], words: Mapping[str, str],
                 label_of: Callable[[str], str], lang: str, *,
                 hidden: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """Notes on terms not estimable, standard errors not identified, Firth refits and
    corrected covariances."""
    sep = "、" if lang == "zh" else ", "
    out = []
    for name, res in results.items():
        by_reason: dict[str, list[str]] = {}
        for t, why in getattr(res, "not_estimable", {}).items():
            by_reason.setdefault(why, []).append(label_of(t))
        for why, ts in by_reason.items():
            reason = _in_lang("not_estimable.", why, lang)
            out.append(words["not_estimable_note"].format(reason=reason, model=name,
                                                          terms=sep.join(ts)))
        nested: dict[str, list[str]] = {}
        n_hidden: dict[str, int] = {}
        for t, why in getattr(res, "se_not_identified", {}).items():
            cols = words["and"].join(getattr(why, "clusters", ()))  # a NotIdentified record
            nested.setdefault(cols, [])
            if t in hidden:
                n_hidden[cols] = n_hidden.get(cols, 0) + 1
            else:
                nested[cols].append(label_of(t))
        for cols, ts in nested.items():
            if n_hidden.get(cols):
                ts = ts + [words["hidden_fe"].format(n=n_hidden[cols])]
            out.append(words["se_nested_note"].format(model=name, terms=sep.join(ts),
                                                      cols=cols))
        if _refitted(res):
            ts = [label_of(t) for t in res.provenance["separation_refit"]["terms"]]
            out.append(words["firth_note"].format(model=name, terms=sep.join(ts)))
        corr = getattr(res, "vcov_correction", None)
        if corr:
            ts = [label_of(t) for t in corr["terms"]]
            out.append(words["psd_note"].format(model=name, terms=sep.join(ts)))
    return out


def _latex_escape(s: str) -> str:
    # one character at a time, so the braces of \textbackslash{} are not escaped again
    s = "".join(LATEX_SPECIAL.get(ch, ch) for ch in s)
    return re.sub(r"\*+", lambda m: "$^{" + m.group(0) + "}$", s)


@with_html_table
def regression_table(results: Mapping[str, Any], *, labels: Mapping[str, str] | None = None,
                     fmt: str = "markdown", lang: str = "en",
                     stars: Sequence[float] = (0.05, 0.01, 0.001), digits: int = 3,
                     order: Sequence[str] | None = None, intercept: str = "last",
                     drop: Sequence[str] | Mapping[str, str] | None = None,
                     vcov_labels: Mapping[str, str] | None = None, caption: str = "",
                     label: str = "") -> str:
    """Models side by side as Markdown, HTML, LaTeX or CSV text.

    LaTeX is a ``table`` float ready for a paper: ``caption`` and ``label`` (when
    given), a booktabs ``tabular`` with minus signs as ``\\textminus``, and the notes
    under it as ``threeparttable`` table notes (the preamble needs
    ``\\usepackage{booktabs,threeparttable}``).

    The text is a ``str`` that a notebook renders as the HTML table.

    Parameters
    ----------
    results
        ``{"Model 1": res1, "Model 2": res2}``; any results with ``params``, ``tidy()``,
        ``nobs``, ``loglik``, ``aic`` and ``vcov_label`` (hazard and Cox results).
    labels
        Display names for terms, e.g. ``{"x1": "Neighbours adopted (lag 1)"}``; other
        terms are named as the report and ``res.summary()`` name them
        (:func:`~policydiffusion.report.i18n.term_label`: ``Intercept`` is "Constant",
        ``a:b`` is "a × b").
    fmt
        ``"markdown"``, ``"html"``, ``"latex"`` or ``"csv"``.
    lang
        ``"en"`` or ``"zh"`` for the table's own words (Observations / 观测数, ...), the
        term labels (Constant / 常数项) and the notes: variance labels, reasons a term is
        not estimable, Firth refits and corrected covariances.
    stars
        p-value thresholds for one, two and three stars.
    digits
        Decimal places.
    order
        Terms shown first, in this order (key variables before controls); the other
        terms follow in the order the models first list them. A factor's name
        (``"C(region)"``) places all its dummies.
    intercept
        ``"last"`` (as many journals print it) or ``"first"``: where the constant goes
        when ``order`` does not place it.
    drop
        Terms or factors to hide, e.g. ``["C(policy)"]`` for policy dummies. A mapping
        ``{"C(policy)": "Policy fixed effects"}`` also adds a row with that label saying
        Yes or No for each model, as journals mark fixed effects.
    vcov_labels
        ``{model: text}`` replacing a model's variance label in the notes (by default
        the estimator's label, in the table's language).
    caption, label
        LaTeX only: with either, the tabular comes in a floating ``table`` with
        ``\\caption`` and ``\\label`` and the notes as ``threeparttable`` table notes
        (``\\usepackage{booktabs,threeparttable}``); minus signs are ``\\textminus``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from policydiffusion.estimate import fit_hazard
    >>> df = pd.DataFrame({"x": np.arange(10.0), "y": [0, 0, 1, 0, 0, 1, 0, 1, 1, 1]})
    >>> print(regression_table({"(1)": fit_hazard(df, "y ~ x")}, lang="zh").splitlines()[6])
    | 观测数 | 10 |
    >>> df["g"] = list("abababaabb")
    >>> m = {"(1)": fit_hazard(df, "y ~ x"), "(2)": fit_hazard(df, "y ~ x + C(g)")}
    >>> print(regression_table(m, drop={"C(g)": "Group effects"}).splitlines()[6])
    | Group effects | No | Yes |
    """
    check_choice("fmt", fmt, FORMATS)
    frame = regression_table_frame(results, labels=labels, lang=lang, stars=stars,
                                   digits=digits, order=order, intercept=intercept, drop=drop,
                                   vcov_labels=vcov_labels)
    notes = frame.attrs["notes"]
    cols = list(frame.columns)
    head = [""] + cols[1:]
    body = frame.to_numpy().tolist()
    if fmt == "csv":
        buf = io.StringIO()
        out = pd.DataFrame(body + [[n] + [""] * (len(cols) - 1) for n in notes], columns=head)
        neutralise_frame(out).to_csv(buf, index=False)
        return buf.getvalue()
    if fmt == "markdown":
        lines = ["| " + " | ".join(head) + " |",
                 "|" + "|".join([":---"] + [":---:"] * (len(head) - 1)) + "|"]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in body]
        return "\n".join(lines + [""] + [n.replace("*", "\\*") for n in notes]) + "\n"
    if fmt == "html":
        e = html.escape
        th = "".join(f"<th>{e(h)}</th>" for h in head)
        trs = "".join("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in row) + "</tr>"
                      for row in body)
        foot = "".join(f'<tr><td colspan="{len(head)}"><small>{e(n)}</small></td></tr>'
                       for n in notes)
        return (f'<table class="regression-table"><thead><tr>{th}</tr></thead>'
                f"<tbody>{trs}</tbody><tfoot>{foot}</tfoot></table>\n")
    n_terms = frame.attrs["n_term_rows"]
    lines = [r"% needs \usepackage{booktabs,threeparttable}", r"\begin{table}[htbp]",
             r"\centering", r"\begin{threeparttable}"]
    if caption:
        lines.append(r"\caption{" + _latex_escape(caption) + "}")
    if label:
        lines.append(latex_label(label))
    lines += [r"\begin{tabular}{l" + "c" * (len(head) - 1) + "}", r"\toprule",
              " & ".join(_latex_escape(h) for h in head) + r" \\", r"\midrule"]
    for i, row in enumerate(body):
        if i == n_terms:
            lines.append(r"\midrule")
        term = str(row[0])
        if ":" in term and " " not in term:  # a raw interaction term, x:z
            first = r" $\times$ ".join(_latex_escape(p) for p in term.split(":"))
        else:
            first = _latex_cell(term)
        lines.append(" & ".join([first, *(_latex_cell(str(c)) for c in row[1:])]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", r"\begin{tablenotes}\footnotesize"]
    lines += [r"\item " + _latex_escape(n) for n in notes]
    lines += [r"\end{tablenotes}", r"\end{threeparttable}", r"\end{table}"]
    return "\n".join(lines) + "\n"


def _latex_cell(s: str) -> str:
    """A table cell: a number's leading minus as a minus sign, not a hyphen."""
    m = re.match(r"^(\(?)-(?=[\d.])", s)
    if m:
        s = m.group(1) + "\x00" + s[m.end():]
    return _latex_escape(s).replace("\x00", r"\textminus{}")
