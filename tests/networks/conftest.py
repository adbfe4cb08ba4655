import pandas as pd
import pytest

from policydiffusion.datasets import load_dataset
from netinf_golden_data import package_cascades


@pytest.fixture
def example_cascades():
    return package_cascades("example")


@pytest.fixture
def spid_cascades():
    return package_cascades("spid")


@pytest.fixture
def spid_frame() -> pd.DataFrame:
    return load_dataset("spid_adoptions")
