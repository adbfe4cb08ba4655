"""Fixtures for the term tests."""

from __future__ import annotations

import pytest
from toy import toy_study


@pytest.fixture(scope="session")
def toy():
    return toy_study()

