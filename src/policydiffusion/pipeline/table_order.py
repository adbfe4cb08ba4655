"""The row order of a model table: key variables, their interactions, controls, time, constant.

The key variables are the study file's ``report.key_terms``, else the diffusion
terms of the risk set in the order of its ``terms``. Each interaction follows the
last key variable it involves; then come the controls (unit attributes, covariates)
in the order the models list them, then the time-dependence terms. The constant
goes last (see :func:`~policydiffusion.report.tables.regression_table`).
"""

from __future__ import annotations

import re
from typing import Sequence

__all__ = ["TIME_BUILDERS", "FIXED_EFFECTS", "column_of", "table_order", "fixed_effects"]

#: term builders that model time dependence
TIME_BUILDERS = ("duration_poly", "duration_spline", "period_dummies", "duration")

#: factors hidden from tables and shown as a "... fixed effects: Yes" row (i18n key)
FIXED_EFFECTS = {"C(policy)": "table.policy_fe"}

_CALL = re.compile(r"^\w+(?:\.\w+)*\(\s*(\w+)")


def column_of(part: str) -> str:
    """The data column behind one part of a model term.

    Examples
    --------
    >>> column_of("C(region)[T.South]"), column_of("np.log(income)"), column_of("x")
    ('region', 'income', 'x')
    """
    m = _CALL.match(part)
    return m.group(1) if m else part.split("[", 1)[0]


def _owner(column: str, names: Sequence[str]) -> str | None:
    """The longest name that ``column`` is (``t``) or starts (``t_1``) with, else None."""
    hits = [n for n in names if column == n or column.startswith(n + "_")]
    return max(hits, key=len) if hits else None


def table_order(terms: Sequence[str], *, key: Sequence[str], time: Sequence[str],
                others: Sequence[str] = ()) -> list[str]:
    """``terms`` (model terms, first-seen order) in the order a model table shows them.

    Parameters
    ----------
    terms
        Every term of the models in the table, in the order they first appear.
    key
        The variables of interest (column or term names), in order.
    time
        Names of the time-dependence terms (``duration`` always counts as time).
    others
        Other term names of the risk set (so that ``region_share`` is not taken for
        ``region`` when both are names).

    Examples
    --------
    >>> table_order(["Intercept", "C(region)[T.S]", "t_1", "x", "z", "x:z"],
    ...             key=["x", "z"], time=["t"])
    ['x', 'z', 'x:z', 'C(region)[T.S]', 't_1', 'Intercept']
    """
    key = list(dict.fromkeys(key))
    time_names = list(dict.fromkeys([*time, "duration"]))
    names = list(dict.fromkeys([*key, *time_names, *others]))
    ranked = []
    for i, term in enumerate(terms):
        if term == "Intercept":
            ranked.append(((3, 0, 0, i), term))
            continue
        owners = [_owner(column_of(p), names) for p in term.split(":")]
        idx = [key.index(o) for o in owners if o in key]
        if idx:
            rank = (0, max(idx), int(len(owners) > 1), i)
        elif any(o in time_names for o in owners):
            rank = (2, 0, 0, i)
        else:
            rank = (1, 0, 0, i)
        ranked.append((rank, term))
    return [t for _, t in sorted(ranked)]


def fixed_effects(terms: Sequence[str]) -> list[str]:
    """The factors of :data:`FIXED_EFFECTS` that some of ``terms`` belong to.

    Examples
    --------
    >>> fixed_effects(["x", "C(policy)[T.b]"])
    ['C(policy)']
    """
    from policydiffusion.report.tables import matches

    return [f for f in FIXED_EFFECTS if any(matches(t, f) for t in terms)]
