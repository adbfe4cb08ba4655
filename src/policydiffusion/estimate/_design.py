"""Formula -> model matrix, one chunk at a time, with a specification fixed up front.

A :class:`Design` is built once from the formula, the column types and the distinct
levels of every categorical variable (collected in a cheap first pass), so every
chunk yields the same columns in the same order. Formulas made only of numeric
columns and their products take a fast path that fills the matrix with numpy
directly; everything else goes through formulaic's ``ModelSpec``.
"""

from __future__ import annotations

import re
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence

import numpy as np
import pandas as pd

from policydiffusion.errors import InvalidOptionError

__all__ = ["Design", "Prepared", "parse_formula", "build_design"]

_C_VAR = re.compile(r"\bC\(\s*([A-Za-z_][\w.]*)")
_NAME = re.compile(r"^[A-Za-z_][\w.]*$")


def parse_formula(formula: str) -> tuple[str, str]:
    """Split ``"y ~ x1 + x2"`` into the response column and the right-hand side."""
    if not isinstance(formula, str) or formula.count("~") != 1:
        raise InvalidOptionError(
            f"formula must look like 'adopt ~ x1 + x2' (one '~'); got {formula!r}.")
    lhs, rhs = (s.strip() for s in formula.split("~"))
    if not _NAME.match(lhs):
        raise InvalidOptionError(
            f"the left of '~' must be one column name (the 0/1 outcome); got {lhs!r}.")
    if not rhs:
        raise InvalidOptionError(f"formula {formula!r} has nothing right of '~'; use '~ 1'.")
    return lhs, rhs


@dataclass
class Prepared:
    """One chunk ready for the estimators: complete cases only."""

    n_raw: int
    n_dropped: int
    y: np.ndarray | None
    w: np.ndarray | None
    codes: dict[str, np.ndarray]
    X: np.ndarray | None = None
    cols: dict[str, np.ndarray] = field(default_factory=dict)
    keep: np.ndarray | None = None  # boolean mask of kept raw rows (None = all kept)

    @property
    def n(self) -> int:
        return (self.X.shape[0] if self.X is not None else
                (self.y.shape[0] if self.y is not None else int(self.keep.sum())))

    def nbytes(self) -> int:
        arrs = [self.y, self.w, self.X, *self.codes.values(), *self.cols.values()]
        return sum(a.nbytes for a in arrs if a is not None)


@contextmanager
def _quiet_formulaic() -> Iterator[None]:
    """Model matrices without numpy's or formulaic's warnings: formulaic warns of a
    missing level (a missing value, or one :meth:`Design._typed` coded missing as
    unseen) and gives its row the base level's zeros; :meth:`Design._complete` marks
    that row, which ``prepare`` drops and counts (and ``predict`` scores missing, which
    ``out_of_time`` counts)."""
    from formulaic.errors import DataMismatchWarning

    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", DataMismatchWarning)
        yield


