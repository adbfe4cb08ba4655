"""Regression tables: several models side by side, as in a paper's main table.

Coefficients with significance stars, standard errors in parentheses, then
observations, clusters, log-likelihood, AIC and McFadden's pseudo R-squared, with the
variance estimator's label and the star thresholds in the notes. English or Chinese
table words; HTML, LaTeX, Markdown or CSV.
"""

from __future__ import annotations

import html
import io
import re
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError, check_choice

__all__ = ["regression_table", "regression_table_frame"]

_WORDS = {
    "en": {"observations": "Observations", "clusters": "Clusters",
           "loglik": "Log-likelihood", "aic": "AIC", "pseudo_r2": "Pseudo R2 (McFadden)",
           "se_note": "Standard errors in parentheses.", "se_label": "Standard errors",
           "stars": "p < {p}", "sep": "; ", "colon": ": ", "term": ""},
    "zh": {"observations": "观测数", "clusters": "聚类数", "loglik": "对数似然",
           "aic": "AIC", "pseudo_r2": "伪R²（McFadden）",
           "se_note": "括号内为标准误。", "se_label": "标准误", "stars": "p < {p}",
           "sep": "；", "colon": "：", "term": ""},
}
FORMATS = ("markdown", "html", "latex", "csv")


def _stars(p: float, stars: Sequence[float]) -> str:
    if not np.isfinite(p):
        return ""
    return "*" * sum(p < s for s in stars)


def _num(v: float, digits: int) -> str:
    return "" if v is None or not np.isfinite(v) else f"{v:,.{digits}f}"


def regression_table_frame(results: Mapping[str, Any], *, labels: Mapping[str, str] | None = None,
                           lang: str = "en", stars: Sequence[float] = (0.05, 0.01, 0.001),
                           digits: int = 3) -> pd.DataFrame:
    """The table as a DataFrame (column ``term`` then one column per model).

    Each term has two rows: the estimate with stars and, below it, the standard error
    in parentheses. ``frame.attrs["notes"]`` holds the footer lines.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from policydiffusion.estimate import fit_hazard
    >>> rng = np.random.default_rng(0)
    >>> df = pd.DataFrame({"x": rng.normal(size=400)})
    >>> df["y"] = (rng.random(400) < 1 / (1 + np.exp(1 - df.x))).astype(int)
    >>> t = regression_table_frame({"Model 1": fit_hazard(df, "y ~ x")}, labels={"x": "Income"})
    >>> t["term"].tolist()[:4]
    ['Intercept', '', 'Income', '']
    """
    check_choice("lang", lang, tuple(_WORDS))
    if not results:
        raise InvalidOptionError("regression_table needs at least one result.")
    stars = tuple(sorted(stars, reverse=True))
    words = _WORDS[lang]
    labels = dict(labels or {})
    terms: list[str] = []
    for res in results.values():
        terms += [t for t in res.params.index if t not in terms]
    rows: list[list[str]] = []
    tidies = {name: res.tidy().set_index("term") for name, res in results.items()}
    for term in terms:
        est_row, se_row = [labels.get(term, term)], [""]
        for name in results:
            t = tidies[name]
            if term in t.index:
                r = t.loc[term]
                est_row.append(_num(r["estimate"], digits) + _stars(r["p_value"], stars))
                se_row.append(f"({_num(r['std_error'], digits)})")
            else:
                est_row += [""]
                se_row += [""]
        rows += [est_row, se_row]

    def stat(key: str, fn) -> list[str]:
        return [words[key]] + [fn(res) for res in results.values()]

    rows.append(stat("observations", lambda r: f"{int(r.nobs):,}"))
    if any(getattr(r, "n_clusters", ()) for r in results.values()):
        rows.append(stat("clusters", lambda r: " / ".join(
            f"{int(g):,}" for g in getattr(r, "n_clusters", ()))))
    rows.append(stat("loglik", lambda r: _num(r.loglik, digits)))
    rows.append(stat("aic", lambda r: _num(r.aic, digits)))
    if any(hasattr(r, "pseudo_r2") for r in results.values()):
        rows.append(stat("pseudo_r2", lambda r: _num(getattr(r, "pseudo_r2", np.nan), digits)))
    frame = pd.DataFrame(rows, columns=["term", *results.keys()])
    star_note = ", ".join(f"{'*' * (i + 1)} {words['stars'].format(p=s)}"
                          for i, s in enumerate(stars))
    vlabels = {name: r.vcov_label for name, r in results.items()}
    if len(set(vlabels.values())) == 1:
        se_line = f"{words['se_label']}{words['colon']}{next(iter(vlabels.values()))}"
    else:
        se_line = f"{words['se_label']}{words['colon']}" + words["sep"].join(
            f"{name}: {lab}" for name, lab in vlabels.items())
    frame.attrs["n_term_rows"] = 2 * len(terms)
    frame.attrs["notes"] = [words["se_note"] + " " + se_line, star_note]
    return frame


