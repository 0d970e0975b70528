"""The default model: shipped in the package, or built from the bundled labels on first use and cached.

The cache lives in ``$STANCE_HOME`` (else ``$XDG_CACHE_HOME/stance``, else
``~/.cache/stance``), keyed by a hash of everything the model is made from: the
bundled labels (train and dev), the bundled actor inventory, the source of the
modules that turn text into features and fit the model, and the format
version; editing any of them builds a new model instead of reusing a stale one.
Concurrent first uses are serialized with a file lock; the file itself is
written atomically. Nothing is ever downloaded.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sys
from importlib import resources
from pathlib import Path
from typing import Callable

from .util import sha256_files
from .model import ModelError, StanceModel

__all__ = ["bundled_actors", "bundled_labels", "cache_dir", "default_model_key", "default_model_path", "load_model",
           "shipped_model"]

# Hyper-parameters and calibration temperature of the default model, chosen once on dev by
# training/default_params.py: the first use builds the model without a search.
DEFAULT_PARAMS = Path(__file__).resolve().parent / "data" / "default_params.json"

# The modules whose code decides what the default model is: features, matching, fitting, storing.
MODEL_CODE = ("actors.py", "normalize.py", "features.py", "tfidf.py", "vocab.py", "fastvec.py", "targetvec.py",
              "linear.py", "logistic.py", "model.py", "modelfile.py", "datasets.py", "labels.py", "cache.py",
              "holder.py", "cues.py", "util.py", "data/cues.toml", "data/default_params.json",
              "data/normalize_chars.json")

# The default model built by ``python training/ship_default_model.py`` and shipped in the package: used
# while its recorded key matches the current labels, inventory and code, so a fresh install scores at
# once; otherwise the first use builds (and caches) a new one.
SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "default.model"

_LOADED: dict[str, StanceModel] = {}
_DEFAULT = "<default model>"


def cache_dir() -> Path:
    """Where the default model is cached."""
    home = os.environ.get("STANCE_HOME")
    if home:
        return Path(home)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "stance"


def bundled_labels() -> Path:
    """Directory of the labels shipped with the package (``train/``, ``dev/``, ``test/``)."""
    return Path(str(resources.files("stance").joinpath("data/labels")))


def bundled_actors() -> Path:
    """The actor inventory shipped with the package."""
    return Path(str(resources.files("stance").joinpath("data/actors.toml")))


def default_model_key(labels: Path | None = None, actors: Path | None = None) -> dict[str, str]:
    """What the default model is built from, hashed: labels, inventory, model code, format.

    ``labels`` and ``actors`` default to the bundled ones. The ``key`` entry names the cache file.
    """
    from . import __version__
    from .features import FEATURES_VERSION
    from .modelfile import FORMAT_VERSION

    labels = labels or bundled_labels()
    actors = actors or bundled_actors()
    package = Path(__file__).resolve().parent
    parts = {
        "labels": sha256_files(sorted(labels.glob("train/*.jsonl")) + sorted(labels.glob("dev/*.jsonl")), labels),
        "inventory": sha256_files([actors]),
        "code": sha256_files([package / name for name in MODEL_CODE], package),
        "versions": f"stance {__version__}, format {FORMAT_VERSION}, features {FEATURES_VERSION}",
    }
    parts["key"] = hashlib.sha256(repr(sorted(parts.items())).encode()).hexdigest()[:16]
    return parts


def default_model_path(key: str | None = None) -> Path:
    """Cache path of the default model for the bundled labels, inventory and code (``key``: their
    :func:`default_model_key` key, when already computed)."""
    return cache_dir() / f"default-{key or default_model_key()['key']}.model"


def default_params() -> dict:
    """The stored choice of :data:`DEFAULT_PARAMS`: ``params`` for :class:`StanceModel` and ``temperature``."""
    import json

    try:
        config = json.loads(DEFAULT_PARAMS.read_text(encoding="utf-8"))
        return {"params": dict(config["params"]), "temperature": float(config["temperature"])}
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ModelError(f"{DEFAULT_PARAMS}: unreadable default parameters ({exc}); "
                         "rerun python training/default_params.py") from None


def build_default_model(path: Path, progress: Callable[[str], None] | None = None) -> StanceModel:
    """Train the default model from the bundled labels (train + dev) with the stored parameters; save it.

    No hyper-parameter search: :data:`DEFAULT_PARAMS` holds the parameters and calibration temperature
    chosen once on dev (``training/default_params.py``). ``progress`` receives one line per step.
    """
    import time

    from .actors import load_actors
    from .datasets import Dataset, load_dataset

    started = time.perf_counter()

    def note(message: str) -> None:
        if progress is not None:
            progress(f"[{time.perf_counter() - started:4.1f} s] {message}")

    config = default_params()
    root = bundled_labels()
    inventory = load_actors()
    data = Dataset()
    for split in ("train", "dev"):
        if (root / split).exists():
            part = load_dataset(root / split, inventory)
            if part.errors:
                raise ModelError(f"bundled labels are invalid: {part.errors[0]}")
            data.extend(part)
    note(f"read {len(data)} labeled pairs; fitting with {config['params']}")
    model = StanceModel(**config["params"], actors=inventory)
    model.fit(data.pairs, data.stances, data.sentiments, data.lines, progress=note)
    model.temperature_ = config["temperature"]
    model.fit_holder(data, progress=note)
    metadata = {
        "source": "bundled labels (default model, stored parameters, no search)",
        "default_model_key": default_model_key(),
        "default_params": config,
        "n_train_pairs": len(data),
        "label_counts": {s: data.stances.count(s) for s in sorted(set(data.stances))},
        "feature_settings": model.settings(),
        "training_seconds": round(time.perf_counter() - started, 2),
    }
    model.save(path, metadata)
    note(f"saved {path}")
    return model


def _stderr(message: str) -> None:
    print(f"stance: {message}", file=sys.stderr, flush=True)


def load_model(path: str | Path | None = None, *, quiet: bool = False) -> StanceModel:
    """Load a model file, or the default model (building it on first use).

    Parameters
    ----------
    path : str or Path, optional
        A model written by ``stance train``; the default model when omitted.
    quiet : bool, default=False
        Do not announce on stderr that the default model is being built.

    Raises
    ------
    ModelError
        Missing, corrupt or incompatible model file, with how to rebuild it.
    """
    if path is not None:
        key = str(Path(path).resolve())
        if key not in _LOADED:
            _LOADED[key] = StanceModel.load(path)
        return _LOADED[key]
    if _DEFAULT in _LOADED:  # the key hashes the labels: computed once per process
        return _LOADED[_DEFAULT]
    _LOADED[_DEFAULT] = _default_model(quiet)
    return _LOADED[_DEFAULT]


def shipped_model(key: str | None = None) -> StanceModel | None:
    """The default model shipped in the package, when it was built from exactly the current labels,
    inventory and code (its recorded :func:`default_model_key` equals today's, ``key`` when given);
    else None."""
    if not SHIPPED_MODEL.exists():
        return None
    try:
        model = StanceModel.load(SHIPPED_MODEL)
    except ModelError:
        return None
    recorded = getattr(model, "metadata_", {}).get("default_model_key", {})
    return model if recorded.get("key") == (key or default_model_key()["key"]) else None


def _default_model(quiet: bool) -> StanceModel:
    key = default_model_key()["key"]  # hashes every label file: once
    target = default_model_path(key)
    if not target.exists():
        shipped = shipped_model(key)
        if shipped is not None:
            return shipped
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not target.exists():
                    if not quiet:
                        print(f"stance: first use: building the default model from the bundled labels into "
                              f"{target} (10-20 s, once)", file=sys.stderr)
                    return build_default_model(target, None if quiet else _stderr)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    try:
        return StanceModel.load(target)
    except ModelError:
        # a corrupt cache entry: rebuild it rather than fail
        target.unlink(missing_ok=True)
        return _default_model(quiet)
