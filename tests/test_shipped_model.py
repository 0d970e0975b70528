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
