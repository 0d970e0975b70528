"""Command-line interface: ``stance predict | train | evaluate | mentions | actors | labels check``.

Only this module turns library errors into click errors (exit status 1 with a
message on stderr); ``STANCE_DEBUG=1`` shows tracebacks instead. Commands import
what they use when they run, so ``stance --help`` loads click only and no
command that does not train imports scikit-learn.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import click

if TYPE_CHECKING:
    from .actors import Inventory


def _inventory(path: str | None, extend: bool) -> "Inventory":
    from .actors import ActorInventoryError, load_actors

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
    help="Add the --actors file to the bundled inventory (predict, report: to the model's) instead of replacing it.",
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
    from .actors import match_article
    from .sentences import split_sentences

    inventory = _inventory(actors_path, extend_actors)
    text = _read_text(path)
    sentences = split_sentences(text)
    # the file is one article: context aliases (الحكومة in an article about Iraq) resolve from it
    for sentence, found in zip(sentences, match_article([s.text for s in sentences], inventory, date)):
        if fmt == "jsonl":
            for m in found:
                row = {
                    "sentence": sentence.index,
                    "actor": m.actor,
                    "start": sentence.start + m.start,
                    "end": sentence.start + m.end,
                    "surface": m.surface,
                }
                if m.context:
                    row["context"] = m.context
                click.echo(json.dumps(row, ensure_ascii=False))
        else:
            actors = ", ".join(dict.fromkeys(m.actor for m in found)) or "-"
            click.echo(f"[{sentence.index}] {sentence.start}-{sentence.end} {actors}")
            for m in found:
                via = f"  (context {m.context})" if m.context else ""
                click.echo(f"    {m.actor:<10} {sentence.start + m.start}-{sentence.start + m.end} {m.surface}{via}")


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
@click.option("--pool", "pool", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder of the real-news pool files that real records cite "
                   "(default: $STANCE_REALNEWS or ../shared/realnews beside the checkout).")
@actors_option
@extend_option
def labels_check(path: str | None, fmt: str, pool: str | None, actors_path: str | None, extend_actors: bool) -> None:
    """Validate a label file or directory (default: labels/) and print statistics.

    Checks the schema and label values, that every actor the matcher finds has
    exactly one target and every target is found, near-duplicate sentences, and
    that every real record's text is in the pool line its provenance names
    (when the pool is available). Exits 1 when any problem is found.
    """
    from .labels import check_corpus

    path = path or "labels"
    if not Path(path).exists():
        raise click.ClickException(f"{path}: no such file or directory; give the labels directory or a .jsonl file")
    report = check_corpus(path, _inventory(actors_path, extend_actors), Path(pool) if pool else None)
    if fmt == "json":
        click.echo(json.dumps({"problems": report.problems, "stats": report.stats}, ensure_ascii=False, indent=1))
    else:
        for problem in report.problems:
            click.echo(problem, err=True)
        _print_stats(report.stats)
        _print_unlabeled(report.stats.get("unlabeled"), path)
    if report.problems:
        raise click.ClickException(f"{len(report.problems)} problem(s) in {path}")


def _column_spec(text_col, target_col, label_col, sentiment_col, label_map):
    from .datasets import ColumnSpec, parse_label_map

    try:
        mapping = parse_label_map(label_map)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--label-map") from None
    return ColumnSpec(text_col, target_col, label_col, sentiment_col, mapping)


def _load_data(path: str, inventory: "Inventory", spec, what: str):
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
@click.option("-o", "--output", default="stance.model", show_default=True, help="Model file to write (atomically).")
@click.option("--C", "C", type=float, default=None, help="Fix the stance head's C instead of searching the grid.")
@click.option("--folds", type=click.IntRange(min=0), default=5, show_default=True,
              help="Without dev data: cross-validation folds (grouped by article) for choosing parameters and "
                   "calibrating; 0 uses the defaults uncalibrated.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the cross-validation folds.")
@click.option("--add", "add_paths", multiple=True, type=click.Path(exists=True),
              help="Your own labels (labels format, e.g. from `stance annotate label`) added to the training data; "
                   "undecided pairs are skipped. Repeatable.")
@click.option("--add-weight", type=click.FloatRange(min=0, min_open=True), default=None,
              help="Weight of each --add pair (default: chosen by 3-fold cross-validation on your labels "
                   "among 1, 3, 10).")
@column_options
@actors_option
@extend_option
def train(data_path, dev_path, output, C, folds, seed, add_paths, add_weight, text_col, target_col, label_col,
          sentiment_col, label_map, actors_path, extend_actors) -> None:
    """Train a stance + sentiment model and write it to OUTPUT.

    \b
    Examples:
      stance train -o model.model                       # bundled labels, grid on dev
      stance train --data my.jsonl --folds 5 --seed 1   # no dev: 5-fold CV by article
      stance train --data labels/ -o model.model
      stance train --data mawqif_train.csv --text-col text --target-col target \\
          --label-col stance --sentiment-col sentiment -o mawqif.model
      stance train --add my_labels.jsonl -o my.model    # bundled labels + yours
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
    params = {"C": C} if C is not None else None
    grid = {} if C is not None else None
    add = None
    if add_paths:
        from .annotate.retrain import prepare_add

        try:
            add, params, add_weight, cv = prepare_add(add_paths, inventory, train_data, dev, params, add_weight,
                                                      bundled=data_path is None,
                                                      progress=lambda m: click.echo(m, err=True))
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        grid = {}
    click.echo(f"training on {len(train_data)} pairs" + (f" + {len(add)} of yours (weight {add_weight:g})" if add else "")
               + (f", choosing parameters on {len(dev)} dev pairs" if dev and grid is None else "")
               + (f", calibrating on {len(dev)} dev pairs" if dev and grid is not None else ""), err=True)
    try:
        model, metadata = train_model(train_data, dev, grid=grid, params=params, inventory=inventory,
                                      progress=lambda m: click.echo(m, err=True), folds=folds, seed=seed,
                                      add=add, add_weight=add_weight or 1.0)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    metadata["source"] = str(root)
    if add is not None:
        metadata["add_files"] = [str(p) for p in add_paths]
        metadata["add_weight_cv"] = cv
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
@click.option("--compare", "compare_path", default=None,
              help="Also evaluate this model ('default': the bundled default model) and print the gain over it.")
