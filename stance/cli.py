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


def _column_spec(text_col, target_col, label_col, sentiment_col, label_map):
    from .datasets import ColumnSpec, parse_label_map

    try:
        mapping = parse_label_map(label_map)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--label-map") from None
    return ColumnSpec(text_col, target_col, label_col, sentiment_col, mapping)


def _load_data(path: str, inventory: Inventory, spec, what: str):
    from .datasets import load_dataset
    from .labels import LabelError

    try:
        data = load_dataset(path, inventory, spec)
    except LabelError as exc:
        raise click.ClickException(str(exc)) from None
    for err in data.errors[:20]:
        click.echo(f"error: {err}", err=True)
    if len(data.errors) > 20:
        click.echo(f"error: ... and {len(data.errors) - 20} more", err=True)
    if data.errors:
        click.echo(f"{what}: {len(data)} pairs read, {len(data.errors)} record(s) skipped", err=True)
    return data


def column_options(f):
    """The options that read column files (CSV/TSV/JSONL without targets)."""
    f = click.option("--label-map", default=None,
                     help='Rename labels, e.g. "Favor=favor,Against=against,None=none".')(f)
    f = click.option("--sentiment-col", default=None, help="Sentiment column (optional).")(f)
    f = click.option("--label-col", default="stance", show_default=True, help="Stance label column.")(f)
    f = click.option("--target-col", default="target", show_default=True, help="Target column (actor id or topic).")(f)
    f = click.option("--text-col", default="text", show_default=True, help="Text column.")(f)
    return f


@cli.command()
@click.option("--data", "data_path", default=None,
              help="Training data: a labels directory with train/ (and dev/), a labels JSONL, or a CSV/TSV/JSONL "
                   "column file. Default: the bundled labels.")
@click.option("--dev", "dev_path", default=None, help="Dev data for choosing hyper-parameters (default: DATA/dev when DATA is a labels tree).")
@click.option("-o", "--output", default="stance-model.joblib", show_default=True, help="Model file to write (atomically).")
@click.option("--C", "C", type=float, default=None, help="Fix the stance head's C instead of searching the grid.")
@column_options
@actors_option
@extend_option
def train(data_path, dev_path, output, C, text_col, target_col, label_col, sentiment_col, label_map,
          actors_path, extend_actors) -> None:
    """Train a stance + sentiment model and write it to OUTPUT.

    \b
    Examples:
      stance train -o model.joblib                       # bundled labels, grid on dev
      stance train --data labels/ -o model.joblib
      stance train --data mawqif_train.csv --text-col text --target-col target \\
          --label-col stance --sentiment-col sentiment -o mawqif.joblib
    """
    from .cache import bundled_labels
    from .train import train_model

    inventory = _inventory(actors_path, extend_actors)
    spec = _column_spec(text_col, target_col, label_col, sentiment_col, label_map)
    root = Path(data_path) if data_path else bundled_labels()
    if not root.exists():
        raise click.ClickException(f"{root}: no such file or directory")
    if root.is_dir() and (root / "train").is_dir():
        train_path, default_dev = root / "train", root / "dev"
    else:
        train_path, default_dev = root, None
    dev = None
    dev_source = Path(dev_path) if dev_path else default_dev
    click.echo(f"reading {train_path}", err=True)
    train_data = _load_data(str(train_path), inventory, spec, "train")
    if dev_source is not None and dev_source.exists():
        click.echo(f"reading {dev_source}", err=True)
        dev = _load_data(str(dev_source), inventory, spec, "dev")
    click.echo(f"training on {len(train_data)} pairs" + (f", choosing parameters on {len(dev)} dev pairs" if dev else ""), err=True)
    params = {"C": C} if C is not None else None
    grid = {} if C is not None else None
    try:
        model, metadata = train_model(train_data, dev, grid=grid, params=params, inventory=inventory,
                                      progress=lambda m: click.echo(m, err=True))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    metadata["source"] = str(root)
    model.save(output, metadata)
    click.echo(f"wrote {output} ({metadata['training_seconds']:.1f} s)", err=True)
    if metadata.get("dev_metrics"):
        click.echo(json.dumps(metadata["dev_metrics"]), err=True)
    if train_data.errors or (dev is not None and dev.errors):
        raise click.ClickException("some training records were skipped (see the errors above)")


@cli.command()
@click.option("--data", "data_path", required=True, help="Labels file/directory or a column file.")
@click.option("--model", "model_path", default=None, help="Model file (default: the bundled default model).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@column_options
@actors_option
@extend_option
def evaluate(data_path, model_path, fmt, text_col, target_col, label_col, sentiment_col, label_map,
             actors_path, extend_actors) -> None:
    """Evaluate a model on labeled data: per-class P/R/F1, macro-F1, F_avg, confusion, ECE, per actor.

    \b
    Examples:
      stance evaluate --data labels/test
      stance evaluate --data seeds/000_87b51e7b310dad56.gold.jsonl --format json
    """
    from .cache import load_model
    from .evaluate import evaluate_model, format_report
    from .model import ModelError

    inventory = _inventory(actors_path, extend_actors)
    spec = _column_spec(text_col, target_col, label_col, sentiment_col, label_map)
    try:
        model = load_model(model_path)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    data = _load_data(data_path, inventory, spec, "evaluate")
    if not len(data):
        raise click.ClickException(f"{data_path}: no labeled pairs found")
    report = evaluate_model(model, data)
    click.echo(json.dumps(report, ensure_ascii=False, indent=1) if fmt == "json" else format_report(report))
    if data.errors:
        raise click.ClickException(f"{len(data.errors)} record(s) could not be read (see above)")


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
