"""The default model shipped in the package is the one the bundled labels, inventory and code make."""

from stance.cache import SHIPPED_MODEL, default_model_key, shipped_model
from stance.model import StanceModel


def test_shipped_default_model_matches_labels_inventory_and_code():
    assert SHIPPED_MODEL.exists(), "no shipped default model: run python training/ship_default_model.py"
    recorded = StanceModel.load(SHIPPED_MODEL).metadata_["default_model_key"]
    current = default_model_key()
    stale = [part for part in ("labels", "inventory", "code", "versions") if recorded.get(part) != current[part]]
    assert not stale, (f"the shipped default model is stale ({', '.join(stale)} changed): "
                       "rerun python training/ship_default_model.py")
    assert shipped_model() is not None


def test_a_stale_shipped_model_is_not_used(monkeypatch, tmp_path):
    import stance.cache as cache

    copy = tmp_path / "default.model"
    copy.write_bytes(SHIPPED_MODEL.read_bytes())
    monkeypatch.setattr(cache, "SHIPPED_MODEL", copy)
    monkeypatch.setattr(cache, "default_model_key", lambda *a, **k: {"key": "something-else"})
    assert cache.shipped_model() is None


def test_loading_the_default_model_hashes_the_labels_once(monkeypatch, tmp_path):
    """The cache path and the shipped model's check share one key: every label file is read once a load."""
    import stance.cache as cache

    monkeypatch.setenv("STANCE_HOME", str(tmp_path / "home"))  # an empty cache: the shipped model is used
    calls = []
    real = cache.default_model_key
    monkeypatch.setattr(cache, "default_model_key", lambda *a, **k: calls.append(1) or real(*a, **k))
    model = cache._default_model(quiet=True)
    assert model.metadata_["default_model_key"]["key"] == real()["key"]
    assert len(calls) == 1
