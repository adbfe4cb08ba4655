"""Shared fixtures for the estimation tests: the committed golden data and R values."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.fixture(scope="session")
def panel() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "glm_panel.csv")


@pytest.fixture(scope="session")
def glm_golden() -> dict:
    return json.loads((GOLDEN / "glm_golden.json").read_text())


@pytest.fixture(scope="session")
def cox_data() -> pd.DataFrame:
    return pd.read_csv(GOLDEN / "cox_tv.csv")


@pytest.fixture(scope="session")
def cox_golden() -> dict:
    return json.loads((GOLDEN / "cox_golden.json").read_text())
