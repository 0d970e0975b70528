"""Reading articles to score and writing results, streaming and record by record.

Inputs: plain-text files (one article each), directories (recursive ``*.txt``,
``*.jsonl``, ``*.csv``, ``*.tsv``), ``-`` for stdin, JSONL (``text_field``,
``id_field``; other fields carried through) and CSV/TSV (``text_col``,
``id_col``). A bad record (malformed JSON line, missing text field, invalid
UTF-8) becomes a :class:`RecordError` naming the file and line; the records
around it are still read.

Outputs are written through :class:`AtomicOutput`: a temp file next to the
destination, renamed over it when complete (or, when interrupted, renamed
with only complete records), so a reader never sees a torn line.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterator

from .util import current_umask

__all__ = ["Article", "RecordError", "read_articles", "AtomicOutput", "count_records"]

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass
class Article:
    """One article to score."""

    id: str
    text: str
    date: str | None = None
    fields: dict = field(default_factory=dict)


@dataclass
class RecordError:
    """A record that could not be read."""

    source: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.message}"


@dataclass
class ReadOptions:
    """How to read JSONL and CSV inputs."""

    text_field: str = "text"
    id_field: str = "id"
    date_field: str = "date"
    encoding: str = "utf-8"
    errors: str = "strict"


def _expand(paths: list[str]) -> Iterator[str]:
    for p in paths:
        if p != "-" and Path(p).is_dir():
            for q in sorted(Path(p).rglob("*")):
                if q.is_file() and q.suffix.lower() in (".txt", ".jsonl", ".csv", ".tsv"):
                    yield str(q)
        else:
            yield p


def _open_binary(path: str) -> IO[bytes]:
    return sys.stdin.buffer if path == "-" else open(path, "rb")


def _decode(raw: bytes, source: str, line: int, opts: ReadOptions, first: bool) -> str | RecordError:
    encoding = opts.encoding
    if first and encoding.lower().replace("-", "") == "utf8":
        encoding = "utf-8-sig"
    try:
        return raw.decode(encoding, errors=opts.errors)
    except UnicodeDecodeError as exc:
        return RecordError(source, line, f"invalid {opts.encoding} at byte {exc.start} of the line; "
                                         "fix the file, or pass --errors replace (or --encoding)")


def _sniff_kind(path: str, head: bytes) -> str:
    suffix = Path(path).suffix.lower()
    if suffix in (".jsonl", ".ndjson", ".json"):
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    if suffix == ".tsv":
        return "tsv"
    if path == "-" and head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        return "jsonl"
    return "text"


def _article_from_obj(obj: dict, source: str, line: int, opts: ReadOptions) -> Article | RecordError:
    text = obj.get(opts.text_field)
    if not isinstance(text, str):
        fields = ", ".join(map(str, list(obj)[:8]))
        return RecordError(source, line, f"no text field {opts.text_field!r} (fields: {fields}); "
                                         "name it with --text-field / --text-col")
    art_id = obj.get(opts.id_field)
    art_id = str(art_id) if art_id not in (None, "") else f"{Path(source).name}:{line}"
    date = obj.get(opts.date_field)
    extra = {k: v for k, v in obj.items() if k not in (opts.text_field, opts.id_field)}
    return Article(art_id, text, str(date) if date else None, extra)


def _read_jsonl(path: str, handle: IO[bytes], opts: ReadOptions) -> Iterator[Article | RecordError]:
    """JSONL records; consecutive lines of one labeled article (``article`` + ``line`` fields, as in the
    labels format) are joined into one article."""
    current: Article | None = None
    for item in _read_jsonl_records(path, handle, opts):
        is_line = isinstance(item, Article) and "article" in item.fields and "line" in item.fields \
            and opts.id_field not in item.fields and item.id.startswith(f"{Path(path).name}:")
        if is_line:
            key = str(item.fields["article"])
            if current is not None and current.id == key:
                current.text += "\n" + item.text
                continue
            if current is not None:
                yield current
            extra = {k: v for k, v in item.fields.items() if k not in ("article", "line", "targets", "sentiment")}
            current = Article(key, item.text, item.date, extra)
            continue
        if current is not None:
            yield current
            current = None
        yield item
    if current is not None:
        yield current


def _read_jsonl_records(path: str, handle: IO[bytes], opts: ReadOptions) -> Iterator[Article | RecordError]:
    for lineno, raw in enumerate(handle, 1):
        if not raw.strip():
            continue
        text = _decode(raw, path, lineno, opts, lineno == 1)
        if isinstance(text, RecordError):
            yield text
            continue
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            yield RecordError(path, lineno, f"malformed JSON ({exc.msg} at column {exc.colno}); "
                                            "fix or delete the line")
            continue
        if not isinstance(obj, dict):
            yield RecordError(path, lineno, "expected a JSON object {\"id\": ..., \"text\": ...}")
            continue
        yield _article_from_obj(obj, path, lineno, opts)


def _read_csv(path: str, handle: IO[bytes], opts: ReadOptions, delimiter: str) -> Iterator[Article | RecordError]:
    encoding = "utf-8-sig" if opts.encoding.lower().replace("-", "") == "utf8" else opts.encoding
    stream = io.TextIOWrapper(handle, encoding=encoding, errors=opts.errors, newline="")
    reader = csv.DictReader(stream, delimiter=delimiter)
    try:
        header = reader.fieldnames
    except UnicodeDecodeError as exc:
        yield RecordError(path, 1, f"invalid {opts.encoding} in the header (byte {exc.start}); "
                                   "fix the file, or pass --errors replace")
        return
    if not header or opts.text_field not in header:
        yield RecordError(path, 1, f"no column {opts.text_field!r} (columns: {', '.join(header or [])}); "
                                   "name it with --text-col")
        return
    line = 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as exc:
            yield RecordError(path, reader.line_num + 1, f"invalid {opts.encoding} (byte {exc.start} of a block); "
                                                         "fix the file, or pass --errors replace; reading stops here")
            return
        except csv.Error as exc:
            yield RecordError(path, reader.line_num, f"malformed CSV ({exc}); fix the quoting of this row")
            continue
        line = reader.line_num
        if row.get(opts.text_field) is None:
            yield RecordError(path, line, f"row has no {opts.text_field!r} value (too few columns); fix the row")
            continue
        yield _article_from_obj(dict(row), path, line, opts)


def _read_text(path: str, handle: IO[bytes], opts: ReadOptions) -> Iterator[Article | RecordError]:
    data = handle.read()
    text = _decode(data, path, 0, opts, True)
    if isinstance(text, RecordError):
        yield RecordError(path, 0, text.message.replace(" of the line", ""))
        return
    art_id = "stdin" if path == "-" else Path(path).stem
    yield Article(art_id, text, None, {"file": path} if path != "-" else {})


def read_articles(paths: list[str], opts: ReadOptions | None = None) -> Iterator[Article | RecordError]:
    """Yield articles (and errors) from files, directories or ``-``, lazily."""
    opts = opts or ReadOptions()
    for path in _expand(paths):
        try:
            handle = _open_binary(path)
        except OSError as exc:
            yield RecordError(path, 0, f"cannot open ({exc.strerror})")
            continue
        try:
            peekable = hasattr(handle, "peek")
            peek = handle.peek(64)[:64] if peekable else b""
            if peekable and not peek and path == "-":
                handle = io.BytesIO()  # the end of input was read (Ctrl-D on a terminal is not repeated)
            kind = _sniff_kind(path, peek)
            if kind == "jsonl":
                yield from _read_jsonl(path, handle, opts)
            elif kind in ("csv", "tsv"):
                yield from _read_csv(path, handle, opts, "\t" if kind == "tsv" else ",")
            else:
                yield from _read_text(path, handle, opts)
        finally:
            if handle is not sys.stdin.buffer:
                handle.close()


def count_records(paths: list[str]) -> int | None:
    """Number of articles the inputs hold, when cheap to know (no stdin)."""
    total = 0
    for path in _expand(paths):
        if path == "-":
            return None
        suffix = Path(path).suffix.lower()
        try:
            if suffix in (".jsonl", ".ndjson"):
                with open(path, "rb") as f:
                    total += sum(1 for line in f if line.strip())
            elif suffix in (".csv", ".tsv"):
                return None  # quoted newlines make a line count wrong
            else:
                total += 1
        except OSError:
            return None
    return total


class AtomicOutput:
    """A text output that is either stdout or a file replaced atomically; a context manager.

    Records are written whole (one ``write`` per record) to a temp file next to the destination.
    Leaving the ``with`` block normally, or by Ctrl-C / SIGTERM (``KeyboardInterrupt``), moves the
    temp file into place (after an interruption it holds the complete records written so far, so
    the file never ends in a torn line); any other exception removes the temp file and leaves the
    previous file untouched.
    """

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.tmp: str | None = None
        if path in (None, "-"):
            self.handle: IO[str] = sys.stdout
        else:
            target = Path(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, self.tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
            os.chmod(self.tmp, 0o666 & ~current_umask())
            self.handle = os.fdopen(fd, "w", encoding="utf-8", newline="")

    def __enter__(self) -> "AtomicOutput":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None or issubclass(exc_type, KeyboardInterrupt):
            self.close()
        else:
            self.discard()

    def write(self, record: str) -> None:
        """Write one complete record (it must end with a newline)."""
        self.handle.write(record)
        if self.tmp is None:
            self.handle.flush()

    def close(self) -> None:
        """Finish: flush and move the temp file into place."""
        if self.tmp is None:
            self.handle.flush()
            return
        self.handle.flush()
        os.fsync(self.handle.fileno())
        self.handle.close()
        os.replace(self.tmp, self.path)
        self.tmp = None

    def discard(self) -> None:
        """Give up: remove the temp file; the destination keeps its previous content."""
        if self.tmp is None:
            return
        self.handle.close()
        try:
            os.unlink(self.tmp)
        except OSError:
            pass
        self.tmp = None


