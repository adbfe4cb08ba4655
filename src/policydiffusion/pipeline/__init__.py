"""Running a study file: each analysis step in its own module, then the report.

The flow is forward only: ``data`` (load the study) -> ``describe`` -> ``network``
-> ``risksets`` -> ``models`` -> ``interpret`` -> ``simulation`` -> ``assemble``
(the report document) -> ``outputs`` (results.json, run.json); ``run`` ties them
together. This package may import every earlier stage; only the command line
imports it.
"""

from policydiffusion.pipeline.run import RunResult, analyse, run_study

__all__ = ["run_study", "analyse", "RunResult"]
