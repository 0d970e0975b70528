"""The output-format vocabulary every command shares, and small wording helpers (no heavy imports)."""

from __future__ import annotations

__all__ = ["FORMATS", "FORMAT_ALIASES", "format_for_path", "plural"]

# ``text`` is the readable form in every command; ``table`` (predict's former name) is read as ``text``.
FORMATS = ("text", "json", "jsonl", "csv")
FORMAT_ALIASES = {"table": "text"}
_SUFFIX_FORMATS = {".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".txt": "text"}


def format_for_path(path: str | None) -> str | None:
    """The output format an output file's extension names (``profiles.csv`` → ``csv``), else None."""
    if not path or path == "-":
        return None
    name = path.rsplit("/", 1)[-1]
    return _SUFFIX_FORMATS.get(name[name.rfind("."):].lower()) if "." in name else None


def plural(n: int, noun: str) -> str:
    """``1 article``, ``2 articles``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"
