"""A missing optional dependency is one error, MissingDependencyError, naming the extra
that installs it, wherever it is needed (issue 15: one spelling, not three)."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from policydiffusion.errors import InvalidOptionError, MissingDependencyError


def _lsh():
    from policydiffusion.reinvention._candidates import lsh_pairs

    lsh_pairs([np.arange(3, dtype=np.uint64)])


def _jieba():
    from policydiffusion.reinvention._tokens import _jieba_tokens

    _jieba_tokens("政策")


def _docx():
    from policydiffusion.report.docx import _docx

    _docx()


def _dask():
    from policydiffusion.estimate._dask import dask_client

    dask_client()


def _fixest():
    from policydiffusion.effects._fixest import pyfixest

    pyfixest()


@pytest.mark.parametrize("module, call, extra", [
    ("datasketch", _lsh, "reinvention"), ("jieba", _jieba, "reinvention"),
    ("docx", _docx, "docx"), ("distributed", _dask, "dask"), ("pyfixest", _fixest, "effects")],
    ids=["datasketch", "jieba", "python-docx", "dask", "pyfixest"])
def test_missing_optional_dependency_names_its_extra(monkeypatch, module, call, extra):
    monkeypatch.setitem(sys.modules, module, None)  # import -> ImportError
    with pytest.raises(MissingDependencyError, match=rf'pip install "policydiffusion\[{extra}\]"'):
        call()


def test_the_effects_module_still_exports_it():
    from policydiffusion.effects import MissingDependencyError as FromEffects

    assert FromEffects is MissingDependencyError
    assert issubclass(MissingDependencyError, ImportError)
    assert issubclass(MissingDependencyError, InvalidOptionError)  # as docx and dask raised
