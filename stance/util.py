"""Small helpers shared across the package, each in one place: the umask, hashing files, bounded caches."""

from __future__ import annotations

import gc
import hashlib
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator, TypeVar

K = TypeVar("K")
V = TypeVar("V")

__all__ = ["BoundedDict", "current_umask", "gc_paused", "sha256_files"]


def current_umask() -> int:
    """The process umask (``os.umask`` can only be read by setting it, so it is set back at once)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def sha256_files(files: Iterable[Path], root: Path | None = None) -> str:
    """SHA-256 (hex) over the files' names (relative to ``root``, else base names) and contents, in order."""
    digest = hashlib.sha256()
    for f in files:
        digest.update(str(f.relative_to(root) if root is not None else f.name).encode() + b"\0")
        digest.update(hashlib.sha256(f.read_bytes()).digest())
    return digest.hexdigest()


class BoundedDict(dict):
    """A cache that empties itself when full: cheap, and right when hits are local in time."""

    def __init__(self, max_size: int = 10_000) -> None:
        super().__init__()
        self.max_size = max_size

    def put(self, key: K, value: V) -> V:
        """Store ``value`` (after emptying the cache if it holds ``max_size`` entries) and return it."""
        if len(self) >= self.max_size:
            self.clear()
        self[key] = value
        return value


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch allocates many small objects that form no
    cycles (sentences, scores, dicts): on a 16 MB article the collector's passes over the growing heap
    cost a quarter of the time. Reference counting still frees everything; the collector resumes after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