def _latex_escape(s: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"),
                 ("#", r"\#"), ("$", r"\$"), ("{", r"\{"), ("}", r"\}")):
        s = s.replace(a, b)
    return re.sub(r"\*+", lambda m: "$^{" + m.group(0) + "}$", s)


def regression_table(results: Mapping[str, Any], *, labels: Mapping[str, str] | None = None,
                     fmt: str = "markdown", lang: str = "en",
                     stars: Sequence[float] = (0.05, 0.01, 0.001), digits: int = 3) -> str:
    """Models side by side as Markdown, HTML, LaTeX or CSV text.

    Parameters
    ----------
    results
        ``{"Model 1": res1, "Model 2": res2}``; any results with ``params``, ``tidy()``,
        ``nobs``, ``loglik``, ``aic`` and ``vcov_label`` (hazard and Cox results).
    labels
        Display names for terms, e.g. ``{"x1": "Neighbours adopted (lag 1)"}``.
    fmt
        ``"markdown"``, ``"html"``, ``"latex"`` or ``"csv"``.
    lang
        ``"en"`` or ``"zh"`` for the table's own words (Observations / 观测数, ...).
    stars
        p-value thresholds for one, two and three stars.
    digits
        Decimal places.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from policydiffusion.estimate import fit_hazard
    >>> df = pd.DataFrame({"x": np.arange(10.0), "y": [0, 0, 1, 0, 0, 1, 0, 1, 1, 1]})
    >>> print(regression_table({"(1)": fit_hazard(df, "y ~ x")}, lang="zh").splitlines()[6])
    | 观测数 | 10 |
    """
    check_choice("fmt", fmt, FORMATS)
    frame = regression_table_frame(results, labels=labels, lang=lang, stars=stars,
                                   digits=digits)
    notes = frame.attrs["notes"]
    cols = list(frame.columns)
    head = [""] + cols[1:]
    body = frame.to_numpy().tolist()
    if fmt == "csv":
        buf = io.StringIO()
        out = pd.DataFrame(body + [[n] + [""] * (len(cols) - 1) for n in notes], columns=head)
        out.to_csv(buf, index=False)
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
    lines = [r"\begin{tabular}{l" + "c" * (len(head) - 1) + "}", r"\toprule",
             " & ".join(_latex_escape(h) for h in head) + r" \\", r"\midrule"]
    for i, row in enumerate(body):
        if i == n_terms:
            lines.append(r"\midrule")
        lines.append(" & ".join(_latex_escape(str(c)) for c in row) + r" \\")
    lines.append(r"\bottomrule")
    lines += [rf"\multicolumn{{{len(head)}}}{{l}}{{\footnotesize {_latex_escape(n)}}} \\"
              for n in notes]
    lines.append(r"\end{tabular}")
    return "\n".join(lines) + "\n"
