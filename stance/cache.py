"""The default model: built from the bundled labels on first use, then cached.

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

from .model import ModelError, StanceModel

__all__ = ["bundled_actors", "bundled_labels", "cache_dir", "default_model_key", "default_model_path", "load_model"]

# The modules whose code decides what the default model is: features, matching, fitting, storing.
MODEL_CODE = ("actors.py", "normalize.py", "features.py", "tfidf.py", "fastvec.py", "linear.py", "model.py",
              "modelfile.py", "train.py", "datasets.py", "labels.py", "cache.py")

_LOADED: dict[str, StanceModel] = {}


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


def _files_hash(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.relative_to(root)).encode() + b"\0")
        digest.update(hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


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
        "labels": _files_hash(sorted(labels.glob("train/*.jsonl")) + sorted(labels.glob("dev/*.jsonl")), labels),
        "inventory": hashlib.sha256(actors.read_bytes()).hexdigest(),
        "code": _files_hash([package / name for name in MODEL_CODE], package),
        "versions": f"stance {__version__}, format {FORMAT_VERSION}, features {FEATURES_VERSION}",
    }
    parts["key"] = hashlib.sha256(repr(sorted(parts.items())).encode()).hexdigest()[:16]
    return parts


def default_model_path() -> Path:
    """Cache path of the default model for the bundled labels, inventory and code."""
    return cache_dir() / f"default-{default_model_key()['key']}.model"


def build_default_model(path: Path) -> StanceModel:
    """Train the default model from the bundled labels and save it to ``path``."""
    from .actors import load_actors
    from .datasets import load_dataset
    from .train import train_model

    root = bundled_labels()
    inventory = load_actors()
    train = load_dataset(root / "train", inventory)
    dev = load_dataset(root / "dev", inventory) if (root / "dev").exists() else None
    if train.errors:
        raise ModelError(f"bundled labels are invalid: {train.errors[0]}")
    model, metadata = train_model(train, dev, inventory=inventory)
    metadata["source"] = "bundled labels (default model)"
    metadata["default_model_key"] = default_model_key()
    model.save(path, metadata)
    return model


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
    target = default_model_path()
    key = str(target)
    if key in _LOADED:
        return _LOADED[key]
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target.with_suffix(".lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not target.exists():
                    if not quiet:
                        print(f"stance: building the default model from the bundled labels into {target} "
                              "(first use, a few seconds)...", file=sys.stderr)
                    _LOADED[key] = build_default_model(target)
                    return _LOADED[key]
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
    try:
        _LOADED[key] = StanceModel.load(target)
    except ModelError:
        # a corrupt cache entry: rebuild it rather than fail
        target.unlink(missing_ok=True)
        return load_model(None, quiet=quiet)
    return _LOADED[key]
