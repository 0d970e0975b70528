"""What several commands share: options, the format vocabulary, reading text, errors, progress."""

from __future__ import annotations

import functools
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

from ..formats import plural

if TYPE_CHECKING:
    from ..actors import Inventory
    from ..datasets import ColumnSpec, Dataset
    from ..engine import ScoringOptions

# -- the format vocabulary: the same names in every command ----------------------------------------

class FormatChoice(click.Choice):
    """``--format``: ``text`` (readable), ``json``, ``jsonl``, ``csv`` where the command has them;
    ``table`` is read as ``text``."""

    name = "format"

    def convert(self, value: object, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from ..formats import FORMAT_ALIASES

        if isinstance(value, str):
            value = FORMAT_ALIASES.get(value.lower(), value)
        return super().convert(value, param, ctx)


def format_option(*choices: str, default: str | None = "text", help: str | None = None) -> Callable:
    """A ``--format`` option with some of the shared format names."""
    return click.option("--format", "fmt", type=FormatChoice(list(choices)), default=default,
                        show_default=default is not None, help=help)


# -- inventories -------------------------------------------------------------------------------------

actors_option = click.option(
    "--actors", "actors_path", type=click.Path(dir_okay=False), default=None,
    help="Actor inventory TOML (default: the bundled one).",
)
extend_option = click.option(
    "--extend-actors", is_flag=True,
    help="Add the --actors file to the bundled inventory (predict, report: to the model's) instead of replacing it.",
)


def load_inventory(path: str | None, extend: bool) -> "Inventory":
    """The inventory of ``--actors`` / ``--extend-actors``; a bad file is a clean error."""
    from ..actors import ActorInventoryError, load_actors

    try:
        return load_actors(path, extend=extend)
    except ActorInventoryError as exc:
        raise click.ClickException(str(exc)) from None


# -- reading -----------------------------------------------------------------------------------------

def stdin_hint(paths: tuple[str, ...], command: str) -> tuple[str, ...]:
    """``("-",)`` when no path is given; on a terminal, say on stderr that stdin is being read."""
    if paths:
        return paths
    if sys.stdin.isatty():
        click.echo(f"stance {command}: reading an article from the terminal (end it with Ctrl-D); "
                   f"give files or directories to score them (stance {command} --help)", err=True)
    return ("-",)


def read_text(path: str) -> str:
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


def check_encoding(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """``--encoding``: a name Python knows, else a usage error (not an unexpected error later)."""
    import codecs

    try:
        codecs.lookup(value)
    except LookupError:
        raise click.BadParameter(f"unknown encoding {value!r}; e.g. utf-8, cp1256 (windows-1256), "
                                 "iso-8859-6, utf-16") from None
    return value


# -- the options predict and report share, gathered in one dataclass --------------------------------

@dataclass(frozen=True)
class InputOptions:
    """Inputs, model and parallelism of ``predict`` and ``report``."""

    scoring: "ScoringOptions"
    group_by: str | None
    jobs: int
    chunk_size: int
    quiet: bool


_INPUT_OPTIONS = [
    click.option("--model", "model_path", default=None, help="Model file (default: the bundled default model)."),
    click.option("--only", default=None, help="Restrict to these actor ids, e.g. US,PMF (any case)."),
    click.option("--group-by", "group_by", default=None,
                 help="Corpus profiles per group: a carried field (outlet) or 'month' (from date)."),
    click.option("--text-field", "--text-col", "text_field", default="text", show_default=True,
                 help="JSONL field / CSV column holding the text."),
    click.option("--id-field", "--id-col", "id_field", default="id", show_default=True,
                 help="JSONL field / CSV column holding the article id."),
    click.option("--date-field", default="date", show_default=True, help="Field holding the article date."),
    click.option("--encoding", default="utf-8", show_default=True, callback=check_encoding,
                 help="Input encoding."),
    click.option("--errors", "decode_errors", type=click.Choice(["strict", "replace", "ignore"]),
                 default="strict", show_default=True, help="What to do with undecodable bytes."),
    click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, None),
                 help="Parallel worker processes (forked); output order is preserved."),
    click.option("--chunk-size", default=128, show_default=True, type=click.IntRange(1, None),
                 help="Articles per batch (scored together: larger batches spread the per-batch costs of "
                      "short articles such as headlines)."),
    click.option("--quiet", "-q", is_flag=True, help="No progress or warnings on stderr."),
    actors_option,
    extend_option,
]


def input_options(f: Callable) -> Callable:
    """Add the shared input options to a command; it receives them as ``inputs=InputOptions(...)``."""
    from ..engine import ScoringOptions
    from ..io import ReadOptions

    @functools.wraps(f)
    def command(*args, model_path, only, group_by, text_field, id_field, date_field, encoding, decode_errors,
                jobs, chunk_size, quiet, actors_path, extend_actors, **kwargs):
        only_ids = tuple(x.strip() for x in only.split(",") if x.strip()) if only else ()
        scoring = ScoringOptions(model=model_path, actors=actors_path, extend_actors=extend_actors, only=only_ids,
                                 read=ReadOptions(text_field, id_field, date_field, encoding, decode_errors))
        return f(*args, inputs=InputOptions(scoring, group_by, jobs, chunk_size, quiet), **kwargs)

    for option in reversed(_INPUT_OPTIONS):
        command = option(command)
    return command