@dataclass(frozen=True)
class Design:
    """A fixed formula specification that turns any chunk into the same model matrix."""

    formula: str
    response: str
    rhs: str
    variables: tuple[str, ...]
    levels: Mapping[str, np.ndarray]
    term_names: tuple[str, ...]
    spec: Any
    fast: tuple[tuple[str, ...], ...] | None

    @property
    def k(self) -> int:
        return len(self.term_names)

    def _typed(self, frame: pd.DataFrame) -> pd.DataFrame:
        out = {}
        for v in self.variables:
            s = frame[v]
            if v in self.levels:
                # a level the design does not have (new in later periods) is coded
                # missing: callers count such rows (out_of_time) or refuse them
                out[v] = categorical(s, self.levels[v])
            else:
                out[v] = s.to_numpy(dtype=np.float64, na_value=np.nan)
        return pd.DataFrame(out, index=frame.index, copy=False)

    def _complete(self, typed: pd.DataFrame) -> np.ndarray:
        ok = np.ones(len(typed), dtype=bool)
        for v in self.variables:
            s = typed[v]
            if v in self.levels:
                ok &= np.asarray(s.cat.codes) >= 0
            else:
                ok &= ~np.isnan(s.to_numpy())
        return ok

    def matrix(self, typed: pd.DataFrame) -> np.ndarray:
        """Model matrix (float64, rows of ``typed``) through formulaic."""
        with _quiet_formulaic():
            mm = self.spec.get_model_matrix(typed, na_action="ignore")
        return np.asarray(mm, dtype=np.float64)

    def block(self, prep: Prepared, a: int, b: int) -> np.ndarray:
        """Rows ``a:b`` of a prepared chunk's model matrix."""
        if prep.X is not None:
            return prep.X[a:b]
        X = np.empty((b - a, self.k), dtype=np.float64, order="F")  # column copies
        for j, names in enumerate(self.fast):
            if not names:
                X[:, j] = 1.0
            elif len(names) == 1:
                X[:, j] = prep.cols[names[0]][a:b]
            else:
                np.multiply(prep.cols[names[0]][a:b], prep.cols[names[1]][a:b], out=X[:, j],
                            dtype=np.float64)
                for nm in names[2:]:
                    X[:, j] *= prep.cols[nm][a:b]
        return X

    def prepare(self, frame: pd.DataFrame, *, weights: str | None = None,
                clusters: Mapping[str, np.ndarray] | None = None, need_y: bool = True,
                keep_rows: bool = False) -> Prepared:
        """Complete cases of one chunk: response, weights, cluster codes and design.

        Rows with a missing value in any model variable, the weights or a cluster
        column are dropped and counted; so are rows whose model-matrix row is not
        finite (e.g. ``np.log`` of a negative number).
        """
        n = len(frame)
        ok = np.ones(n, dtype=bool)
        X = None
        cols: dict[str, np.ndarray] = {}
        if self.fast is None:
            typed = self._typed(frame)
            ok &= self._complete(typed)
            X = self.matrix(typed)
            ok &= np.isfinite(X).all(axis=1)
        else:  # numeric columns only: views of the caller's arrays where possible
            for v in self.variables:
                # integer and boolean columns stay narrow (a 0/1 flag: 1 byte a row, not 8)
                # so that more prepared chunks fit the cache; block() widens them
                cols[v] = _numeric(frame[v], keep_int=True)
                if cols[v].dtype.kind == "f":
                    ok &= ~np.isnan(cols[v])
        y = w = None
        if need_y:
            y = _numeric(frame[self.response], keep_int=True)
            if y.dtype.kind == "f":
                ok &= ~np.isnan(y)
        if weights is not None:
            w = _numeric(frame[weights])
            ok &= ~np.isnan(w)
        codes = {}
        for col, lev in (clusters or {}).items():
            c = categorical(frame[col], lev).codes
            ok &= c >= 0
            codes[col] = c
        all_ok = bool(ok.all())
        sel = slice(None) if all_ok else ok
        if X is not None:
            X = X if all_ok else X[ok]
        elif not all_ok:
            cols = {v: arr[ok] for v, arr in cols.items()}
        if y is not None:
            y = y[sel]
            bad = ~((y == 0) | (y == 1))
            if bad.any():
                raise InvalidOptionError(
                    f"the outcome {self.response!r} must be 0/1 in a binary hazard model; "
                    f"found {int(bad.sum())} other value(s), e.g. {y[bad][0]!r}.")
        if w is not None:
            w = w[sel]
            if (w < 0).any() or not np.isfinite(w).all():
                raise InvalidOptionError(
                    f"weights {weights!r} must be finite and non-negative.")
        codes = {c: v[sel] for c, v in codes.items()}
        return Prepared(n_raw=len(frame), n_dropped=int(len(frame) - ok.sum()), y=y, w=w,
                        codes=codes, X=X, cols=cols,
                        keep=None if (all_ok and not keep_rows) else ok)


