import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEED_TEXT = ROOT / "seeds" / "000_87b51e7b310dad56.txt"
SEED_GOLD = ROOT / "seeds" / "000_87b51e7b310dad56.gold.jsonl"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session", autouse=True)
def _camel_tools_loaded() -> None:
    """Import camel-tools once up front: stance imports it lazily, on the first rare character, and a
    hypothesis example that happened to trigger the ~1 s import would exceed its deadline."""
    from stance.normalize import _camel

    _camel()


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_gold() -> list[dict]:
    return [json.loads(line) for line in SEED_GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def model_path(tmp_path_factory) -> str:
    """A small model trained on tests/data/tiny.jsonl, saved once for the whole run."""
    from stance.actors import load_actors
    from stance.datasets import load_dataset
    from stance.model import StanceModel

    data = load_dataset(DATA / "tiny.jsonl", load_actors())
    path = tmp_path_factory.mktemp("model") / "tiny.model"
    StanceModel(min_df=1).fit(data.pairs, data.stances, data.sentiments, data.lines).save(path)
    return str(path)


@pytest.fixture(scope="session")
def tiny():
    """The small labeled fixture tests/data/tiny.jsonl as a Dataset."""
    from stance.actors import load_actors
    from stance.datasets import load_dataset

    return load_dataset(DATA / "tiny.jsonl", load_actors())
