"""The exceptions and warnings policydiffusion raises.

Every error derives from :class:`PolicyDiffusionError` and also from the builtin
that callers already catch (``ValueError``, ``RuntimeError``), so ``except
ValueError`` keeps working.

Examples
--------
>>> from policydiffusion.errors import Problem, StudyDataError
>>> err = StudyDataError([Problem("adoptions.csv", 3, "year", "19x9", "not a year")])
>>> print(err)
1 problem in the study data:
  adoptions.csv row 3, column 'year': '19x9': not a year
"""

from __future__ import annotations

from typing import Any, NamedTuple, Sequence

__all__ = [
    "PolicyDiffusionError",
    "StudyDataError",
    "Problem",
    "InvalidOptionError",
    "ConvergenceError",
    "SeparationError",
    "StudyFileError",
    "PolicyDiffusionWarning",
    "SeparationWarning",
    "ConvergenceWarning",
    "ExclusionWarning",
    "NetinfStopWarning",
    "RareEventsVarianceWarning",
    "FirthTestConvergenceWarning",
    "RelationPeriodsWarning",
    "CensoredAdoptionWarning",
    "CurveFitWarning",
    "IndependentDrawsWarning",
    "DeprecatedSpellingWarning",
    "VarianceCorrectionWarning",
    "FittedProbabilityWarning",
    "SubgroupTermsWarning",
    "DataChangedError",
    "MissingDependencyError",
    "require",
    "check_choice",
    "raise_problems",
]


class PolicyDiffusionError(Exception):
    """Base of every error policydiffusion raises."""


class Problem(NamedTuple):
    """One problem found in the input data, located by file, row and column.

    ``row`` is the 1-based data row as a spreadsheet shows it (the header is row 1,
    so the first data row is row 2) when the data came from a file, and the 0-based
    index position when it came from a DataFrame; ``file`` then names the argument.
    """

    file: str
    row: int | None
    column: str | None
    value: object
    hint: str

    def __str__(self) -> str:
        where = self.file + (f" row {self.row}" if self.row is not None else "")
        if self.column is not None:
            where += f", column {self.column!r}"
        v = self.value.item() if hasattr(self.value, "item") and hasattr(self.value, "dtype") \
            else self.value  # a numpy scalar as the plain number, not np.int64(...)
        value = "" if v is None else f" {v!r}:"
        return f"{where}:{value} {self.hint}"


class StudyDataError(PolicyDiffusionError, ValueError):
    """The study data have problems; ``.problems`` lists every one found."""

    max_shown = 20

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        lines = [f"  {p}" for p in self.problems[: self.max_shown]]
        if n > self.max_shown:
            lines.append(f"  ... and {n - self.max_shown} more")
        noun = "problem" if n == 1 else "problems"
        super().__init__(f"{n} {noun} in the study data:\n" + "\n".join(lines))


class StudyFileError(PolicyDiffusionError, ValueError):
    """A study file (TOML) is malformed: the message names file, line and field."""


class InvalidOptionError(PolicyDiffusionError, ValueError, TypeError):
    """An option has a value outside its allowed set; the message lists the options."""


class ConvergenceError(PolicyDiffusionError, RuntimeError):
    """An iterative estimator did not converge."""


class SeparationError(PolicyDiffusionError, RuntimeError):
    """Complete separation makes the maximum-likelihood estimate infinite."""


class DataChangedError(PolicyDiffusionError, RuntimeError):
    """The data a result was computed from changed or disappeared after the fit."""


class MissingDependencyError(InvalidOptionError, ImportError):
    """An optional dependency needed for this feature is not installed; the message
    names the extra that installs it. Raised by :func:`require`. An option asking for
    the feature (``engine="dask"``, ``tokenizer="jieba"``) cannot be honoured here, so
    it is also an :class:`InvalidOptionError`, and an ``ImportError``."""


def _rebuild_warning(cls: type, message: str, fields: dict) -> "PolicyDiffusionWarning":
    return cls(message, **fields)


class PolicyDiffusionWarning(UserWarning):
    """Base of every warning policydiffusion issues.

    Besides its English message a warning carries its facts as ``fields`` (terms, rows,
    iterations, tolerance, ...), so a report can say it in another language without
    reading the message back; ``kind`` names its template (``warning.<kind>``).

    Examples
    --------
    >>> w = ConvergenceWarning("did not converge", link="logit", iterations=50, tolerance=1e-10)
    >>> w.kind, w.fields["iterations"], str(w)
    ('not_converged', 50, 'did not converge')
    """

    kind = "other"

    def __init__(self, message: str = "", **fields: object) -> None:
        super().__init__(message)
        self.fields = dict(fields)

    def __reduce__(self):  # keep the fields when pickled (keyword arguments are not args)
        return _rebuild_warning, (type(self), str(self), self.fields)


class SeparationWarning(PolicyDiffusionWarning):
    """(Quasi-)complete separation: some estimates are unreliable.

    Fields: ``terms`` (the separating terms), ``rows`` (rows with fitted hazards of 0
    or 1), ``converged``.
    """

    kind = "separation"


class ConvergenceWarning(PolicyDiffusionWarning):
    """An estimator stopped before meeting its tolerance.

    Fields (hazard fits): ``link``, ``iterations``, ``tolerance``.
    """

    kind = "not_converged"


class ExclusionWarning(PolicyDiffusionWarning):
    """Rows were excluded; the count and reason are in the object's exclusions.

    Fields: ``count`` (rows left out).
    """

    kind = "dropped_missing"