@column_options
@actors_option
@extend_option
def evaluate(data_path, model_path, fmt, compare_path, text_col, target_col, label_col, sentiment_col, label_map,
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
    gain = None
    if compare_path is not None:
        try:
            other = load_model(None if compare_path == "default" else compare_path)
        except ModelError as exc:
            raise click.ClickException(str(exc)) from None
        base = evaluate_model(other, data)
        gain = {"baseline": compare_path, "baseline_macro_f1": base["stance"]["macro_f1"],
                "macro_f1": report["stance"]["macro_f1"],
                "gain": round(report["stance"]["macro_f1"] - base["stance"]["macro_f1"], 4)}
        report["compare"] = gain
    click.echo(json.dumps(report, ensure_ascii=False, indent=1) if fmt == "json" else format_report(report))
    if gain is not None and fmt != "json":
        click.echo(f"\ngain over {compare_path}: stance macro-F1 {gain['baseline_macro_f1']:.3f} -> "
                   f"{gain['macro_f1']:.3f} ({gain['gain']:+.3f}) on {len(data)} pairs")
    if data.errors:
        raise click.ClickException(f"{len(data.errors)} record(s) could not be read (see above)")


class _Progress:
    """Articles/s and ETA on stderr for runs longer than a couple of seconds."""

    def __init__(self, total: int | None, enabled: bool = True) -> None:
        import time

        self.time = time.monotonic
        self.total, self.enabled = total, enabled
        self.start = self.last = self.time()
        self.tty = sys.stderr.isatty()
        self.shown = False

    def update(self, done: int, sentences: int) -> None:
        now = self.time()
        elapsed = now - self.start
        if not self.enabled or elapsed < 2 or now - self.last < (0.5 if self.tty else 10):
            return
        self.last = now
        self.shown = True
        rate = done / elapsed if elapsed else 0.0
        msg = f"{done}" + (f"/{self.total}" if self.total else "") + f" articles  {rate:.1f} articles/s  " \
              f"{sentences / elapsed:.0f} sentences/s"
        if self.total and rate:
            msg += f"  ETA {max(0.0, (self.total - done) / rate):.0f} s"
        click.echo(("\r" + msg + "   ") if self.tty else msg, err=True, nl=not self.tty)

    def finish(self, done: int, sentences: int) -> None:
        elapsed = self.time() - self.start
        if self.enabled and (self.shown or elapsed >= 2):
            click.echo(("\n" if self.tty and self.shown else "") +
                       f"{done} articles, {sentences} sentences in {elapsed:.1f} s "
                       f"({done / elapsed if elapsed else 0:.1f} articles/s)", err=True)


def _score_chunk(chunk, model_path, actors_path, extend, only, explain, render=None):
    """Score a list of Articles (runs in a worker with --jobs; the model is cached per process).

    With ``render`` (a ``(format, level, explain)`` triple) the worker also formats each profile and
    returns light ``(id, n_sentences, warnings, body)`` tuples, so that little crosses processes.
    """
    import warnings as _warnings

    from .cache import load_model
    from .profile import EmptyTextWarning, score_articles, scoring_inventory

    model, inventory = scoring_inventory(load_model(model_path, quiet=True), actors_path, extend)
    if only:
        inventory = inventory.restrict(only)
    with _warnings.catch_warnings():
        _warnings.simplefilter("ignore", EmptyTextWarning)
        profiles = score_articles([(a.text, a.date, a.id, a.fields) for a in chunk], model, inventory, explain)
    if render is None:
        return profiles
    from .output import Formatter

    formatter = Formatter(*render)
    return [_Rendered(p.id, p.n_sentences, p.warnings, formatter.body(p)) for p in profiles]


class _Rendered(NamedTuple):
    """A scored article already formatted by a worker."""

    id: str | None
    n_sentences: int
    warnings: tuple
    body: str


def _chunks(records, size, errors, on_error):
    chunk = []
    from .io import RecordError

    for rec in records:
        if isinstance(rec, RecordError):
            errors.append(rec)
            on_error(rec)
            continue
        chunk.append(rec)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parallel(chunks, jobs, args, rounds=4):
    """Score chunks on ``jobs`` joblib worker processes, in order, a few chunks per worker at a time.

    The workers are forked once (joblib's multiprocessing backend, reused across batches), after the
    model was loaded here, so they start with the model and the compiled matcher in memory instead of
    importing and loading them again; memory stays bounded by one batch.
    """
    from joblib import Parallel, delayed

    with Parallel(n_jobs=jobs, backend="multiprocessing") as parallel:
        batch = []
        for chunk in chunks:
            batch.append(chunk)
            if len(batch) >= jobs * rounds:
                yield from parallel(delayed(_score_chunk)(c, *args) for c in batch)
                batch = []
        if batch:
            yield from parallel(delayed(_score_chunk)(c, *args) for c in batch)


def _scored(paths, opts, chunk_size, jobs, args, errors, on_error):
    """Yield (Article, ArticleProfile) in input order, scoring chunks in-process or with joblib workers."""
    from collections import deque

    from .io import read_articles

    pending: deque = deque()

    def recorded():
        for chunk in _chunks(read_articles(list(paths), opts), chunk_size, errors, on_error):
            pending.append(chunk)
            yield chunk

    if jobs > 1:
        results = _parallel(recorded(), jobs, args)
    else:
        results = (_score_chunk(c, *args) for c in recorded())
    for profiles in results:
        chunk = pending.popleft()
        yield from zip(chunk, profiles)


def input_options(f):
    """Options shared by predict and report: inputs, model, actors, parallelism."""
    for option in reversed([
        click.option("--model", "model_path", default=None, help="Model file (default: the bundled default model)."),
        click.option("--only", default=None, help="Restrict to these actor ids, e.g. US,PMF."),
        click.option("--group-by", "group_by", default=None,
                     help="Corpus profiles per group: a carried field (outlet) or 'month' (from date)."),
        click.option("--text-field", "--text-col", "text_field", default="text", show_default=True,
                     help="JSONL field / CSV column holding the text."),
        click.option("--id-field", "--id-col", "id_field", default="id", show_default=True,
                     help="JSONL field / CSV column holding the article id."),
        click.option("--date-field", default="date", show_default=True, help="Field holding the article date."),
        click.option("--encoding", default="utf-8", show_default=True, help="Input encoding."),
        click.option("--errors", "decode_errors", type=click.Choice(["strict", "replace", "ignore"]),
                     default="strict", show_default=True, help="What to do with undecodable bytes."),
        click.option("-j", "--jobs", default=1, show_default=True, type=click.IntRange(1, None),
                     help="Parallel worker processes (joblib); output order is preserved."),
        click.option("--chunk-size", default=32, show_default=True, type=click.IntRange(1, None),
                     help="Articles per batch."),
        click.option("--quiet", "-q", is_flag=True, help="No progress or warnings on stderr."),
        actors_option,
        extend_option,
    ]):
        f = option(f)
    return f


def _setup_scoring(model_path, only, actors_path, extend_actors, quiet):
    """Load the model once in the main process and validate --only; returns the id list."""
    from .actors import ActorInventoryError
    from .cache import load_model
    from .model import ModelError
    from .profile import scoring_inventory

    try:
        model = load_model(model_path, quiet=quiet)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        _, inventory = scoring_inventory(model, actors_path, extend_actors)
    except ActorInventoryError as exc:
        raise click.ClickException(str(exc)) from None
    trained = model.inventory_
    if not quiet and inventory.fingerprint() != trained.fingerprint():
        click.echo(f"warning: the model was trained with another actor inventory ({trained.source}, "
                   f"{len(trained.actors)} actors); scoring with {actors_path}"
                   f"{' added to it' if extend_actors else ''} ({len(inventory.actors)} actors)", err=True)
    only_ids = [x.strip() for x in only.split(",") if x.strip()] if only else None
    if only_ids:
        try:
            inventory.restrict(only_ids)
        except KeyError as exc:
            raise click.BadParameter(exc.args[0], param_hint="--only") from None
    return only_ids


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "csv", "table"]), default=None,
              help="Output format [default: table on a terminal, else jsonl].")
