"""Benchmark: the figures of `policydiffusion describe --out` (4 per policy), in one process.

Run from the repository root::

    PYTHONPATH=src python3 benchmarks/bench_describe_figures.py [--policies 12] [--lang en]
        [--formats png,svg] [--dpi 300] [--breakdown]

The policies are described first (not timed); then ``cli/describe.py::_figures`` draws
and saves each policy's figures and its CPU time (``time.process_time``) is reported
per policy, after one warm-up policy (imports, fonts); with the default formats and dpi
it also times an older checkout's ``_figures`` (``PYTHONPATH=old/src``). ``--breakdown`` times the steps
of each figure instead (build, the tight box, each format), the way ``_figures`` and
``save_figure`` do them. CPU time, not wall time: the machine may be shared.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--policies", type=int, default=12, help="first N SPID policies (one more for warm-up)")
    ap.add_argument("--dataset", default="spid", choices=["spid", "china_mobile_gov"])
    ap.add_argument("--lang", default="en")
    ap.add_argument("--formats", default="png,svg")
    ap.add_argument("--dpi", type=int, default=300)
    ap.add_argument("--breakdown", action="store_true")
    a = ap.parse_args()

    import matplotlib

    matplotlib.use("Agg")
    from policydiffusion.cli.describe import _figures
    from policydiffusion.curves import describe_policy, fit_curves_many
    from policydiffusion.datasets import load_dataset, spid_study

    study = spid_study() if a.dataset == "spid" else load_dataset(a.dataset)
    ids = study.policy_ids[: a.policies + 1]
    fitted = fit_curves_many(study, ids)
    ds = [describe_policy(study, p, curve_fits=fitted, permutations=0) for p in ids]
    formats = tuple(a.formats.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if a.breakdown:
            _breakdown(study, ds, out, a.lang, formats, a.dpi)
            return
        # an older src (--src-less run with PYTHONPATH=old/src) has no formats/dpi: its defaults
        kw = {} if (formats, a.dpi) == (("png", "svg"), 300) else {"formats": formats, "dpi": a.dpi}
        _figures(study, ds[0], out, a.lang, **kw)  # warm-up
        t = time.process_time()
        for d in ds[1:]:
            _figures(study, d, out, a.lang, **kw)
        cpu = (time.process_time() - t) / (len(ds) - 1)
        size = sum(p.stat().st_size for p in out.iterdir()) / len(ds) / 1024
    print(f"{a.dataset} {len(ds) - 1} policies, formats {','.join(formats)}, dpi {a.dpi}, lang {a.lang}: "
          f"{cpu:.3f} s CPU per policy (4 figures), {size:.0f} KiB of files per policy")


def _breakdown(study, ds, out: Path, lang: str, formats: tuple, dpi: int) -> None:
    import matplotlib.pyplot as plt

    from policydiffusion.report.figures import (plot_adoption_curve, plot_adoption_timeline, plot_choropleth,
                                                plot_hazard)
    from policydiffusion.report.figures._common import tight_box

    kinds = {
        "curve": lambda d: plot_adoption_curve(d.curve, d.fits, lang=lang, takeoff=d.takeoff.get("takeoff_period")),
        "hazard": lambda d: plot_hazard(d.curve, lang=lang),
        "map": lambda d: plot_choropleth(study, d.policy, lang=lang),
        "timeline": lambda d: plot_adoption_timeline(study, d.policy, lang=lang),
    }
    steps = ["build", "box", *formats]
    tot = {(k, s): 0.0 for k in kinds for s in steps}
    for i, d in enumerate(ds):
        for k, build in kinds.items():
            t = time.process_time()
            fig = build(d).figure
            t1 = time.process_time()
            box = tight_box(fig, dpi=dpi)
            times = [t1 - t, time.process_time() - t1]
            for fmt in formats:
                t = time.process_time()
                extra = {"pil_kwargs": {"compress_level": 3}} if fmt == "png" else {}
                fig.savefig(out / f"{k}.{fmt}", format=fmt, dpi=dpi, bbox_inches=box, **extra)
                times.append(time.process_time() - t)
            plt.close(fig)
            if i:  # the first policy warms up
                for s, v in zip(steps, times):
                    tot[(k, s)] += v
    n = len(ds) - 1
    print(f"ms CPU per figure, mean over {n} policies, dpi {dpi}")
    print(f"{'':10s}" + "".join(f"{s:>9s}" for s in steps) + f"{'total':>9s}")
    for k in kinds:
        row = [tot[(k, s)] / n * 1000 for s in steps]
        print(f"{k:10s}" + "".join(f"{v:9.0f}" for v in row) + f"{sum(row):9.0f}")
    col = [sum(tot[(k, s)] for k in kinds) / n * 1000 for s in steps]
    print(f"{'all 4':10s}" + "".join(f"{v:9.0f}" for v in col) + f"{sum(col):9.0f}")


if __name__ == "__main__":
    main()
