import pytest


@pytest.fixture(scope="session")
def china():
    from policydiffusion.effects._hsiang import hsiang_china_panel

    return hsiang_china_panel()


@pytest.fixture(scope="session")
def china_fit(china):
    pytest.importorskip("pyfixest")
    from policydiffusion.effects import event_study
    from policydiffusion.effects._hsiang import HSIANG_BINS

    return event_study(china.panel, china.adoptions, outcome="growth", unit="city", time="date",
                       bins=HSIANG_BINS, controls=china.controls, cluster="date")