@click.option("--level", type=click.Choice(["article", "sentence", "edges"]), default="article", show_default=True,
              help="Article profiles, also every (sentence, actor) score, or one row per edge holder -> target "
                   "(with --group-by: edges per group).")
@click.option("-o", "--output", default=None, help="Output file (written atomically); default stdout.")
@click.option("--explain", is_flag=True, help="Include the n-grams that drive each decision.")
@click.option("--save-articles", default=None, help="With --group-by, also write article profiles (JSONL) here.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="dask: score shards on a Dask cluster and write Parquet partitions to -o OUT_DIR "
                   "(needs the stance[dask] extra).")
@click.option("--scheduler", default=None, help="With --engine dask: address of an existing scheduler "
                                                "(default: start a LocalCluster with --jobs workers).")
@click.option("--carry", default=None, help="With --engine dask: input fields copied into every row, e.g. outlet,date.")
@input_options
def predict(paths, fmt, level, output, model_path, only, explain, group_by, save_articles, engine, scheduler, carry,
            text_field, id_field, date_field, encoding, decode_errors, jobs, chunk_size, quiet, actors_path,
            extend_actors) -> None:
    """Score articles: per article, how it treats each actor it mentions.

    PATHS are text files (one article each), directories (recursive *.txt, *.jsonl, *.csv, *.tsv),
    JSONL files ({"id", "text", ...}; other fields are carried into the output), CSV/TSV files with a
    text column, or - for stdin.

    \b
    Examples:
      stance predict seeds/000_87b51e7b310dad56.txt
      stance predict --format jsonl news.jsonl -o profiles.jsonl --jobs 2
      stance predict --format csv --text-col body --id-col url export.csv > profiles.csv
      stance predict --group-by outlet --format table corpus.jsonl
      stance predict --level sentence --explain --only US,PMF article.txt
      stance predict --engine dask --jobs 2 shards/ -o scored/           # Parquet partitions
      stance predict --engine dask --scheduler tcp://10.0.0.5:8786 s3://bucket/news/*.jsonl -o s3://bucket/out/
    """
    if engine == "dask" and level == "edges":
        raise click.UsageError("--level edges runs with --engine local")
    if engine == "dask":
        _predict_dask(paths, output, scheduler, model_path, level, text_field, id_field, date_field, group_by,
                      carry, jobs, encoding, decode_errors, actors_path, fmt, quiet)
        return
    from .io import AtomicOutput, ReadOptions, count_records
    from .output import Formatter, GroupAggregator

    if not paths:
        paths = ("-",)
    if fmt is None:
        fmt = "table" if sys.stdout.isatty() and output is None else "jsonl"
    only_ids = _setup_scoring(model_path, only, actors_path, extend_actors, quiet)
    if level == "edges":
        _require_holder_head(model_path)
    opts = ReadOptions(text_field, id_field, date_field, encoding, decode_errors)
    errors: list = []

    def on_error(err) -> None:
        click.echo(f"error: {err}", err=True)

    render = None if group_by else (fmt, level, explain)
    scored = _scored(paths, opts, chunk_size, jobs,
                     (model_path, actors_path, extend_actors, only_ids, explain, render), errors, on_error)
    formatter = Formatter(fmt, level, explain)
    groups = (_edge_groups(group_by) if level == "edges" else GroupAggregator(group_by)) if group_by else None
    out = AtomicOutput(output) if not groups else None
    saved = AtomicOutput(save_articles) if groups and save_articles else None
    saved_fmt = Formatter("jsonl", level, explain)
    progress = _Progress(count_records(list(paths)), enabled=not quiet)
    done = sentences = warned = 0
    try:
        if out:
            out.write(formatter.header())
        for _, profile in scored:
            done += 1
            sentences += profile.n_sentences
            if profile.warnings and not quiet:
                warned += 1
                if warned <= 20:
                    click.echo(f"warning: {profile.id}: {'; '.join(profile.warnings)}; empty profile", err=True)
            if groups:
                groups.add(profile)
                if saved:
                    saved.write(saved_fmt.record(profile))
            else:
                out.write(formatter.wrap(profile.body))
            progress.update(done, sentences)
        if groups:
            out = AtomicOutput(output)
            for rec in formatter.group_records(groups.result()):
                out.write(rec)
        else:
            out.write(formatter.footer())
    except KeyboardInterrupt:
        if out and out.tmp is not None:
            if not groups:
                out.write(formatter.footer())  # a JSON array stays valid
            out.close()  # keep the complete records written so far
        if saved and saved.tmp is not None:
            saved.close()
        click.echo(f"interrupted after {done} articles; the records written so far are complete", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    out.close()
    if saved:
        saved.close()
    progress.finish(done, sentences)
    if errors:
        raise click.ClickException(f"{done} ok, {len(errors)} failed (see the errors above)")


def _require_holder_head(model_path) -> None:
    """``--level edges`` needs a model with a holder head (trained with source labels)."""
    from .cache import load_model
    from .edges import NO_HOLDER_NOTE

    if getattr(load_model(model_path, quiet=True), "holder_", None) is None:
        raise click.ClickException(f"--level edges: {NO_HOLDER_NOTE}")


def _edge_groups(group_by: str):
    from .output import EdgeGroups

    return EdgeGroups(group_by)


def _predict_dask(paths, output, scheduler, model_path, level, text_field, id_field, date_field, group_by, carry,
                  jobs, encoding, decode_errors, actors_path, fmt, quiet) -> None:
    """``stance predict --engine dask``."""
    try:
        from .dask import predict_dask
    except ImportError as exc:
        raise click.ClickException(f"--engine dask needs the dask extra: pip install 'stance[dask]' ({exc})") from None
    if not output or output == "-":
        raise click.UsageError("--engine dask writes Parquet partitions: give an output directory with -o OUT_DIR")
    if not paths or "-" in paths:
        raise click.UsageError("--engine dask reads files or URLs, not stdin")
    if model_path is None:
        from .cache import load_model

        load_model(quiet=quiet)  # build the default model once here, not on every worker at the same time
    carried = [c.strip() for c in carry.split(",") if c.strip()] if carry else []
    if not quiet:
        click.echo(f"scoring on {'scheduler ' + scheduler if scheduler else f'a LocalCluster of {jobs} workers'}",
                   err=True)
    try:
        n, bad, groups = predict_dask(list(paths), output, scheduler=scheduler, model=model_path, level=level,
                                      text_col=text_field, id_col=id_field, date_col=date_field, group_by=group_by,
                                      carry=carried, n_workers=jobs, encoding=encoding, errors=decode_errors,
                                      actors_path=actors_path)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    for message in bad:
        click.echo(f"error: {message}", err=True)
    if groups is not None:
        from .output import Formatter

        for rec in Formatter(fmt or "jsonl").group_records(groups):
            click.echo(rec, nl=False)
    if not quiet:
        click.echo(f"wrote Parquet partitions to {output} ({n} articles)", err=True)
    if bad:
        raise click.ClickException(f"{n} ok, {len(bad)} failed (see the errors above)")


@cli.command()
@click.argument("paths", nargs=-1)
@click.option("-o", "--output", default="stance-report.html", show_default=True, help="HTML file to write.")
@click.option("--title", default=None, help="Page title (default: the input names).")
@input_options
def report(paths, output, title, model_path, only, group_by, text_field, id_field, date_field, encoding,
           decode_errors, jobs, chunk_size, quiet, actors_path, extend_actors) -> None:
    """Write a self-contained HTML report (offline, RTL) for articles or a corpus.

    Same inputs and options as `stance predict`. Article views mark every actor mention and shade each
    sentence by its stance toward the selected actor; with several articles (or --group-by) a corpus
    view adds a heatmap of mean score per group x actor, a monthly time series when dates are present,
    and the most against / favorable articles per actor.

    \b
    Examples:
      stance report seeds/000_87b51e7b310dad56.txt -o seed.html
      stance report --group-by outlet labels/test -o corpus.html
    """
    from .io import AtomicOutput, ReadOptions
    from .report import render_report

    if not paths:
        paths = ("-",)
    only_ids = _setup_scoring(model_path, only, actors_path, extend_actors, quiet)
    opts = ReadOptions(text_field, id_field, date_field, encoding, decode_errors)
    errors: list = []
    scored = _scored(paths, opts, chunk_size, jobs, (model_path, actors_path, extend_actors, only_ids, True),
                     errors, lambda err: click.echo(f"error: {err}", err=True))
    items = [(profile, article.text) for article, profile in scored]
    html = render_report(items, group_by=group_by, title=title or "stance report: " + ", ".join(paths))
    out = AtomicOutput(output)
    out.write(html)
    out.close()
    if not quiet:
        click.echo(f"wrote {output} ({len(items)} articles)", err=True)
    if errors:
        raise click.ClickException(f"{len(items)} ok, {len(errors)} failed (see the errors above)")


def _print_stats(stats: dict) -> None:
    for key in ("articles", "lines", "sentences_with_actor", "pairs", "multi_actor_share",
                "contrast_sentences", "contrast_pairs", "stance", "sentiment", "near_duplicate_rate"):
        click.echo(f"{key:<22} {stats.get(key)}")
    for kind, values in stats.get("by_kind", {}).items():
        click.echo(f"kind {kind:<17} sentences_with_actor {values['sentences_with_actor']}, pairs {values['pairs']}, "
                   f"stance {values['stance']}, sentiment {values['sentiment']}")
    if "real_provenance" in stats and any(stats["real_provenance"].values()):
        click.echo(f"{'real_provenance':<22} {stats['real_provenance']}")
    for split, values in sorted(stats.get("splits", {}).items()):
        click.echo(f"split {split:<16} {values}")
    click.echo(f"{'actor':<10} {'favor':>6} {'against':>8} {'none':>6} {'total':>6}")
    for actor, c in stats.get("per_actor", {}).items():
        click.echo(f"{actor:<10} {c['favor']:>6} {c['against']:>8} {c['none']:>6} {c['total']:>6}")


def _register_annotate() -> None:
    from .annotate.cli import annotate

    cli.add_command(annotate)


_register_annotate()


def _print_unlabeled(unlabeled: dict | None, path: str) -> None:
    """Say clearly how much of a user's batch is still undecided (not an error)."""
    if not unlabeled:
        return
    if not unlabeled["records"]:
        click.echo("unlabeled              0 (every user record is decided)")
        return
    click.echo(f"unlabeled              {unlabeled['records']} user record(s) still undecided: "
               f"{unlabeled['pairs']} pair(s) without a stance, {unlabeled['sentiments']} sentence(s) without "
               f"sentiment (first: {', '.join(unlabeled['first'])}); label them with "
               f"`stance annotate label {path}`; training and evaluation skip them", err=True)


def _terminate(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Entry point: run the CLI, hiding tracebacks unless STANCE_DEBUG=1.

    SIGTERM is handled like Ctrl-C: outputs keep their complete records and a
    model being trained is not written (the previous one stays intact).
    """
    import signal

    signal.signal(signal.SIGTERM, _terminate)
    if os.environ.get("STANCE_DEBUG"):
        cli()
        return
    try:
        cli(standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # the one place that turns an unexpected error into a message
        click.echo(f"stance: unexpected error: {type(exc).__name__}: {exc}\n"
                   "rerun with STANCE_DEBUG=1 to see the traceback, and please report it", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
