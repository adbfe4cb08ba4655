"""Hints name options that exist where they are read (issue 15): the command line's
--options, a study file's keys, Python's keywords; one helper (``option_hint``) knows the
three spellings."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import typer

import policydiffusion
from policydiffusion._spelling import SPELLINGS, option_hint, spelled_as
from policydiffusion.cli import app, run
from policydiffusion.errors import StudyDataError
from policydiffusion.study import load_study

SRC = Path(policydiffusion.__file__).parent
COMMANDS = typer.main.get_command(app).commands


def _options(command) -> set[str]:
    return {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}


ALL_OPTIONS = set().union(*(_options(c) for c in COMMANDS.values()))
LOADING = [name for name, c in COMMANDS.items() if "--granularity" in _options(c)]  # with_study


def test_every_cli_spelling_of_a_loading_option_is_an_option_of_every_loading_command():
    assert {"validate", "describe", "riskset"} <= set(LOADING)
    for name in SPELLINGS:
        with spelled_as("cli"):
            hint = option_hint(name, "x")
        flag = hint.split()[0]
        if flag.startswith("--"):
            for command in LOADING:
                assert flag in _options(COMMANDS[command]), (name, command)
        else:  # no command has it: the study-file key, never an invented --option
            assert "--" + name.replace("_", "-") not in ALL_OPTIONS
            assert hint.startswith(f"{name} = ") and "study file" in hint


def test_every_option_named_in_study_studyfile_and_cli_messages_exists():
    named = {}
    for folder in ("study", "studyfile", "cli"):
        for f in (SRC / folder).glob("*.py"):
            for node in ast.walk(ast.parse(f.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    for flag in re.findall(r"(?<![\w-])--[a-z*][a-z*-]*", node.value):
                        named.setdefault(flag, f.name)
    assert "--encoding" in named  # the scan sees hints
    assert {k: v for k, v in named.items() if k not in ALL_OPTIONS} == {}


def _gbk(tmp_path: Path) -> Path:
    f = tmp_path / "g.csv"
    f.write_bytes("policy,unit,time\n政策,北京,2001\n".encode("gb18030"))
    return f


def test_python_hint_names_the_keyword(tmp_path):
    with pytest.raises(StudyDataError) as e:
        load_study(_gbk(tmp_path))
    assert "pass encoding='gb18030'" in str(e.value) and "--encoding" not in str(e.value)


def test_cli_hint_names_the_option(tmp_path, capsys):
    assert run(["validate", str(_gbk(tmp_path))]) == 2
    assert "pass --encoding gb18030" in capsys.readouterr().err


def test_cli_hint_for_an_option_the_command_lacks_names_the_study_file_key(tmp_path, capsys):
    a = tmp_path / "a.csv"
    a.write_text("policy,unit,time\np,A,999\np,B,2001\n")
    assert run(["validate", str(a)]) == 2
    err = capsys.readouterr().err
    assert ("widen it with years = [FIRST, LAST] in a study file's [data] "
            "(`policydiffusion validate` has no --years)") in err


def test_study_file_hint_names_the_key(tmp_path):
    from policydiffusion.pipeline import run_study

    _gbk(tmp_path)
    (tmp_path / "s.toml").write_text(
        '[study]\ntitle = "t"\n[data]\nadoptions = "g.csv"\n[[riskset]]\nname = "r"\n'
        '[[model]]\nname = "m"\nformula = "adopt ~ duration"\n', encoding="utf-8")
    with pytest.raises(StudyDataError) as e:
        run_study(tmp_path / "s.toml", tmp_path / "out")
    assert 'pass encoding = "gb18030"' in str(e.value) and "--encoding" not in str(e.value)


def test_every_python_and_study_file_spelling_exists():
    import dataclasses
    import inspect

    from policydiffusion.studyfile._schema import DataSection

    keywords = inspect.signature(load_study).parameters
    keys = {f.name for f in dataclasses.fields(DataSection)}
    for name in SPELLINGS:
        assert option_hint(name).split("=")[0] in keywords
        with spelled_as("study file"):
            assert option_hint(name).split(" = ")[0] in keys
