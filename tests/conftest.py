from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def minimal_path() -> Path:
    return DATA / "minimal.yaml"
