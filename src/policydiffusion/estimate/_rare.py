"""``RareEvents``: the options of King and Zeng's rare-events logit."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Union

from policydiffusion.errors import InvalidOptionError, check_choice

__all__ = ["RareEvents", "RareEventsOption", "CASE_CONTROL"]

#: how a case-control sample is corrected: the intercept (prior) or case weights
CASE_CONTROL = ("prior", "weighting")


@dataclass(frozen=True)
class RareEvents:
    """King-Zeng bias-corrected logit, optionally corrected for a case-control sample.

    Parameters
    ----------
    tau
        Population event share of a case-control sample (None: the sample is the
        population, bias correction only).
    case_control
        ``"prior"`` shifts the intercept by the prior correction; ``"weighting"``
        weights events by ``tau/ybar`` and non-events by ``(1-tau)/(1-ybar)`` (King &
        Zeng 2001, eq. 11-12) and needs ``tau``.

    Examples
    --------
    >>> RareEvents.parse(True)
    RareEvents(tau=None, case_control='prior')
    >>> RareEvents.parse({"tau": 0.01, "case_control": "weighting"}).case_control
    'weighting'
    >>> RareEvents.parse(None) is None
    True
    """

    tau: float | None = None
    case_control: str = "prior"

    def __post_init__(self) -> None:
        check_choice("rare_events case_control", self.case_control, CASE_CONTROL)
        if self.case_control == "weighting" and self.tau is None:
            raise InvalidOptionError(
                "the weighting correction needs the population event "
                "share: rare_events={'tau': ..., 'case_control': "
                "'weighting'}."
            )

    @classmethod
    def parse(cls, value: RareEventsOption) -> RareEvents | None:
        """``None`` (no correction) or the options from ``True``, a dict or a RareEvents."""
        if value is None or value is False:
            return None
        if isinstance(value, RareEvents):
            return value
        if value is True:
            return cls()
        if isinstance(value, Mapping) and set(value) <= {"tau", "case_control"}:
            return cls(tau=value.get("tau"), case_control=value.get("case_control", "prior"))
        raise InvalidOptionError(
            f"rare_events must be None, True, RareEvents(...) or {{'tau': "
            f"population_event_share}} (optionally with 'case_control': 'prior' or "
            f"'weighting'); got {value!r}."
        )


RareEventsOption = Union[bool, Mapping[str, Any], RareEvents, None]
