"""Figures live in report/figures (issue 15): the event-study and re-invention drift
figures moved there; the old public spellings still work; effects and reinvention do
not import the report when they are imported (the flow runs forward)."""

from __future__ import annotations

import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")


def test_figures_are_defined_in_report_figures():
    from policydiffusion.report import figures as F

    assert F.plot_event_study.__module__ == "policydiffusion.report.figures.effects"
    assert F.plot_drift.__module__ == "policydiffusion.report.figures.reinvention"


def test_old_public_spellings_still_work():
    from policydiffusion.effects import plot_event_study
    from policydiffusion.report.figures import plot_event_study as moved

    assert plot_event_study is moved


def test_analysis_packages_do_not_import_the_report():
    code = ("import sys, policydiffusion.effects, policydiffusion.reinvention; "
            "print(sorted(m for m in sys.modules if m.startswith('policydiffusion.report')))")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}  # this checkout's src first
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env=env)
    assert out.stdout.strip() == "[]"
