"""Tidy coefficient tables and the printable summary object shared by all results."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from policydiffusion._format import fmt_num
from policydiffusion._labels import term_label

__all__ = ["Summary", "tidy_frame", "with_labels", "TIDY_COLUMNS", "INFERENCE_NOTE",
           "CoefficientsMixin"]

TIDY_COLUMNS = ["term", "estimate", "std_error", "statistic", "p_value", "conf_low", "conf_high"]
INFERENCE_NOTE = "z statistics; p-values from the normal distribution; 95% normal confidence intervals"


def tidy_frame(params: pd.Series, cov: pd.DataFrame, *, conf_level: float = 0.95) -> pd.DataFrame:
    """The standard tidy table from estimates and their covariance (normal inference).

    A variance that is not positive gives no test and no interval: a negative one
    (never clipped) gives a missing standard error, an exact 0 a standard error of 0
    with missing statistic, p-value and interval.

    Examples
    --------
    >>> t = tidy_frame(pd.Series([1.0, 2.0], index=["a", "b"]),
    ...                pd.DataFrame([[0.25, 0.0], [0.0, 0.0]]))
    >>> t["std_error"].tolist(), bool(np.isnan(t["p_value"][1]))
    ([0.5, 0.0], True)
    """
    est = params.to_numpy(dtype=float)
    var = np.diag(cov.to_numpy(dtype=float))
    with np.errstate(divide="ignore", invalid="ignore"):
        se = np.where(var >= 0, np.sqrt(np.where(var >= 0, var, 0.0)), np.nan)
        z = np.where(se > 0, est / np.where(se > 0, se, 1.0), np.nan)
        se_ok = np.where(se > 0, se, np.nan)
    q = norm.ppf(0.5 + conf_level / 2)
    return pd.DataFrame({"term": list(params.index), "estimate": est, "std_error": se,
                         "statistic": z, "p_value": 2 * norm.sf(np.abs(z)),
                         "conf_low": est - q * se_ok, "conf_high": est + q * se_ok})


def with_labels(t: pd.DataFrame) -> pd.DataFrame:
    """``t`` with a ``label`` column: each term as tables and the report print it
    (``Intercept`` -> "Constant"); ``term`` keeps the name for programmatic use.

    Examples
    --------
    >>> with_labels(pd.DataFrame({"term": ["Intercept", "neighbors_adopted:x"]}))["label"].tolist()
    ['Constant', 'Neighbours adopted × x']
    """
    return t.assign(label=[term_label(str(x), "en") for x in t["term"]])


def _fmt(v: object, digits: int = 4) -> str:
    if isinstance(v, (float, np.floating)):
        return fmt_num(v, digits, missing="NA", tiny=1e-4, whole=False)
    return str(v)


@dataclass(frozen=True)
class Summary:
    """A model summary for people: ``str()``, ``_repr_html_``, ``to_markdown``, ``to_latex``.

    A ``label`` column in ``table`` (results' ``tidy()`` has one) is shown in place of
    ``term``, so terms read as in regression tables and the report ("Constant")."""

    title: str
    info: Sequence[tuple[str, object]]
    table: pd.DataFrame
    notes: Sequence[str]

    def _shown(self) -> pd.DataFrame:
        """The table as printed: a ``label`` column takes the place of ``term``."""
        t = self.table
        if "label" not in t.columns or "term" not in t.columns:
            return t
        return t.assign(term=t["label"]).drop(columns="label")

    def _rows(self) -> list[list[str]]:
        return [[_fmt(v) if not isinstance(v, str) else v for v in row]
                for row in self._shown().itertuples(index=False)]

    def _head(self) -> list[str]:
        return [str(c) for c in self._shown().columns]

    def __str__(self) -> str:
        head = self._head()
        rows = self._rows()
        widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
                  for i, h in enumerate(head)]
        line = "  ".join(h.rjust(w) if i else h.ljust(w) for i, (h, w) in enumerate(
            zip(head, widths)))
        out = [self.title, "=" * len(self.title)]
        kw = max(len(k) for k, _ in self.info) if self.info else 0
        out += [f"{k.ljust(kw)}  {_fmt(v)}" for k, v in self.info]
        out += ["", line, "-" * len(line)]
        out += ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(
            zip(r, widths))) for r in rows]
        out += ["-" * len(line)] + [f"Note: {n}" for n in self.notes]
        return "\n".join(out)

    def __repr__(self) -> str:
        return str(self)

    def to_markdown(self) -> str:
        """The summary as GitHub-flavoured Markdown."""
        head = self._head()
        out = [f"**{self.title}**", ""]
        out += [f"- {k}: {_fmt(v)}" for k, v in self.info]
        out += ["", "| " + " | ".join(head) + " |", "|" + "|".join(
            ["---"] + ["---:"] * (len(head) - 1)) + "|"]
        out += ["| " + " | ".join(r) + " |" for r in self._rows()]
        out += [""] + [f"*{n}*" for n in self.notes]
        return "\n".join(out)

    def to_latex(self) -> str:
        """The summary as a LaTeX tabular (booktabs)."""
        def esc(s: str) -> str:
            for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"),
                         ("#", r"\#"), ("$", r"\$")):
                s = s.replace(a, b)
            return s

        head = [esc(c) for c in self._head()]
        out = [r"\begin{tabular}{l" + "r" * (len(head) - 1) + "}", r"\toprule",
               " & ".join(head) + r" \\", r"\midrule"]
        out += [" & ".join(esc(c) for c in r) + r" \\" for r in self._rows()]
        out += [r"\midrule"] + [rf"\multicolumn{{{len(head)}}}{{l}}{{{esc(k)}: {esc(_fmt(v))}}} \\"
                                for k, v in self.info]
        out += [rf"\multicolumn{{{len(head)}}}{{l}}{{\footnotesize {esc(n)}}} \\"
                for n in self.notes]
        out += [r"\bottomrule", r"\end{tabular}"]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        e = html.escape
        head = "".join(f"<th>{e(c)}</th>" for c in self._head())
        body = "".join("<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>"
                       for r in self._rows())
        info = "".join(f"<tr><th>{e(k)}</th><td>{e(_fmt(v))}</td></tr>" for k, v in self.info)
        notes = "".join(f"<p><small>{e(n)}</small></p>" for n in self.notes)
        return (f"<div><h4>{e(self.title)}</h4><table>{info}</table>"
                f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}</div>")


class CoefficientsMixin:
    """Shared figures of results holding ``params``, ``cov`` and ``loglik`` (each result
    writes its own ``tidy``)."""

    def _repr_html_(self) -> str:
        # a notebook shows the summary, not the dataclass with covariance and provenance
        return self.summary()._repr_html_()

    @property
    def k(self) -> int:
        """Number of estimated coefficients."""
        return len(self.params)

    @property
    def aic(self) -> float:
        """Akaike information criterion, -2 loglik + 2k (partial loglik for Cox)."""
        return -2 * self.loglik + 2 * self.k

    @property
    def std_errors(self) -> pd.Series:
        """Standard errors under the result's variance estimator: the square roots of
        ``cov``'s diagonal as computed, also for terms the result lists as not
        estimable or with a standard error not identified (``tidy()``, tables and JSON
        leave those out)."""
        return pd.Series(np.sqrt(np.diag(self.cov.to_numpy())), index=self.params.index)

    def _vcov_dict(self) -> dict:
        """The ``"vcov"`` entry of ``to_dict`` (needs ``vcov_spec``, ``vcov_label``,
        ``n_clusters``)."""
        return {"type": self.vcov_spec.kind, "label": self.vcov_label,
                "cluster": list(self.vcov_spec.columns),
                "n_clusters": [int(g) for g in self.n_clusters]}
