"""The bad-input suite: every class of bad or awkward study data, with the message it gets.

Each row of ``CASES`` is one class: the files a careful user (or an attacker) might
give, the problem's location (file, row, column) and a fragment of its message.
Nothing may load silently; every problem names where it is and what to do.
"""

from __future__ import annotations

import pandas as pd
import pytest

from policydiffusion.errors import InvalidOptionError, StudyDataError
from policydiffusion.study import RelationSpec, load_study

UNITS = pd.DataFrame({"unit": ["A", "B", "C"]})


def _csv(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _adopt(tmp_path, times, name="a.csv"):
    body = "".join(f"p,{u},{t}\n" for u, t in zip("ABC", times))
    return _csv(tmp_path, name, "policy,unit,time\n" + body)


def _rel(tmp_path, text, **kw):
    spec = RelationSpec(_csv(tmp_path, "r.csv", "s,t,w\n" + text), source="s", target="t",
                        weight="w", **kw)
    return {"adoptions": _adopt(tmp_path, [2001, 2002]), "units": UNITS,
            "relations": {"r": spec}}


# (class, build(tmp_path) -> load_study kwargs, (file, row, column), message fragment)
CASES = [
    ("missing-value code left in a numeric covariate",
     lambda t: {"adoptions": _adopt(t, [2001, 2002]), "units": UNITS,
                "covariates": _csv(t, "c.csv", "unit,time,gdp\nA,2001,1.5\nB,2001,NA\nC,2001,.\n"
                                   "A,2002,n/a\nB,2002,about 2\nC,2002,3\n")},
     ("c.csv", 6, "gdp"), "text in a numeric column"),
    ("missing-value code in a wide unit attribute",
     lambda t: {"adoptions": _adopt(t, [2001, 2002]),
                "units": _csv(t, "u.csv", "unit,pop\nA,1\nB,2\nC,3\nD,4\nE,lots\n")},
     ("u.csv", 6, "pop"), "text in a numeric column"),
    ("numbers with thousands separators in a covariate",
     lambda t: {"adoptions": _adopt(t, [2001, 2002]), "units": UNITS,
                "covariates": _csv(t, "c.csv", 'unit,time,gdp\nA,2001,"1,234"\nB,2001,"12,500"\n')},
     ("c.csv", 2, "gdp"), "a formatted number (thousands separator or %)"),
    ("compact date digits read as a year",
     lambda t: {"adoptions": _adopt(t, [20010304, 2002])},
     ("a.csv", 2, "time"), "compact digits are not a year; write the date as 2001-03-04"),
    ("day and month order unknown",
     lambda t: {"adoptions": _adopt(t, ["03/04/2001", "2002-01-01"])},
     ("a.csv", 2, "time"), "ambiguous date"),
    ("mixed date formats under a date_format",
     lambda t: {"adoptions": _adopt(t, ["03/04/2001", "04.03.2001"]), "date_format": "%d/%m/%Y"},
     ("a.csv", 3, "time"), "does not match date_format '%d/%m/%Y'"),
    ("fractional year at year granularity",
     lambda t: {"adoptions": _adopt(t, [1990.5, 1991])},
     ("a.csv", 2, "time"), "fractional year 1990.5"),
    ("dotted year.month that could be a fraction",
     lambda t: {"adoptions": _adopt(t, ["2016.05", "2016-06"]), "granularity": "month"},
     ("a.csv", 2, "time"), "not a whole month"),
    ("year before the plausible window",
     lambda t: {"adoptions": _adopt(t, [999, 2002])},
     ("a.csv", 2, "time"), "year 999 is outside the plausible window 1000-2100"),
    ("year after the plausible window",
     lambda t: {"adoptions": _adopt(t, [2001, 2101])},
     ("a.csv", 3, "time"), "outside the plausible window"),
    ("year outside a configured window",
     lambda t: {"adoptions": _adopt(t, [1899, 2001]), "years": (1900, 2030)},
     ("a.csv", 2, "time"), "outside the plausible window 1900-2030"),
    ("covariate period outside the window",
     lambda t: {"adoptions": _adopt(t, [2001, 2002]), "units": UNITS,
                "covariates": _csv(t, "c.csv", "unit,time,x\nA,2001,1\nB,20012,2\n")},
     ("c.csv", 3, "time"), "outside the plausible window"),
    ("text in a wide year cell",
     lambda t: {"adoptions": _csv(t, "w.csv", "unit,p\nA,2001\nB,soon\n"), "layout": "wide"},
     ("w.csv", 3, "p"), "unreadable time"),
    ("duplicate directed edge",
     lambda t: _rel(t, "A,B,1\nA,B,1\n", directed=True),
     ("r.csv", 3, "t"), 'edge A -> B listed twice (first at row 2); remove the repeat or set '
                        'duplicates = "sum" or "max"'),
    ("duplicate undirected edge",
     lambda t: _rel(t, "A,B,1\nB,C,1\nA,B,1\n"),
     ("r.csv", 4, "t"), "listed twice (first at row 2)"),
    ("asymmetric weights in an undirected relation",
     lambda t: _rel(t, "B,C,2\nC,B,3\n"),
     ("r.csv", 3, "w"), "undirected edge B - C has weight 2 at row 2 and 3 the other way"),
    ("file in GB18030, not UTF-8",
     lambda t: {"adoptions": _csv(t, "g.csv", "policy,unit,time\n政策,北京,2001\n", "gb18030")},
     ("g.csv", 2, None), "it reads as gb18030: pass encoding='gb18030'"),
    ("ragged row with too few fields",
     lambda t: {"adoptions": _csv(t, "a.csv", "policy,unit,time\np,A,2001\np,B\n")},
     ("a.csv", 3, None), "the row has 2 fields; the header has 3"),
    ("ragged row with too many fields",
     lambda t: {"adoptions": _csv(t, "a.csv", "policy,unit,time\np,A,2001,x\n")},
     ("a.csv", 2, None), "the row has 4 fields; the header has 3"),
]


@pytest.mark.parametrize("build, where, message", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_bad_input_is_refused_with_its_place_and_remedy(tmp_path, build, where, message):
    with pytest.raises(StudyDataError) as e:
        load_study(**build(tmp_path))
    found = [p for p in e.value.problems if message in p.hint]
    assert found, str(e.value)
    assert (found[0].file, found[0].row, found[0].column) == where
    assert "np.int64" not in str(e.value) and "np.float64" not in str(e.value)


def test_the_suite_counts_its_classes():
    assert len({c[0] for c in CASES}) == len(CASES) >= 19


# ---------------------------------------------------------------- what is read, not refused
def test_missing_value_codes_make_a_numeric_covariate(tmp_path):
    c = _csv(tmp_path, "c.csv", "unit,time,gdp\nA,2001,1.5\nB,2001,NA\nC,2001,.\nA,2002,n/a\n")
    s = load_study(_adopt(tmp_path, [2001, 2002]), units=UNITS, covariates=c)
    gdp = s.covariates.get_column("gdp")
    assert gdp.dtype.is_numeric() and gdp.null_count() == 3


def test_missing_value_codes_are_configurable(tmp_path):
    c = _csv(tmp_path, "c.csv", "unit,time,gdp\nA,2001,1.5\nB,2001,-99\nC,2001,2\nA,2002,x\n")
    s = load_study(_adopt(tmp_path, [2001, 2002]), units=UNITS, covariates=c,
                   missing_values=["x"])
    assert s.covariates.get_column("gdp").null_count() == 1


def test_date_format_reads_day_first_dates(tmp_path):
    s = load_study(_adopt(tmp_path, ["03/04/2001", "10/12/2001"]), date_format="%d/%m/%Y",
                   granularity="month")
    assert [s.label(p) for p in s.adoptions.get_column("period")] == ["2001-04", "2001-12"]


def test_date_format_keeps_the_digits_as_written(tmp_path):
    # as a number 2016.10 would be 2016.1; the format reads the cell as written
    s = load_study(_adopt(tmp_path, ["2016.10", "2016.09"]), date_format="%Y.%m",
                   granularity="month")
    assert sorted(s.label(p) for p in s.adoptions.get_column("period")) == ["2016-09", "2016-10"]


def test_fractional_years_are_read_when_the_granularity_makes_them_whole(tmp_path):
    s = load_study(_adopt(tmp_path, [1990.25, 1990.75]), granularity="quarter")
    assert sorted(s.label(p) for p in s.adoptions.get_column("period")) == ["1990Q2", "1990Q4"]


def test_wide_zero_and_never_are_not_adoptions_and_are_counted(tmp_path):
    w = _csv(tmp_path, "w.csv", "unit,p,q\nA,0,2001\nB,never,2002\nC,2003,NEVER\n")
    s = load_study(w, layout="wide")
    assert sorted(s.adoptions.select("policy", "unit").rows()) == [("p", "C"), ("q", "A"),
                                                                    ("q", "B")]
    (ex,) = s.exclusion_log
    assert ex.count == 3 and "not adopted" in ex.reason and "p/A=0" in ex.examples


def test_wide_never_codes_are_configurable(tmp_path):
    w = _csv(tmp_path, "w.csv", "unit,p\nA,9999\nB,2002\n")
    s = load_study(w, layout="wide", never=["9999"])
    assert s.adoptions.get_column("unit").to_list() == ["B"]


@pytest.mark.parametrize("rule, weight", [("sum", 3.0), ("max", 2.0)])
def test_duplicate_edges_are_combined_when_asked(tmp_path, rule, weight):
    kw = _rel(tmp_path, "A,B,1\nA,B,2\n", directed=True, duplicates=rule)
    e = load_study(**kw).relations["r"].edges
    assert e.select("source", "target", "weight").rows() == [("A", "B", weight)]


def test_undirected_edge_listed_both_ways_with_one_weight_is_fine(tmp_path):
    e = load_study(**_rel(tmp_path, "A,B,2\nB,A,2\n")).relations["r"].edges
    assert sorted(e.select("source", "target", "weight").rows()) == [("A", "B", 2.0),
                                                                      ("B", "A", 2.0)]


def test_encoding_option_reads_gb18030(tmp_path):
    f = _csv(tmp_path, "g.csv", "policy,unit,time\n政策,北京,2001\n", "gb18030")
    s = load_study(f, encoding="gb18030")
    assert s.adoptions.row(0)[:2] == ("政策", "北京")


def test_byte_order_mark_does_not_rename_the_first_column(tmp_path):
    f = _csv(tmp_path, "a.csv", "\ufeffpolicy,unit,time\np,A,2001\n")
    assert load_study(f).adoptions.height == 1


@pytest.mark.parametrize("kw, fragment", [
    ({"years": (2030, 1900)}, "years must be [FIRST, LAST]"),
    ({"date_format": "dd/mm/yyyy"}, "has no % directive"),
    ({"encoding": "gbk2"}, "unknown encoding 'gbk2'"),
])
def test_reading_options_are_checked_first(tmp_path, kw, fragment):
    with pytest.raises(InvalidOptionError, match=fragment.replace("[", r"\[")):
        load_study(tmp_path / "not-read.csv", **kw)


def test_duplicates_option_is_checked():
    with pytest.raises(InvalidOptionError, match="duplicates must be one of"):
        RelationSpec("r.csv", duplicates="mean")


def test_missing_code_in_a_date_column_is_a_missing_time_under_a_date_format(tmp_path):
    with pytest.raises(StudyDataError) as e:
        load_study(_adopt(tmp_path, ["03/04/2001", "NA"]), date_format="%d/%m/%Y")
    (p,) = e.value.problems
    assert (p.row, p.column, p.hint) == (3, "time", "missing adoption time")
