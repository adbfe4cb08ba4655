"""The options every netinf run takes, in one frozen record.

:func:`netinf`, :func:`bootstrap_edges`, :func:`spread_ties` and :func:`rolling_netinf`
share the transmission model, its parameters, the stopping rule and the p-value method.
They accept them as keywords (as before) or as one :class:`NetinfOptions` via
``options=``; the repeated runs pass the record on to :func:`netinf` unchanged except
for the parameters fixed once and the stopping rule capped per draw.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from policydiffusion.errors import InvalidOptionError, check_choice
from policydiffusion.networks._cascades import Cascades
from policydiffusion.networks._engine import OBJECTIVES
from policydiffusion.networks._models import MODELS, PARAMS_INIT, check_params, init_params
from policydiffusion.networks._pvalue import PVALUE_METHODS

__all__ = ["NetinfOptions", "netinf_options", "stop_rule", "resolve_params", "COMPAT"]

#: ``compat=`` values: reproduce another implementation's exact behaviour.
COMPAT = ("networkinference",)


def stop_rule(n_edges, p_value_cutoff, penalty) -> dict:
    """The stopping rule as a dict; raises unless exactly one is given.

    Examples
    --------
    >>> stop_rule(10, None, None)
    {'n_edges': 10, 'p_value_cutoff': None, 'penalty': None}
    """
    rule = {"n_edges": n_edges, "p_value_cutoff": p_value_cutoff, "penalty": penalty}
    given = [k for k, v in rule.items() if v is not None]
    if len(given) != 1:
        raise InvalidOptionError("give exactly one stopping rule: n_edges=, p_value_cutoff= "
                                 f"or penalty=; got {given or 'none'}.")
    return rule


def resolve_params(cascades: Cascades, model: str, params, params_init: str) -> tuple[float, ...]:
    """Parameters given by the user, or initialised from the data."""
    check_choice("model", model, MODELS)
    check_choice("params_init", params_init, PARAMS_INIT)
    if params is None or (isinstance(params, str) and params == "auto"):
        if model == "power-law" and params_init == "package":
            raise InvalidOptionError("the package has no power-law model; use "
                                     "params_init='corrected' or pass params=(alpha, delta).")
        params = init_params(model, cascades.times, method=params_init)
    return check_params(model, params)


@dataclass(frozen=True)
class NetinfOptions:
    """Transmission model, parameters, stopping rule, p-value method, objective and
    compatibility mode of a netinf run.

    The fields are the keywords of :func:`netinf` with the same defaults; give exactly
    one stopping rule (``n_edges``, ``p_value_cutoff`` or ``penalty``) before use.
    Choices are checked when the record is made. ``p_value=None`` means "corrected",
    or "package" under ``compat="networkinference"`` (see :attr:`p_value_method`).

    Examples
    --------
    >>> opts = NetinfOptions(n_edges=5)
    >>> opts.rule, opts.p_value_method
    ({'n_edges': 5, 'p_value_cutoff': None, 'penalty': None}, 'corrected')
    >>> NetinfOptions(n_edges=5, compat="networkinference").p_value_method
    'package'
    >>> NetinfOptions(model="gamma")
    Traceback (most recent call last):
    ...
    policydiffusion.errors.InvalidOptionError: model must be one of 'exponential', 'rayleigh', 'log-normal', 'power-law'; got 'gamma'.
    """

    model: str = "exponential"
    params: float | Sequence[float] | str | None = None
    params_init: str = "corrected"
    n_edges: int | None = None
    p_value_cutoff: float | None = None
    penalty: float | str | None = None
    p_value: str | None = None
    objective: str = "networkinference"
    compat: str | None = None

    def __post_init__(self) -> None:
        check_choice("model", self.model, MODELS)
        check_choice("params_init", self.params_init, PARAMS_INIT)
        if self.p_value is not None:
            check_choice("p_value", self.p_value, PVALUE_METHODS)
        check_choice("objective", self.objective, OBJECTIVES)
        if self.compat is not None:
            check_choice("compat", self.compat, COMPAT)
            if self.objective != "networkinference":
                raise InvalidOptionError(
                    f"compat='networkinference' reproduces NetworkInference, whose objective is "
                    f"'networkinference'; got objective={self.objective!r}. Drop one of them.")
        if self.params is not None and not isinstance(self.params, str) and np.ndim(self.params) > 0:
            object.__setattr__(self, "params", tuple(float(p) for p in np.ravel(self.params)))

    @property
    def p_value_method(self) -> str:
        """The p-value method used: as given, else "package" in compat mode, else
        "corrected" (METHODS 5.10)."""
        if self.p_value is not None:
            return self.p_value
        return "package" if self.compat == "networkinference" else "corrected"

    @property
    def pads(self) -> bool:
        """Whether zero-improvement edges may be added (NetworkInference does, to reach
        ``n_edges``); otherwise the run stops at the first edge that adds nothing."""
        return self.compat == "networkinference"

    @property
    def rule(self) -> dict:
        """The stopping rule (``n_edges``, ``p_value_cutoff``, ``penalty``); exactly one set."""
        return stop_rule(self.n_edges, self.p_value_cutoff, self.penalty)

    def resolve(self, cascades: Cascades) -> tuple[float, ...]:
        """The parameters: as given, or initialised from ``cascades``."""
        return resolve_params(cascades, self.model, self.params, self.params_init)

    def replace(self, **changes) -> NetinfOptions:
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def merge(cls, options: NetinfOptions | None, **keywords) -> NetinfOptions:
        """``options`` itself, or a record made of the keywords; both at once is an error
        unless every keyword still has its default."""
        if options is None:
            return cls(**keywords)
        if not isinstance(options, NetinfOptions):
            raise InvalidOptionError(f"options must be a NetinfOptions; got {type(options).__name__}.")
        defaults = {f.name: f.default for f in dataclasses.fields(cls)}
        given = [k for k, v in keywords.items() if not _is_default(v, defaults[k])]
        if given:
            raise InvalidOptionError(f"pass netinf options either as options= or as keywords, not "
                                     f"both; got options= and {', '.join(given)}=.")
        return options


def netinf_options(options: NetinfOptions | None, given: Mapping[str, object]) -> NetinfOptions:
    """The one place a netinf-family function turns ``options=`` and its keywords into a
    record: the :class:`NetinfOptions` fields are picked out of ``given`` (the caller's
    ``locals()``), so no caller lists them again.

    Examples
    --------
    >>> netinf_options(None, {"model": "rayleigh", "n_edges": 3, "draws": 10}).model
    'rayleigh'
    """
    names = [f.name for f in dataclasses.fields(NetinfOptions)]
    return NetinfOptions.merge(options, **{k: given[k] for k in names if k in given})


def _is_default(value: object, default: object) -> bool:
    return value is default or (isinstance(value, str) and value == default)
