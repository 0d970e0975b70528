"""Build the default model shipped in the package (stance/data/default.model).

    python training/ship_default_model.py

Builds exactly what the first use would build (stance.cache.build_default_model: the bundled labels'
train + dev, the stored parameters of stance/data/default_params.json, no search) and records the
default-model key (hash of labels, inventory, model code, versions). The package uses the shipped
file only while that key matches; tests/test_shipped_model.py fails when it no longer does, so rerun
this after changing labels, the inventory or the model code.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# Idle OpenBLAS threads sleep at once instead of spinning (as `stance train` does; same model, a third of the CPU).
os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stance.cache import SHIPPED_MODEL, build_default_model, default_model_key  # noqa: E402


def main() -> None:
    """Build and write the shipped model."""
    build_default_model(SHIPPED_MODEL, progress=print)
    print(f"wrote {SHIPPED_MODEL} ({SHIPPED_MODEL.stat().st_size / 1e6:.1f} MB), key {default_model_key()['key']}")


if __name__ == "__main__":
    main()
