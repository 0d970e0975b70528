"""Choose the default model's hyper-parameters once, on the dev split, and store them in the package.

    python training/default_params.py

Runs the same grid as `stance train` (stance C x window, then the sentiment head's C) on the bundled
labels (fit on train, score on dev), fits the calibration temperature on dev, and writes the choice to
stance/data/default_params.json. The default model is then built on first use from the bundled labels
(train + dev) with these parameters and no search (stance/cache.py), which takes seconds instead of
minutes. Rerun this when the labels change a lot (the file records the labels it was chosen on); the
default model is rebuilt from the current labels either way.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.actors import load_actors  # noqa: E402
from stance.cache import DEFAULT_PARAMS, bundled_labels, default_model_key  # noqa: E402
from stance.datasets import load_dataset  # noqa: E402
from stance.train import DEFAULT_GRID, SENTIMENT_GRID, train_model  # noqa: E402


def main() -> None:
    """Search the grid on dev and write stance/data/default_params.json."""
    root = bundled_labels()
    inventory = load_actors()
    train = load_dataset(root / "train", inventory)
    dev = load_dataset(root / "dev", inventory)
    started = time.perf_counter()
    model, metadata = train_model(train, dev, inventory=inventory, progress=print)
    searched = sorted(DEFAULT_GRID) + ["sentiment_C"]
    settings = model.settings()
    out = {
        "params": {k: settings[k] for k in searched},
        "temperature": round(float(model.temperature_), 6),
        "chosen_on": {
            "labels": default_model_key()["labels"],
            "n_train_pairs": len(train),
            "n_dev_pairs": len(dev),
            "grid": {**DEFAULT_GRID, "sentiment_C": SENTIMENT_GRID},
            "dev_metrics": metadata["dev_metrics"],
            "date": dt.date.today().isoformat(),
            "seconds": round(time.perf_counter() - started, 1),
        },
    }
    DEFAULT_PARAMS.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {DEFAULT_PARAMS}: {out['params']}, temperature {out['temperature']}")


if __name__ == "__main__":
    main()
