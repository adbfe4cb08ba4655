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

from typing import NamedTuple, Sequence

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


class PolicyDiffusionWarning(UserWarning):
    """Base of every warning policydiffusion issues."""


class SeparationWarning(PolicyDiffusionWarning):
    """(Quasi-)complete separation: some estimates are unreliable."""


class ConvergenceWarning(PolicyDiffusionWarning):
    """An estimator stopped before meeting its tolerance."""


class ExclusionWarning(PolicyDiffusionWarning):
    """Rows were excluded; the count and reason are in the object's exclusions."""


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