class VarianceCorrectionWarning(PolicyDiffusionWarning):
    """A robust covariance was not positive semi-definite and was corrected.

    Fields: ``terms`` (whose variances changed), ``eigenvalues`` (the negative ones set
    to zero, Cameron, Gelbach & Miller 2011).
    """

    kind = "vcov_not_psd"


class FittedProbabilityWarning(PolicyDiffusionWarning):
    """Fitted probabilities numerically 0 or 1 occurred (R's ``glm.fit`` notice).

    Fields: ``rows`` (how many), ``threshold``.
    """

    kind = "fitted_extreme"


class SubgroupTermsWarning(PolicyDiffusionWarning):
    """Terms left out of a subgroup fit because a variable in them is constant there.

    Fields: ``group``, ``by``, ``terms``.
    """

    kind = "subgroup_dropped"


class NetinfStopWarning(PolicyDiffusionWarning):
    """netinf stopped before ``n_edges``: no remaining edge improves the likelihood.

    Fields: ``requested`` (n_edges asked for) and ``inferred`` (edges added); for
    rolling networks ``periods`` (the periods that stopped early).
    """

    kind = "netinf_stop"

    def __init__(self, message: str = "", *, requested: int | None = None,
                 inferred: int | None = None, periods: tuple = ()) -> None:
        super().__init__(message, requested=requested, inferred=inferred,
                         periods=tuple(periods))
        self.requested, self.inferred, self.periods = requested, inferred, tuple(periods)


class RareEventsVarianceWarning(PolicyDiffusionWarning):
    """The King-Zeng weighting correction was combined with the classical variance.

    Fields: ``vcov`` (the variance kind used).
    """

    kind = "kz_classical_variance"


class FirthTestConvergenceWarning(ConvergenceWarning):
    """The restricted fit of a penalised likelihood-ratio test did not converge.

    Fields: ``terms`` (the terms tested).
    """

    kind = "firth_test_not_converged"


class RelationPeriodsWarning(PolicyDiffusionWarning):
    """A period-varying relation has edges for fewer than half of the rows' periods.

    Fields: ``relation``, ``served`` (periods with an edge), ``n`` (row periods), ``lo``,
    ``hi`` (the rows' periods), ``span`` (the edges' periods), ``relation_lag``.
    """

    kind = "relation_periods"


class CensoredAdoptionWarning(ExclusionWarning):
    """Adoptions after a policy's end period are treated as non-adoptions.

    Fields: ``policy``, ``count``, ``end``.
    """

    kind = "censored_after_end"


class CurveFitWarning(PolicyDiffusionWarning):
    """A curve's parameters could not be recovered from its fit.

    Fields: ``policy``, ``method``, ``reason`` (a short code: ``"no_real_root"``,
    ``"nonpositive_m"`` ...), ``detail`` (the English explanation).
    """

    kind = "curve_fit_failed"


class IndependentDrawsWarning(PolicyDiffusionWarning):
    """A fit without a covariance matrix: coefficients are drawn independently.

    Fields: ``terms`` (the coefficients drawn).
    """

    kind = "no_covariance"


class DeprecatedSpellingWarning(DeprecationWarning):
    """An old spelling of an option still works but has a newer one (e.g. ``as=`` for
    ``name=``). A DeprecationWarning, so Python hides it by default; the command line
    shows it, as one ``warning:`` line, because its users never see Python's warnings.
    (Not a :class:`PolicyDiffusionWarning`: it is about the call, never the data, so no
    report carries it.)
    """


def raise_problems(problems: Sequence[str]) -> None:
    """Raise one :class:`InvalidOptionError` listing every problem, if there is any.

    Options are checked together before any work, so a user fixes them in one go.

    Examples
    --------
    >>> raise_problems([])
    >>> raise_problems(["alpha must be between 0 and 1; got 1.5.", "effects is empty."])
    Traceback (most recent call last):
    ...
    policydiffusion.errors.InvalidOptionError: 2 problems with the options:
      alpha must be between 0 and 1; got 1.5.
      effects is empty.
    """
    if len(problems) == 1:
        raise InvalidOptionError(problems[0])
    if problems:
        raise InvalidOptionError(f"{len(problems)} problems with the options:\n"
                                 + "\n".join(f"  {p}" for p in problems))


def require(module: str, *, feature: str, extra: str, package: str | None = None) -> Any:
    """The optional module ``module``, imported, or a :class:`MissingDependencyError`
    saying which ``feature`` needs it and which extra installs it.

    Examples
    --------
    >>> require("json", feature="JSON output", extra="core").__name__
    'json'
    >>> require("no_such_module", feature="Word output", extra="docx", package="python-docx")
    Traceback (most recent call last):
    ...
    policydiffusion.errors.MissingDependencyError: Word output needs python-docx, which is not \
installed: pip install "policydiffusion[docx]" (or pip install python-docx).
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        name = package or module
        raise MissingDependencyError(
            f"{feature} needs {name}, which is not installed: pip install "
            f'"policydiffusion[{extra}]" (or pip install {name}).') from exc


def check_choice(name: str, value: object, allowed: Sequence[object]) -> None:
    """Raise :class:`InvalidOptionError` unless ``value`` is one of ``allowed``.

    Examples
    --------
    >>> check_choice("link", "logit", ("logit", "probit"))
    >>> check_choice("link", "tobit", ("logit", "probit"))
    Traceback (most recent call last):
    ...
    policydiffusion.errors.InvalidOptionError: link must be one of 'logit', 'probit'; got 'tobit'.
    """
    if value not in allowed:
        opts = ", ".join(repr(a) for a in allowed)
        raise InvalidOptionError(f"{name} must be one of {opts}; got {value!r}.")
