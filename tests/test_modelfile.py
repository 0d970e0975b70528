"""Model files are data: old pickled formats and crafted payloads are refused without running code."""

import hashlib
import io
import json
import pickle
import struct
import zipfile
import zlib

import numpy as np
import pytest

from stance.features import Pair
from stance.modelfile import FORMAT_VERSION, ModelError, read_header, write_atomic
from stance.model import StanceModel


class _Marker:
    """Unpickling this object creates the marker file (a stand-in for any code a pickle can run)."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.fixture(scope="module")
def saved(model_path):
    return StanceModel.load(model_path), open(model_path, "rb").read()


def _rewrite(data: bytes, header_update=None, payload=None) -> bytes:
    """A format-3 file with its header edited and/or its payload replaced (hash and size fixed up)."""
    start = data.index(b"\n") + 1
    (size,) = struct.unpack("<Q", data[start:start + 8])
    header = json.loads(data[start + 8:start + 8 + size])
    payload = data[start + 8 + size:] if payload is None else payload
    header.update(header_update or {}, payload_bytes=len(payload), payload_sha256=hashlib.sha256(payload).hexdigest())
    head = json.dumps(header).encode()
    return data[:start] + struct.pack("<Q", len(head)) + head + payload


def test_old_pickle_formats_are_refused_and_never_unpickled(tmp_path):
    marker = tmp_path / "marker"
    payload = {"model": _Marker(marker), "metadata": {"format_version": 2}}
    format2 = tmp_path / "f2.model"
    format2.write_bytes(b"STANCE-MODEL\n" + zlib.compress(pickle.dumps(payload)))
    format1 = tmp_path / "f1.model"  # joblib.dump of the era wrote a plain pickle
    format1.write_bytes(pickle.dumps(payload, protocol=4))
    for path, n in ((format2, 2), (format1, 1)):
        with pytest.raises(ModelError, match=f"{path.name}: model format {n} .*never unpickled.*stance train"):
            StanceModel.load(path)
    assert not marker.exists()


def test_crafted_format3_payload_is_refused_without_running_code(saved, tmp_path):
    marker = tmp_path / "marker"
    _, data = saved
    member = io.BytesIO()
    np.save(member, np.array([_Marker(marker)], dtype=object), allow_pickle=True)
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("stance/coef.npy", member.getvalue())
    path = tmp_path / "evil.model"
    path.write_bytes(_rewrite(data, payload=zipped.getvalue()))  # a consistent checksum: only numpy stands guard
    with pytest.raises(ModelError, match="evil.model: corrupted model file payload"):
        StanceModel.load(path)
    assert not marker.exists()


def test_other_versions_are_refused_before_the_payload(saved, tmp_path):
    _, data = saved
    path = tmp_path / "m.model"
    path.write_bytes(data.replace(b"STANCE-MODEL 3\n", b"STANCE-MODEL 9\n", 1))
    with pytest.raises(ModelError, match="m.model: model format 9 is not this version's format 3"):
        StanceModel.load(path)
    path.write_bytes(_rewrite(data, {"features_version": 0}))
    with pytest.raises(ModelError, match="feature code version 0"):
        StanceModel.load(path)


def test_truncated_corrupt_and_foreign_files_name_the_file(saved, tmp_path):
    _, data = saved
    cases = {
        "truncated.model": (data[:-1000], "truncated model file"),
        "cut.model": (data[: len(data) // 4], "truncated or corrupted"),
        "header.model": (data[:40], "truncated or corrupted"),
        "flipped.model": (data[:-100] + bytes([data[-100] ^ 1]) + data[-99:], "checksum mismatch"),
        "text.model": (b"not a model", "not a stance model file"),
        "empty.model": (b"", "not a stance model file"),
    }
    for name, (content, message) in cases.items():
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ModelError, match=f"{name}: .*{message}.*stance train"):
            StanceModel.load(path)
    with pytest.raises(ModelError, match="no such model file"):
        StanceModel.load(tmp_path / "missing.model")


def test_header_is_plain_json_with_versions_and_inventory(model_path):
    header, _ = read_header(model_path)
    assert header["format_version"] == FORMAT_VERSION and header["features_version"] >= 1
    assert {"stance_version", "sklearn_version", "numpy_version", "stance_classes", "params"} <= set(header)
    assert any(a["id"] == "US" for a in header["actors"])


def test_model_file_from_before_the_marks_loads_without_them(model_path, tmp_path):
    """A file whose parameters predate ``marks`` was fitted without them: it loads with marks off and
    scores as it did (the marks' terms are not in its vocabularies either way)."""
    header, data = read_header(model_path)
    assert header["params"]["marks"] is True
    start, offset = data.index(b"\n") + 1, header.pop("_payload_offset")
    del header["params"]["marks"]
    old = tmp_path / "old.model"
    text = json.dumps(header).encode("utf-8")
    old.write_bytes(data[:start] + struct.pack("<Q", len(text)) + text + data[offset:])
    before, now = StanceModel.load(old), StanceModel.load(model_path)
    assert before.marks is False and before.features_.marks is False and now.features_.marks is True
    pairs = [Pair("قال بايدن «إن واشنطن لن تسمح» بضرب الحشد الشعبي", a) for a in ("US", "PMF")]
    assert (before.predict_proba(pairs) == now.predict_proba(pairs)).all()


def test_atomic_write_failure_keeps_old_file(tmp_path):
    path = tmp_path / "m.model"
    write_atomic(path, lambda h: h.write(b"v1"))

    def fail(handle):
        handle.write(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_atomic(path, fail)
    assert path.read_bytes() == b"v1"
    assert [p.name for p in tmp_path.iterdir()] == ["m.model"]
