"""The labeling app: a small local web server (standard library only) over one batch file.

Bound to 127.0.0.1, it serves one page (``static/label.html``, no CDN, nothing fetched) and a JSON
API. Every decision is applied to the batch in memory and the whole file is rewritten at once,
atomically (temp file, fsync, rename), before the answer goes back: a closed tab or a killed server
loses nothing, and reopening the file resumes at the first undecided step. Undo restores the record
as it was before the last decision of this session.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import tempfile
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path

from ..actors import Inventory, load_actors, match_actors
from ..labels import SENTIMENTS, STANCES, LabelError, read_labels

__all__ = ["Batch", "BatchError", "make_server", "serve"]

POLAR = ("favor", "against")


class BatchError(ValueError):
    """The batch file cannot be labeled (unreadable, or an invalid record: names the file and line)."""


class OpError(ValueError):
    """A decision the batch cannot take (bad index, actor or value)."""


def _steps(record: dict) -> list[dict]:
    """The decisions a record still needs, in order: per target its stance (then holder), then sentiment."""
    steps = []
    actors = [t["actor"] for t in record.get("targets", [])]
    for t in record.get("targets", []):
        if t.get("stance") is None:
            steps.append({"step": "stance", "actor": t["actor"]})
        elif t["stance"] in POLAR and t.get("source") is None and len(actors) > 1:
            steps.append({"step": "holder", "actor": t["actor"]})
    if record.get("sentiment") is None:
        steps.append({"step": "sentiment"})
    return steps


class Batch:
    """A batch file of user records, decided one step at a time and saved after each."""

    def __init__(self, path: str | Path, inventory: Inventory | None = None) -> None:
        self.path = Path(path)
        self.inventory = inventory or load_actors()
        self.lock = threading.Lock()
        self.history: list[tuple[int, dict]] = []
        errors: list[LabelError] = []
        list(read_labels(self.path, self.inventory, errors))
        if errors:
            raise BatchError(f"{errors[0]} (fix the file before labeling it)")
        self.records: list[dict] = []
        for lineno, line in enumerate(self.path.read_text(encoding="utf-8-sig").splitlines(), 1):
            if line.strip():
                self.records.append(json.loads(line))
        if not self.records:
            raise BatchError(f"{self.path}: no records to label")

    # -- views --------------------------------------------------------------

    def _segments(self, record: dict) -> list[dict]:
        """The text cut into plain and actor-mention pieces (offsets stay on the server)."""
        text = record["text"]
        pieces, pos = [], 0
        for m in sorted(match_actors(text, self.inventory, record.get("date")), key=lambda m: m.start):
            if m.start < pos:
                continue
            if m.start > pos:
                pieces.append({"t": text[pos:m.start], "a": None})
            pieces.append({"t": text[m.start:m.end], "a": m.actor})
            pos = m.end
        if pos < len(text):
            pieces.append({"t": text[pos:], "a": None})
        return pieces

    def view(self, index: int) -> dict:
        """What the page needs to show record ``index``."""
        r = self.records[index]
        meta = {k: r[k] for k in ("article", "line", "outlet", "date") if r.get(k) is not None}
        return {"index": index, "meta": meta, "segments": self._segments(r), "targets": r.get("targets", []),
                "not_mentions": r.get("not_mentions", []), "sentiment": r.get("sentiment"),
                "suggested": r.get("suggested", {}), "steps": _steps(r)}

    def progress(self) -> dict:
        """Counts of decided sentences and pairs, and the first record with a step left (the cursor)."""
        pending = [i for i, r in enumerate(self.records) if _steps(r)]
        pairs = [t for r in self.records for t in r.get("targets", [])]
        return {"sentences": len(self.records), "done": len(self.records) - len(pending),
                "pairs": len(pairs), "pairs_done": sum(t.get("stance") is not None for t in pairs),
                "cursor": pending[0] if pending else None, "undo": len(self.history)}

    def state(self) -> dict:
        """Everything the page loads at start."""
        names = {a.id: {"en": a.name_en, "ar": a.name_ar} for a in self.inventory.actors.values()}
        return {"file": self.path.name, "records": [self.view(i) for i in range(len(self.records))],
                "actors": names, "progress": self.progress()}

    # -- decisions ----------------------------------------------------------

    def apply(self, op: dict) -> dict:
        """Apply one decision (or ``undo``), save the file atomically, return the changed record and progress."""
        with self.lock:
            if op.get("op") == "undo":
                if not self.history:
                    raise OpError("nothing to undo")
                index, before = self.history.pop()
                self.records[index] = before
            else:
                index = self._index(op)
                before = copy.deepcopy(self.records[index])
                self._decide(self.records[index], op)
                self.history.append((index, before))
            self.save()
            return {"record": self.view(index), "progress": self.progress()}

    def _index(self, op: dict) -> int:
        index = op.get("index")
        if not isinstance(index, int) or not 0 <= index < len(self.records):
            raise OpError(f"no record {index!r}")
        return index

    def _decide(self, record: dict, op: dict) -> None:
        kind = op.get("op")
        if kind == "sentiment":
            if op.get("sentiment") not in SENTIMENTS:
                raise OpError(f"sentiment must be one of {', '.join(SENTIMENTS)}")
            record["sentiment"] = op["sentiment"]
            return
        targets = record.get("targets", [])
        target = next((t for t in targets if t["actor"] == op.get("actor")), None)
        if target is None:
            raise OpError(f"record has no target {op.get('actor')!r}")
        others = [t["actor"] for t in targets if t is not target]
        if kind == "stance":
            value = op.get("stance")
            if value == "not_mention":  # the matcher was wrong: the text does not name this actor
                targets.remove(target)
                record["not_mentions"] = sorted(set(record.get("not_mentions", [])) | {target["actor"]})
                return
            if value not in STANCES:
                raise OpError(f"stance must be one of {', '.join(STANCES)} or not_mention")
            target["stance"] = value
            target.pop("source", None)
            if value in POLAR and not others:
                target["source"] = "author"  # an actor's stance toward itself is not a stance
        elif kind == "source":
            value = op.get("source")
            if target.get("stance") not in POLAR:
                raise OpError("a holder is named for favor/against pairs only")
            if value != "author" and value not in others:
                raise OpError(f"holder must be 'author' or another actor of the sentence ({', '.join(others)})")
            target["source"] = value
        else:
            raise OpError(f"unknown op {kind!r}")

    def save(self) -> None:
        """Rewrite the batch file atomically (temp file in the same folder, fsync, rename)."""
        body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.records)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(body)
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, self.path.stat().st_mode & 0o777)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        try:
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError:
            pass


def _page() -> bytes:
    return resources.files("stance.annotate").joinpath("static/label.html").read_bytes()


def _handler(batch: Batch, page: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "stance-annotate"

        def log_message(self, format: str, *args) -> None:  # quiet: decisions are in the file
            pass

        def _local(self) -> bool:
            """Refuse other Host names (DNS rebinding) — the app answers to 127.0.0.1/localhost only."""
            host = (self.headers.get("Host") or "").rsplit(":", 1)[0]
            return host in ("127.0.0.1", "localhost")

        def _send(self, status: int, body: bytes, ctype: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Content-Security-Policy", "default-src 'self' 'unsafe-inline'; connect-src 'self'")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, status: int, obj: object) -> None:
            self._send(status, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json")

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if not self._local():
                return self._json(HTTPStatus.FORBIDDEN, {"error": "local use only"})
            if self.path in ("/", "/index.html"):
                return self._send(HTTPStatus.OK, page, "text/html; charset=utf-8")
            if self.path == "/favicon.ico":
                return self._send(HTTPStatus.NO_CONTENT, b"", "image/x-icon")
            if self.path == "/api/state":
                with batch.lock:
                    state = batch.state()
                return self._json(HTTPStatus.OK, state)
            self._json(HTTPStatus.NOT_FOUND, {"error": "not found"})

        def do_POST(self) -> None:  # noqa: N802
            if not self._local() or self.path != "/api/op":
                return self._json(HTTPStatus.FORBIDDEN, {"error": "local use only"})
            if not (self.headers.get("Content-Type") or "").startswith("application/json"):
                return self._json(HTTPStatus.UNSUPPORTED_MEDIA_TYPE, {"error": "send application/json"})
            try:
                length = int(self.headers.get("Content-Length") or 0)
                op = json.loads(self.rfile.read(length) or b"{}")
                if not isinstance(op, dict):
                    raise OpError("send a JSON object")
                result = batch.apply(op)
            except (OpError, json.JSONDecodeError, ValueError) as exc:
                return self._json(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            self._json(HTTPStatus.OK, result)

    return Handler


def make_server(path: str | Path, port: int = 0, inventory: Inventory | None = None) -> tuple[ThreadingHTTPServer, Batch]:
    """A server for the batch at ``path`` on 127.0.0.1:``port`` (0: any free port), not yet serving."""
    batch = Batch(path, inventory)
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(batch, _page()))
    server.daemon_threads = True
    return server, batch


def serve(path: str | Path, port: int = 8765, open_browser: bool = True) -> None:
    """Serve the labeling app until Ctrl-C."""
    server, batch = make_server(path, port)
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    p = batch.progress()
    print(f"labeling {batch.path} ({p['done']}/{p['sentences']} sentences decided) at {url}\n"
          "every decision is saved to the file at once; Ctrl-C to stop", file=sys.stderr, flush=True)
    if open_browser:
        import webbrowser

        webbrowser.open(url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        p = batch.progress()
        print(f"stopped; {p['done']}/{p['sentences']} sentences decided in {batch.path}", file=sys.stderr)
