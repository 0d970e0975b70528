"""Command-line interface: ``stance mentions | actors | labels check``.

Only this module turns library errors into click errors (exit status 1 with a
message on stderr); ``STANCE_DEBUG=1`` shows tracebacks instead.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from .actors import ActorInventoryError, Inventory, load_actors, match_actors
from .sentences import split_sentences


def _inventory(path: str | None, extend: bool) -> Inventory:
    try:
        return load_actors(path, extend=extend)
    except ActorInventoryError as exc:
        raise click.ClickException(str(exc)) from None


def _read_text(path: str) -> str:
    """Read a UTF-8 file or stdin (``-``); errors name the file and byte."""
    try:
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    except OSError as exc:
        raise click.ClickException(f"{path}: cannot read ({exc.strerror})") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(
            f"{path}: invalid UTF-8 at byte {exc.start}; convert the file to UTF-8 "
            "(e.g. iconv -f windows-1256 -t utf-8)"
        ) from None


actors_option = click.option(
    "--actors", "actors_path", type=click.Path(dir_okay=False), default=None,
    help="Actor inventory TOML (default: the bundled one).",
)
extend_option = click.option(
    "--extend-actors", is_flag=True,
    help="Add the --actors file to the bundled inventory instead of replacing it.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stance")
def cli() -> None:
    """Stance toward political actors in Arabic news, sentence by sentence."""


@cli.command()
@click.argument("path", default="-")
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text",
              show_default=True, help="Readable lines, or one JSON object per mention.")
@click.option("--date", default=None, help="Article date (YYYY-MM-DD): office holders match only in office.")
@actors_option
@extend_option
def mentions(path: str, fmt: str, date: str | None, actors_path: str | None, extend_actors: bool) -> None:
    """Split PATH (a text file, or - for stdin) into sentences and list actor mentions.

    \b
    Examples:
      stance mentions seeds/000_87b51e7b310dad56.txt
      stance mentions --format jsonl article.txt > mentions.jsonl
      cat article.txt | stance mentions -
    """
    inventory = _inventory(actors_path, extend_actors)
    text = _read_text(path)
    for sentence in split_sentences(text):
        found = match_actors(sentence.text, inventory, date)
        if fmt == "jsonl":
            for m in found:
                click.echo(json.dumps({
                    "sentence": sentence.index,
                    "actor": m.actor,
                    "start": sentence.start + m.start,
                    "end": sentence.start + m.end,
                    "surface": m.surface,
                }, ensure_ascii=False))
        else:
            actors = ", ".join(dict.fromkeys(m.actor for m in found)) or "-"
            click.echo(f"[{sentence.index}] {sentence.start}-{sentence.end} {actors}")
            for m in found:
                click.echo(f"    {m.actor:<10} {sentence.start + m.start}-{sentence.start + m.end} {m.surface}")


@cli.command("actors")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@actors_option
@extend_option
def actors_command(fmt: str, actors_path: str | None, extend_actors: bool) -> None:
    """List the actor inventory."""
    inventory = _inventory(actors_path, extend_actors)
    if fmt == "json":
        click.echo(json.dumps([a.to_dict() for a in inventory.actors.values()], ensure_ascii=False, indent=1))
        return
    for a in inventory.actors.values():
        n = len(a.aliases) + len(a.nisba) + len(a.holders)
        click.echo(f"{a.id:<10} {a.kind:<12} {a.name_en} / {a.name_ar} ({n} aliases)")


@cli.group()
def labels() -> None:
    """Work with labeled corpora."""


@labels.command("check")
@click.argument("path", default=None, required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@actors_option
@extend_option
def labels_check(path: str | None, fmt: str, actors_path: str | None, extend_actors: bool) -> None:
    """Validate a label file or directory (default: labels/) and print statistics.

    Checks the schema and label values, that every actor the matcher finds has
    exactly one target and every target is found, and near-duplicate sentences.
    Exits 1 when any problem is found.
    """
    from .labels import check_corpus

    path = path or "labels"
    if not Path(path).exists():
        raise click.ClickException(f"{path}: no such file or directory; give the labels directory or a .jsonl file")
    report = check_corpus(path, _inventory(actors_path, extend_actors))
    if fmt == "json":
        click.echo(json.dumps({"problems": report.problems, "stats": report.stats}, ensure_ascii=False, indent=1))
    else:
        for problem in report.problems:
            click.echo(problem, err=True)
        _print_stats(report.stats)
    if report.problems:
        raise click.ClickException(f"{len(report.problems)} problem(s) in {path}")


def _print_stats(stats: dict) -> None:
    for key in ("articles", "lines", "sentences_with_actor", "pairs", "multi_actor_share",
                "contrast_sentences", "contrast_pairs", "stance", "sentiment"):
        click.echo(f"{key:<22} {stats.get(key)}")
    for split, values in sorted(stats.get("splits", {}).items()):
        click.echo(f"split {split:<16} {values}")
    click.echo(f"{'actor':<10} {'favor':>6} {'against':>8} {'none':>6} {'total':>6}")
    for actor, c in stats.get("per_actor", {}).items():
        click.echo(f"{actor:<10} {c['favor']:>6} {c['against']:>8} {c['none']:>6} {c['total']:>6}")


def main() -> None:
    """Entry point: run the CLI, hiding tracebacks unless STANCE_DEBUG=1."""
    if os.environ.get("STANCE_DEBUG"):
        cli()
        return
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
