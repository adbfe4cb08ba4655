"""What a term may look at when a simulation asks it for its values at period t.

The hazard simulator (:func:`policydiffusion.simulate.simulate_hazard`) recomputes
every term each period from the adoptions simulated so far. A term that can do this
with numpy implements :meth:`Term.simulate_values` in its own module, reading only a
:class:`SimulationContext`; a term without it is computed by the risk-set builder
instead (exact, slower). A term that reads a fact of the whole risk set (the knots of
``duration_spline``) would see a different fact each period; the simulator fixes such
facts once, at the start, so that every period evaluates the one stated model. The
protocol lives here, not in ``simulate/``, so that terms
never import the simulator (data flows forward: the simulator imports the terms).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Mapping, Protocol

import numpy as np

if TYPE_CHECKING:
    from policydiffusion.study import Study

__all__ = ["SimulationContext", "NEVER", "adopted_by", "safe_divide"]

#: The adoption period of a unit that has not adopted (yet); far beyond any period.
NEVER = np.iinfo(np.int64).max // 2


class SimulationContext(Protocol):
    """The study as arrays over its units (in ``study.unit_ids`` order), per period.

    Attributes
    ----------
    study : Study
        The study being simulated on (events, unit attributes such as ``parent``).
    n : int
        Number of units.
    index : Mapping[str, int]
        Unit id -> position in the arrays.
    start : int
        First period at risk of the simulation.
    entry : numpy.ndarray
        Entry period of each unit (``-NEVER`` when the unit always existed).
    """

    @property
    def study(self) -> "Study": ...

    @property
    def n(self) -> int: ...

    @property
    def index(self) -> Mapping[str, int]: ...

    @property
    def start(self) -> int: ...

    @property
    def entry(self) -> np.ndarray: ...

    def exist(self, t: int) -> np.ndarray:
        """True for the units that exist at period t."""
        ...

    def values(self, column: str, t: int) -> np.ndarray:
        """Covariate ``column`` observed at period t (NaN where missing), or the numeric
        unit attribute ``column``."""
        ...

    def group_codes(self, column: str) -> tuple[np.ndarray, int]:
        """(code of each unit's value of attribute ``column``, -1 where missing; number
        of codes)."""
        ...

    def relation_sums(self, relation: str, t: int, lag: int, adopted: np.ndarray, *,
                      weighted: bool = True,
                      values: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """``(sum_j w_ij v_j adopted_j, sum_j w_ij v_j)`` for each unit i over the edges
        ``i -> j`` in force at ``t - lag`` (static edges always); ``w`` = 1 unless
        ``weighted``, ``v`` = 1 unless ``values`` are given."""
        ...


def adopted_by(adoption: np.ndarray, t: int, lag: int) -> np.ndarray:
    """1.0 for the units whose adoption period is at most ``t - lag``, else 0.0.

    Examples
    --------
    >>> adopted_by(np.array([3, 5, NEVER]), 5, 1).tolist()
    [1.0, 0.0, 0.0]
    """
    return (adoption <= t - lag).astype(float)


def safe_divide(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """num / den, 0.0 where den is 0 (as the risk-set builder's shares).

    Examples
    --------
    >>> safe_divide(np.array([1.0, 2.0]), np.array([4.0, 0.0])).tolist()
    [0.25, 0.0]
    """
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den != 0)
