"""The model file format (format 3): a JSON header and numeric arrays, never a pickle.

Layout of a ``.model`` file::

    STANCE-MODEL 3\\n                 magic line: the format version, readable with `head -1`
    <8 bytes>                         length of the header, little-endian unsigned
    <header>                          UTF-8 JSON: versions, label sets, parameters, the actor
                                      inventory, the stance cues, training metadata, and the payload's size and SHA-256
    <payload>                         a ZIP archive: ``*.npy`` numeric arrays (idf vectors, coefficients)
                                      read with ``numpy.load(allow_pickle=False)``, and ``*.json`` term lists

Reading checks the magic line and the version first, then the header, then the payload's size and
hash, and only then parses arrays: nothing in a file can run code. Files of format 1 (joblib) and
2 (``STANCE-MODEL`` + zlib pickle) are recognised and refused, never unpickled.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import struct
import tempfile
import zipfile
from pathlib import Path
from typing import Callable

import numpy as np

from .util import current_umask

__all__ = ["FORMAT_VERSION", "ModelError", "read_header", "read_payload", "write_atomic", "write_model_file"]

FORMAT_VERSION = 3
MAGIC = b"STANCE-MODEL"
_LEGACY_MAGIC = b"STANCE-MODEL\n"  # format 2: MAGIC + zlib(pickle)
_MAX_HEADER = 64 << 20
_NUMERIC = set("biuf")  # numpy dtype kinds a model file may hold


class ModelError(ValueError):
    """A model file is missing, corrupt or from an incompatible version."""


def _jsonable(value: object) -> object:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (set, frozenset)):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _zip(arrays: dict[str, np.ndarray], texts: dict[str, list]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, array in arrays.items():
            array = np.asarray(array)
            if array.dtype.kind not in _NUMERIC:
                raise TypeError(f"array {name!r} has dtype {array.dtype}; model files hold numeric arrays only")
            member = io.BytesIO()
            np.lib.format.write_array(member, array, allow_pickle=False)
            archive.writestr(f"{name}.npy", member.getvalue())
        for name, items in texts.items():
            archive.writestr(f"{name}.json", json.dumps(items, ensure_ascii=False, separators=(",", ":")))
    return buffer.getvalue()


def write_model_file(path: str | Path, header: dict, arrays: dict[str, np.ndarray], texts: dict[str, list]) -> Path:
    """Write a format-3 model file atomically; ``header`` gets the format version and payload checks."""
    payload = _zip(arrays, texts)
    header = dict(header, format_version=FORMAT_VERSION, payload_bytes=len(payload),
                  payload_sha256=hashlib.sha256(payload).hexdigest())
    head = json.dumps(header, ensure_ascii=False, default=_jsonable).encode("utf-8")

    def write(handle) -> None:
        handle.write(MAGIC + b" %d\n" % FORMAT_VERSION)
        handle.write(struct.pack("<Q", len(head)))
        handle.write(head)
        handle.write(payload)

    return write_atomic(path, write)


def _how(path: Path) -> str:
    return f"rebuild it with `stance train -o {path}` (or delete it to use the default model)"


def _detect_format(data: bytes) -> int | None:
    """The format version a file's first bytes announce (None: not a model file)."""
    if data.startswith(_LEGACY_MAGIC):
        return 2
    if data.startswith(MAGIC + b" "):
        line = data[len(MAGIC) + 1:data.find(b"\n", 0, 64)]
        return int(line) if line.isdigit() else None
    # format 1 was a joblib file: a pickle (protocol 2+) or one compressed by joblib
    if data[:1] == b"\x80" or data[:2] in (b"x\x01", b"x\x9c", b"x\xda", b"\x1f\x8b", b"BZ") \
            or data[:4] in (b"\xfd7zX", b"\x04\x22\x4d\x18") or data.startswith(b"ZF0x"):
        return 1
    return None


def read_header(path: str | Path) -> tuple[dict, bytes]:
    """The header of a model file and the file's bytes; refuses other formats before parsing anything else.

    Raises
    ------
    ModelError
        Missing file, not a model, another format version (with the retrain advice), or a damaged header.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"{path}: no such model file; train one with `stance train -o {path}`") from None
    except OSError as exc:
        raise ModelError(f"{path}: cannot read the model file ({exc.strerror})") from None
    version = _detect_format(data)
    if version is None:
        raise ModelError(f"{path}: not a stance model file (it does not start with {MAGIC.decode()}); {_how(path)}")
    if version != FORMAT_VERSION:
        what = {1: " (a joblib pickle)", 2: " (a zlib pickle)"}.get(version, "")
        raise ModelError(
            f"{path}: model format {version}{what} is not this version's format {FORMAT_VERSION}; "
            f"it is refused and never unpickled (pickled model files can run code when loaded); {_how(path)}"
        )
    start = data.index(b"\n") + 1
    if len(data) < start + 8:
        raise ModelError(f"{path}: truncated model file (no header); {_how(path)}")
    (size,) = struct.unpack("<Q", data[start:start + 8])
    if size > _MAX_HEADER or len(data) < start + 8 + size:
        raise ModelError(f"{path}: truncated or corrupted model file (header of {size} bytes); {_how(path)}")
    try:
        header = json.loads(data[start + 8:start + 8 + size].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ModelError(f"{path}: corrupted model file header ({exc}); {_how(path)}") from None
    if not isinstance(header, dict) or header.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{path}: corrupted model file header (format version missing); {_how(path)}")
    header["_payload_offset"] = start + 8 + size
    return header, data


def read_payload(path: str | Path, header: dict, data: bytes) -> tuple[dict[str, np.ndarray], dict[str, list]]:
    """Arrays and term lists of a model file whose header :func:`read_header` accepted.

    The payload's size and SHA-256 are checked before it is parsed; arrays are read with
    ``numpy.load(allow_pickle=False)`` and must be numeric.
    """
    path = Path(path)
    payload = data[header["_payload_offset"]:]
    if len(payload) != header.get("payload_bytes"):
        raise ModelError(f"{path}: truncated model file ({len(payload)} of {header.get('payload_bytes')} payload "
                         f"bytes); {_how(path)}")
    if hashlib.sha256(payload).hexdigest() != header.get("payload_sha256"):
        raise ModelError(f"{path}: corrupted model file (payload checksum mismatch); {_how(path)}")
    arrays: dict[str, np.ndarray] = {}
    texts: dict[str, list] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(payload)) as archive:
            for name in archive.namelist():
                raw = archive.read(name)
                if name.endswith(".npy"):
                    array = np.load(io.BytesIO(raw), allow_pickle=False)
                    if array.dtype.kind not in _NUMERIC:
                        raise ValueError(f"{name} has dtype {array.dtype}")
                    arrays[name[:-4]] = array
                elif name.endswith(".json"):
                    texts[name[:-5]] = json.loads(raw.decode("utf-8"))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as exc:
        raise ModelError(f"{path}: corrupted model file payload ({exc}); {_how(path)}") from None
    return arrays, texts


def write_atomic(path: str | Path, write: Callable[[object], None]) -> Path:
    """Call ``write(handle)`` on a temp file next to ``path``, then rename it over ``path``.

    A failure (or an interrupt) leaves the previous file untouched and no temp file behind.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.chmod(tmp, 0o666 & ~current_umask())
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return path
