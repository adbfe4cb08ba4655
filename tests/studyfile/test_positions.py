"""The TOML position scanner finds the line of every key, array element and inline field."""

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from policydiffusion.studyfile._positions import toml_positions

TEXT = '''# comment line
title = "a # not a comment"
[data]
dataset = "spid"   # trailing comment
"quoted key" = 'x'
[data.relations.visits]
file = "v.csv"
[[riskset]]
name = "one"
terms = [
  {term = "neighbors_adopted", relation = "contiguity"},
  # a comment inside the array
  {term = "duration_poly", degree = 3} ,
  "x",
]
[[riskset]]
name = """two
lines"""
policies = ["a",
  "b"]
[[riskset.extra]]
x = 1
[report]
labels.adopt = {en = "Adopted", zh = "采纳"}
'''


def test_positions_of_tables_keys_and_inline_fields():
    tomllib.loads(TEXT)  # the fixture is valid TOML
    pos = toml_positions(TEXT)
    assert pos[("title",)] == 2
    assert pos[("data",)] == 3
    assert pos[("data", "dataset")] == 4
    assert pos[("data", "quoted key")] == 5
    assert pos[("data", "relations", "visits", "file")] == 7
    assert pos[("riskset", 0)] == 8
    assert pos[("riskset", 0, "terms")] == 10
    assert pos[("riskset", 0, "terms", 0, "relation")] == 11
    assert pos[("riskset", 0, "terms", 1, "term")] == 13
    assert pos[("riskset", 0, "terms", 1, "degree")] == 13
    assert pos[("riskset", 0, "terms", 2)] == 14
    assert pos[("riskset", 1, "name")] == 17
    assert pos[("riskset", 1, "policies", 1)] == 20
    assert pos[("riskset", 1, "extra", 0, "x")] == 22
    assert pos[("report", "labels", "adopt", "zh")] == 24
    assert pos[("report", "labels")] == 24


keys = st.from_regex(r"[a-z][a-z0-9_]{0,6}", fullmatch=True)
scalars = st.one_of(st.integers(-5, 5), st.booleans(), st.text("abc #=[]{}'\\\"", max_size=6))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(keys, st.dictionaries(keys, scalars, max_size=4)), min_size=1,
                max_size=4, unique_by=lambda t: t[0]))
def test_every_written_key_is_found_on_its_line(tables):
    lines, expected = [], {}
    for name, body in tables:
        lines.append(f"[[{name}]]")
        expected[(name, 0)] = len(lines)
        for k, v in body.items():
            lit = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"') if isinstance(v, str) \
                else str(v).lower()
            lines.append(f"{k} = {lit}  # note")
            expected[(name, 0, k)] = len(lines)
    text = "\n".join(lines) + "\n"
    tomllib.loads(text)
    pos = toml_positions(text)
    for path, line in expected.items():
        assert pos[path] == line
