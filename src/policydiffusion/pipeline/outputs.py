"""Write results.json (every model) and run.json (versions, options, seeds, inputs, exclusions)."""

from __future__ import annotations

import json
import math
import platform
import sys
from importlib import metadata
from pathlib import Path

import numpy as np

from policydiffusion.pipeline.data import files_named
from policydiffusion.pipeline.state import RunState

__all__ = ["results_dict", "provenance", "write_json"]

_PACKAGES = ("policydiffusion", "numpy", "scipy", "pandas", "polars", "pyarrow", "formulaic",
             "matplotlib", "jinja2", "networkx", "typer", "rich")


def _clean(x: object) -> object:
    if isinstance(x, dict):
        return {str(k): _clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_clean(v) for v in x]
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, (float, np.floating)):
        return None if not math.isfinite(float(x)) else float(x)
    if isinstance(x, np.bool_):
        return bool(x)
    if isinstance(x, Path):
        return str(x)
    return x


def versions(*, engine: str = "local") -> dict[str, str]:
    """Python and the key packages' versions (and Dask's, for a run on ``engine="dask"``).

    Examples
    --------
    >>> "numpy" in versions(), "dask" in versions()
    (True, False)
    """
    out = {"python": platform.python_version()}
    for p in _PACKAGES + (("dask", "distributed") if engine == "dask" else ()):
        try:
            out[p] = metadata.version(p)
        except metadata.PackageNotFoundError:
            if p == "policydiffusion":
                from policydiffusion import __version__

                out[p] = __version__
    return out


def results_dict(state: RunState) -> dict:
    """``{model key: fit --json shape}`` plus the risk set and policy each model used."""
    out = {}
    for m in state.models:
        d = dict(m.result.to_dict())  # type: ignore[attr-defined]
        d["riskset"] = m.built.spec.name
        d["policy"] = m.built.policy
        d["label"] = dict(m.spec.label)
        if m.warnings:  # every warning of the fit, with its fields (as the result keeps them)
            d["warnings"] = [{"category": w.category, "message": str(w),
                              "fields": getattr(w, "fields", {})} for w in m.warnings]
        out[m.key] = d
    return _clean(out)  # type: ignore[return-value]


def provenance(state: RunState, *, lang: str, exclusions: object) -> dict:
    """The run.json content."""
    sf = state.sf
    ex = exclusions
    return _clean({
        "study_file": str(sf.path), "study_file_sha256": _sha(sf.path),
        "command": " ".join(sys.argv), "language": lang, "seed": state.seed,
        "versions": versions(engine=sf.engine.kind), "platform": platform.platform(),
        "dataset": state.loaded.dataset, "simulated": state.loaded.simulated,
        "inputs_sha256": {**state.loaded.inputs, **files_named(sf)},
        "options": sf.raw,
        "risksets": {b.key: {"design": b.spec.design, "policy": b.policy,
                             "rows": b.n_rows(), "events": b.n_events(),
                             "options": dict(getattr(b.as_built, "options", {}))}
                     for b in state.risksets},
        "network": (None if state.network is None else {
            "policies": len(state.network.policies),
            "n_edges": int(state.network.result.n_edges),  # type: ignore[attr-defined]
            "mode": getattr(state.network.result, "provenance", {}).get("mode"),
            "stop": getattr(state.network.result, "stop", None),
            "provenance": getattr(state.network.result, "provenance", {})}),
        "reinvention": (None if state.reinvention is None else {
            "options": dict(state.reinvention.pairs.options),  # type: ignore[attr-defined]
            "pairs": state.reinvention.pairs.counts.to_dict(orient="records"),  # type: ignore[attr-defined]
            "sources": state.reinvention.sources.table.drop(columns="date").to_dict(  # type: ignore[attr-defined]
                orient="records"),
            "reinvention_index": state.reinvention.drift.table.to_dict(orient="records"),  # type: ignore[attr-defined]
            "text_exclusions": [{"reason": e.reason, "count": e.count}
                                for e in state.reinvention.texts.exclusions]}),  # type: ignore[attr-defined]
        "exclusions": ex.to_dict(orient="records"),  # type: ignore[attr-defined]
        "warnings": {**{m.key: list(m.warnings) for m in state.models if m.warnings},
                     **{f"heterogeneity {h.key} by {h.by}": list(h.warnings)
                        for h in state.heterogeneity if h.warnings}},
        "notes": list(state.notes),
    })


def _sha(path: Path) -> str | None:
    from policydiffusion.pipeline.data import sha256

    return sha256(path) if Path(path).exists() else None


def write_json(obj: object, path: Path) -> Path:
    """Write ``obj`` as indented UTF-8 JSON (non-ASCII kept readable)."""
    path.write_text(json.dumps(_clean(obj), indent=2, ensure_ascii=False, default=str) + "\n",
                    encoding="utf-8")
    return path
