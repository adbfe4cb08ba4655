"""A :class:`RiskSet` handed to an estimator: its rows, and its build in the provenance."""

from __future__ import annotations

import dataclasses
import functools
import json
from typing import Any, Callable, TypeVar

from policydiffusion.estimate._data import DataSource, as_source
from policydiffusion.riskset import DaskRiskSet, RiskSet
from policydiffusion.terms._time import spline_knots_of

__all__ = ["accepts_riskset", "riskset_provenance", "riskset_source"]

F = TypeVar("F", bound=Callable[..., Any])


def riskset_source(rs: RiskSet | DaskRiskSet) -> DataSource:
    """The rows of a risk set as a data source, lazy unless already collected.

    A risk set built on Dask is its Parquet folder, or its Dask DataFrame.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> from policydiffusion.riskset import monadic_riskset
    >>> s = load_study(pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [2001]}), end=2002)
    >>> riskset_source(monadic_riskset(s, policy="p")).description
    "the monadic risk set of 'p'"
    """
    what = (
        repr(rs.policies[0]) if len(rs.policies) == 1 else f"{len(rs.policies)} policies (pooled)"
    )
    description = f"the {rs.design} risk set of {what}"
    if isinstance(rs, DaskRiskSet):
        if rs.folder is None:
            return DataSource("dask", rs, description + " (in Dask worker memory)")
        return dataclasses.replace(
            as_source(str(rs.folder)), description=f"{description} (Parquet folder {rs.folder})"
        )
    if rs.is_collected:
        return DataSource("polars", rs.data, description)
    return DataSource("lazy", rs.plan, description)


def riskset_provenance(rs: RiskSet | DaskRiskSet) -> dict:
    """The build of a risk set as JSON-ready provenance: design, options, exclusions,
    and ``knots`` (every knot of each duration spline, by term name) when it has a spline.

    Examples
    --------
    >>> import pandas as pd
    >>> from policydiffusion.study import load_study
    >>> from policydiffusion.riskset import monadic_riskset
    >>> s = load_study(pd.DataFrame({"policy": ["p"], "unit": ["A"], "time": [2001]}), end=2002)
    >>> sorted(riskset_provenance(monadic_riskset(s, policy="p")))
    ['design', 'exclusions', 'options', 'policies']
    """
    out = {
        "design": rs.design,
        "policies": list(rs.policies),
        "options": dict(rs.options),
        "exclusions": rs.exclusions.to_dict(orient="records"),
    }
    # knots the data placed (duration_spline): a simulation from the fit needs them
    knots = spline_knots_of(rs.column_meta)
    if knots:
        out["knots"] = knots
    # the result's provenance goes into results.json as it is: no numpy or other objects
    return json.loads(json.dumps(out, default=str))


def accepts_riskset(fit: F) -> F:
    """Let an estimator take a :class:`RiskSet` as its data (its first argument).

    The risk set's rows are read as they are (streamed when it is lazy) and its design,
    options and exclusions go into ``result.provenance["riskset"]``; other data pass
    through unchanged.

    Examples
    --------
    >>> @accepts_riskset
    ... def fit(data, formula):
    ...     return data
    >>> fit("rows.csv", "y ~ x")
    'rows.csv'
    """

    @functools.wraps(fit)
    def wrapper(data: Any, *args: Any, **kwargs: Any) -> Any:
        if not isinstance(data, (RiskSet, DaskRiskSet)):
            return fit(data, *args, **kwargs)
        res = fit(riskset_source(data), *args, **kwargs)
        prov = {**res.provenance, "riskset": riskset_provenance(data)}
        return dataclasses.replace(res, provenance=prov)

    return wrapper  # type: ignore[return-value]