def categorical(values, levels) -> pd.Categorical:
    """``values`` as a categorical over ``levels``, a value that is missing or not a
    level coded missing (-1). ``pd.Categorical(values, categories=)`` gives the same
    codes but deprecates values outside the categories (pandas 3 warns, pandas 4 will
    raise); looking them up in an index is the supported way.

    Examples
    --------
    >>> categorical(pd.Series(["b", None, "z", "a"]), np.array(["a", "b"], dtype=object)).codes
    array([ 1, -1, -1,  0], dtype=int8)
    """
    index = pd.Index(levels)
    return pd.Categorical.from_codes(index.get_indexer_for(values), categories=index)


def _numeric(s: pd.Series, *, keep_int: bool = False) -> np.ndarray:
    """A column as a numeric numpy array: a view when it already is float64 (or an integer
    type with ``keep_int``), else a float64 copy with NaN for missing values."""
    arr = s.to_numpy() if not s.hasnans else None
    if arr is not None and (arr.dtype == np.float64 or (keep_int and arr.dtype.kind in "iub")):
        return arr
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def _fast_spec(spec: Any, levels: Mapping[str, Any]) -> tuple[tuple[str, ...], ...] | None:
    """Per column, the numeric variables whose product it is; None if not that simple."""
    out = []
    for st in spec.structure:
        if len(st.columns) != 1:
            return None
        names = []
        for factor in st.term.factors:
            method = factor.eval_method.value
            if method == "literal" and str(factor.expr) == "1":
                continue
            if method != "lookup" or factor.expr in levels:
                return None
            names.append(str(factor.expr))
        out.append(tuple(names))
    return tuple(out)


def build_design(formula: str, sample: pd.DataFrame, *,
                 levels: Mapping[str, np.ndarray]) -> Design:
    """Fix the model-matrix specification from a sample chunk and the known levels."""
    from formulaic import Formula, model_matrix

    response, rhs = parse_formula(formula)
    try:
        variables = tuple(sorted(Formula(rhs).required_variables))
    except Exception as exc:  # formulaic parse errors
        raise InvalidOptionError(f"cannot parse formula {formula!r}: {exc}") from exc
    design0 = Design(formula, response, rhs, variables, dict(levels), (), None, None)
    typed = design0._typed(sample)
    try:
        with _quiet_formulaic():
            mm = model_matrix(rhs, typed, na_action="ignore")
    except Exception as exc:
        raise InvalidOptionError(f"cannot build the model matrix for {formula!r}: {exc}") from exc
    spec = mm.model_spec
    names = tuple(str(c) for c in mm.columns)
    fast = _fast_spec(spec, levels)
    design = Design(formula, response, rhs, variables, dict(levels), names, spec, fast)
    if fast is not None:  # prove the fast path reproduces formulaic on the sample
        head = typed.iloc[:2000]
        prep = Prepared(len(head), 0, None, None, {},
                        cols={v: head[v].to_numpy() for v in variables})
        ref = np.asarray(mm, dtype=np.float64)[: len(head)]
        mine = design.block(prep, 0, len(head))
        if mine.shape != ref.shape or not np.array_equal(np.isnan(mine), np.isnan(ref)) or \
                not np.allclose(np.nan_to_num(mine), np.nan_to_num(ref), rtol=0, atol=0):
            design = Design(formula, response, rhs, variables, dict(levels), names, spec, None)
    return design


def categorical_variables(rhs: str, sample: pd.DataFrame, variables: Sequence[str]) -> list[str]:
    """Variables that are categorical: non-numeric columns and those wrapped in ``C()``."""
    wrapped = set(_C_VAR.findall(rhs))
    out = []
    for v in variables:
        s = sample[v]
        numeric = pd.api.types.is_numeric_dtype(s.dtype) and not isinstance(
            s.dtype, pd.CategoricalDtype)
        if v in wrapped or not numeric:
            out.append(v)
    return out


def rhs_variables(rhs: str) -> tuple[str, ...]:
    """Data columns the right-hand side of a formula needs."""
    from formulaic import Formula

    try:
        return tuple(sorted(Formula(rhs).required_variables))
    except Exception as exc:
        raise InvalidOptionError(f"cannot parse formula right-hand side {rhs!r}: {exc}") from exc
