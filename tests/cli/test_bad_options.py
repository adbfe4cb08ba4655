"""Bad options are refused before any work, with every problem at once (issue 16, item 6).

Part of the bad-input suite (see tests/study/test_bad_input.py): each row of
``CASES`` is one class of bad option, the call that gets it, and its message.
"""

from __future__ import annotations

import pandas as pd
import pytest

from policydiffusion.cli import run
from policydiffusion.errors import InvalidOptionError


def _netinf_one_cascade():
    from policydiffusion.networks import cascades_from_table, netinf

    netinf(cascades_from_table(pd.DataFrame({"cascade_id": ["a"] * 3, "node": ["1", "2", "3"],
                                             "time": [1, 2, 3]})), n_edges=1)


def _netinf_all_tied():
    from policydiffusion.networks import cascades_from_table, netinf

    netinf(cascades_from_table(pd.DataFrame({"cascade_id": ["a"] * 2 + ["b"] * 2,
                                             "node": ["1", "2"] * 2, "time": [1, 1, 2, 2]})),
           n_edges=1)


def _fit(rows):
    from policydiffusion.estimate import fit_hazard

    fit_hazard(pd.DataFrame({"adopt": [0] * rows, "x": [float(i) for i in range(rows)]},
                            dtype=float), "adopt ~ x")


def _fit_no_rows_file(tmp_path):
    from policydiffusion.estimate import fit_hazard

    p = tmp_path / "empty.parquet"
    pd.DataFrame({"adopt": [], "x": []}, dtype=float).to_parquet(p)
    fit_hazard(p, "adopt ~ x")


def _threshold(share):
    from policydiffusion.simulate.cascades import random_network
    from policydiffusion.simulate.threshold import simulate_threshold

    simulate_threshold(random_network(10, n_edges=20, seed=1), n_periods=3, seed=1,
                       seed_share=share)


def _power(**kw):
    from policydiffusion.simulate import mechanism_design, power_analysis

    power_analysis(mechanism_design, term="x", seed=1, **kw)


CASES = [
    ("netinf with one cascade", lambda t: _netinf_one_cascade(),
     "netinf needs at least two cascades; got 1"),
    ("netinf with every time tied", lambda t: _netinf_all_tied(),
     "every cascade's events are tied"),
    ("fit on an outcome without events", lambda t: _fit(5),
     "the outcome 'adopt' is 0 in all 5 rows"),
    ("fit on a file without rows", _fit_no_rows_file, "the data have no rows"),
    ("seed_share above 1", lambda t: _threshold(1.5),
     "seed_share is a share between 0 and 1; got 1.5"),
    ("seed_share below 0", lambda t: _threshold(-0.1), "seed_share is a share between 0 and 1"),
    ("power alpha outside (0, 1)", lambda t: _power(grid={"effect": [1.0]}, reps=2, alpha=1.5),
     "alpha must be between 0 and 1; got 1.5"),
    ("power grid without values", lambda t: _power(grid={"effect": []}, reps=2),
     "grid['effect'] has no values"),
]


@pytest.mark.parametrize("call, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_option_is_refused_with_its_message(tmp_path, call, message):
    with pytest.raises(InvalidOptionError) as e:
        call(tmp_path)
    assert message in str(e.value)


def test_power_command_reports_every_problem_before_simulating(capsys):
    status = run(["power", "--alpha", "1.5", "--effects", ",", "--units", "2", "--reps", "0",
                  "--seed", "1"])
    err = capsys.readouterr().err
    assert status == 2
    assert "4 problems with the options" in err
    for fragment in ("--effects must be comma-separated numbers; got ','",
                     "--units must be comma-separated whole numbers of at least 3; got '2'",
                     "--alpha must be between 0 and 1; got 1.5", "--reps must be at least 1"):
        assert fragment in err


def test_power_analysis_checks_options_before_the_first_simulation():
    calls = []

    def design(seed, **point):  # would be called by the first simulation
        calls.append(seed)
        raise AssertionError("simulated before the options were checked")

    with pytest.raises(InvalidOptionError, match="2 problems"):
        from policydiffusion.simulate import power_analysis

        power_analysis(design, grid={"effect": [1.0]}, term="x", reps=0, seed=1, alpha=0)
    assert calls == []


def test_netinf_reads_a_gb18030_file_with_encoding(tmp_path, capsys):
    f = tmp_path / "c.csv"
    rows = "".join(f"{p},{u},{t}\n" for p, u, t in [("甲", "北京", 1), ("甲", "上海", 2),
                                                    ("乙", "北京", 1), ("乙", "上海", 3)])
    f.write_bytes(("policy,unit,time\n" + rows).encode("gb18030"))
    args = ["netinf", str(f), "--cascade-col", "policy", "--node-col", "unit", "--time-col",
            "time", "--edges", "1"]
    assert run(args) == 2
    assert "pass --encoding gb18030" in capsys.readouterr().err
    assert run(args + ["--encoding", "gb18030"]) == 0
    assert "北京" in capsys.readouterr().out