def setup_scoring(options: "ScoringOptions", quiet: bool) -> tuple:
    """Load the model once in this process and check ``--only``; returns (model, inventory).

    Errors become click errors; a warning about another inventory goes to stderr unless quiet.
    """
    from ..actors import ActorInventoryError
    from ..engine import scoring_setup
    from ..model import ModelError

    try:
        model, inventory, notes = scoring_setup(options, quiet=quiet)
    except (ModelError, ActorInventoryError) as exc:
        raise click.ClickException(str(exc)) from None
    except KeyError as exc:
        raise click.BadParameter(exc.args[0], param_hint="--only") from None
    if not quiet:
        for note in notes:
            click.echo(f"warning: {note}", err=True)
    return model, inventory


def echo_error(err: object) -> None:
    """One bad record on stderr."""
    click.echo(f"error: {err}", err=True)


# -- training data (train, evaluate) ----------------------------------------------------------------

def column_options(f: Callable) -> Callable:
    """The options that read column files (CSV/TSV/JSONL without targets), gathered as ``spec``."""
    @functools.wraps(f)
    def command(*args, text_col, target_col, label_col, sentiment_col, label_map, **kwargs):
        return f(*args, spec=column_spec(text_col, target_col, label_col, sentiment_col, label_map), **kwargs)

    for option in reversed([
        click.option("--text-col", default="text", show_default=True, help="Text column."),
        click.option("--target-col", default="target", show_default=True, help="Target column (actor id or topic)."),
        click.option("--label-col", default="stance", show_default=True, help="Stance label column."),
        click.option("--sentiment-col", default=None, help="Sentiment column (optional)."),
        click.option("--label-map", default=None,
                     help='Rename labels, e.g. "Favor=favor,Against=against,None=none".'),
    ]):
        command = option(command)
    return command


def column_spec(text_col: str, target_col: str, label_col: str, sentiment_col: str | None,
                label_map: str | None) -> "ColumnSpec":
    """The column spec of the options; a bad ``--label-map`` is a usage error."""
    from ..datasets import ColumnSpec, parse_label_map

    try:
        mapping = parse_label_map(label_map)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--label-map") from None
    return ColumnSpec(text_col, target_col, label_col, sentiment_col, mapping)


def load_data(path: str, inventory: "Inventory", spec: "ColumnSpec", what: str) -> "Dataset":
    """Read labeled data; the first 20 bad records on stderr, the others counted."""
    from ..datasets import load_dataset
    from ..labels import LabelError

    try:
        data = load_dataset(path, inventory, spec)
    except LabelError as exc:
        raise click.ClickException(str(exc)) from None
    for err in data.errors[:20]:
        echo_error(err)
    if len(data.errors) > 20:
        click.echo(f"error: ... and {len(data.errors) - 20} more", err=True)
    if data.errors:
        click.echo(f"{what}: {len(data)} pairs read, {len(data.errors)} record(s) skipped", err=True)
    return data


# -- progress ------------------------------------------------------------------------------------------

class Progress:
    """Articles/s and ETA on stderr for runs longer than a couple of seconds; sentences of a long article."""

    def __init__(self, total: int | None, enabled: bool = True) -> None:
        import time

        self.time = time.monotonic
        self.total, self.enabled = total, enabled
        self.start = self.last = self.time()
        self.tty = sys.stderr.isatty()
        self.shown = False

    def _show(self, msg: str) -> None:
        self.shown = True
        click.echo(("\r" + msg + "   ") if self.tty else msg, err=True, nl=not self.tty)

    def _due(self) -> bool:
        now = self.time()
        if not self.enabled or now - self.start < 2 or now - self.last < (0.5 if self.tty else 10):
            return False
        self.last = now
        return True

    def update(self, done: int, sentences: int) -> None:
        """After each article."""
        if not self._due():
            return
        elapsed = self.time() - self.start
        rate = done / elapsed if elapsed else 0.0
        msg = f"{done}" + (f"/{self.total}" if self.total else "") + f" articles  {rate:.1f} articles/s  " \
              f"{sentences / elapsed:.0f} sentences/s"
        if self.total and rate:
            msg += f"  ETA {max(0.0, (self.total - done) / rate):.0f} s"
        self._show(msg)

    def long_article(self, article_id: str, done: int, total: int) -> None:
        """Within one very long article: sentences scored so far."""
        if not self._due():
            return
        elapsed = self.time() - self.start
        msg = f"article {article_id}: {done}/{total} sentences ({100 * done / total:.0f}%)" \
              f"  {done / elapsed:.0f} sentences/s" if total else f"article {article_id}"
        self._show(msg)

    def finish(self, done: int, sentences: int) -> None:
        """At the end: totals, when the run was long enough to show progress."""
        elapsed = self.time() - self.start
        if self.enabled and (self.shown or elapsed >= 2):
            click.echo(("\n" if self.tty and self.shown else "") +
                       f"{plural(done, 'article')}, {plural(sentences, 'sentence')} in {elapsed:.1f} s "
                       f"({done / elapsed if elapsed else 0:.1f} articles/s)", err=True)
