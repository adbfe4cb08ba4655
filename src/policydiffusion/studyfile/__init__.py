"""Study files: one TOML file describing a whole analysis.

A study file names the data, the policies, the analyses (description, risk sets
with their diffusion terms, models, moderation, heterogeneity, network inference,
simulations) and the report. :func:`load_study_file` validates it and returns a
frozen :class:`StudyFile`; ``policydiffusion run STUDY.toml`` runs it. The field
reference is ``docs/study-file.md``; three worked examples are in ``examples/`` (and
inside the package: :func:`example_path`).

Examples
--------
>>> from policydiffusion.studyfile import load_study_file, example_path
>>> sf = load_study_file(example_path("china_mobile_gov"))
>>> sf.risksets[0].design
'dyadic'
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from policydiffusion.errors import InvalidOptionError
from policydiffusion.studyfile._schema import (
    DataSection, DescribeSection, HeterogeneitySection, ModelSection, ModerationSection,
    ModesSection, NetworkSection, PoliciesSection, RelationFile, ReportSection, RiskSetSection,
    SimulationSection, StudyFile, StudySection, TermSpec)
from policydiffusion.studyfile._validate import describe_location, load_study_file, parse_study_file

__all__ = [
    "load_study_file", "parse_study_file", "describe_location", "example_path", "EXAMPLES",
    "StudyFile", "StudySection", "DataSection", "RelationFile", "PoliciesSection",
    "DescribeSection", "TermSpec", "RiskSetSection", "ModelSection", "ModerationSection",
    "HeterogeneitySection", "NetworkSection", "SimulationSection", "ReportSection",
    "ModesSection",
]

#: the shipped example studies, in the order ``policydiffusion demo`` runs them
EXAMPLES = ("us_states_spid", "china_mobile_gov", "china_prefectures_covid")


def example_path(name: str) -> Path:
    """Path of a shipped example study file.

    The examples live in the repository's ``examples/`` folder and ship inside the
    package as ``policydiffusion/examples/NAME.toml`` (in a source checkout these are
    links to ``examples/``), so ``policydiffusion demo`` works from an installed wheel.

    Examples
    --------
    >>> example_path("us_states_spid").name
    'us_states_spid.toml'
    """
    if name not in EXAMPLES:
        raise InvalidOptionError(f"no example study {name!r}; known: {', '.join(EXAMPLES)}.")
    package = Path(str(resources.files("policydiffusion")))
    repo = package.parents[1]
    candidates = [package / "examples" / f"{name}.toml"]
    if (repo / "pyproject.toml").is_file() and package == repo / "src" / "policydiffusion":
        candidates.insert(0, repo / "examples" / f"{name}.toml")  # a source checkout
    for path in candidates:
        if path.is_file():
            return path.resolve()
    raise InvalidOptionError(f"example study {name!r} not found (looked for "
                             f"{', '.join(map(str, candidates))}); reinstall policydiffusion.")
