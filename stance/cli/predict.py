"""``stance predict``: score articles with the local engine (or on a Dask cluster) and write profiles."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace

import click

from ..formats import plural
from .common import FormatChoice, InputOptions, Progress, echo_error, input_options, setup_scoring, stdin_hint


@dataclass(frozen=True)
class OutputOptions:
    """Where and how ``predict`` writes: format, file, articles saved beside group profiles."""

    fmt: str
    output: str | None
    save_articles: str | None


@dataclass(frozen=True)
class DaskOptions:
    """``--engine dask``: the scheduler to use and the input fields copied into every row."""

    scheduler: str | None
    carry: tuple[str, ...]


def output_format(fmt: str | None, output: str | None) -> str:
    """``--format``, else what ``-o``'s extension names, else text on a terminal and JSONL otherwise."""
    from ..formats import format_for_path

    if fmt is not None:
        return fmt
    by_name = format_for_path(output)
    if by_name is not None:
        return by_name
    return "text" if sys.stdout.isatty() and output is None else "jsonl"


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=FormatChoice(["text", "json", "jsonl", "csv"]), default=None,
              help="Output format [default: from the -o extension (.json .jsonl .csv .txt); else text on a "
                   "terminal, JSONL otherwise].")
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
def predict(paths: tuple[str, ...], fmt: str | None, level: str, output: str | None, explain: bool,
            save_articles: str | None, engine: str, scheduler: str | None, carry: str | None,
            inputs: InputOptions) -> None:
    """Score articles: per article, how it treats each actor it mentions.

    PATHS are text files (one article each), directories (recursive *.txt, *.jsonl, *.csv, *.tsv),
    JSONL files ({"id", "text", ...}; other fields are carried into the output), CSV/TSV files with a
    text column, or - for stdin.

    \b
    Examples:
      stance predict seeds/000_87b51e7b310dad56.txt
      stance predict news.jsonl -o profiles.jsonl --jobs 2
      stance predict --text-col body --id-col url export.csv -o profiles.csv
      stance predict --group-by outlet --format text corpus.jsonl
      stance predict --level sentence --explain --only US,PMF article.txt
      stance predict --engine dask --jobs 2 shards/ -o scored/           # Parquet partitions
      stance predict --engine dask --scheduler tcp://10.0.0.5:8786 s3://bucket/news/*.jsonl -o s3://bucket/out/
    """
    inputs = replace(inputs, scoring=replace(inputs.scoring, level=level, explain=explain))
    if engine == "dask" and level == "edges":
        raise click.UsageError("--level edges runs with --engine local")
    if engine == "dask":
        carried = tuple(c.strip() for c in carry.split(",") if c.strip()) if carry else ()
        _predict_dask(paths, output, fmt, DaskOptions(scheduler, carried), inputs)
        return
    paths = stdin_hint(paths, "predict")
    _predict_local(paths, OutputOptions(output_format(fmt, output), output, save_articles), inputs)


def _predict_local(paths: tuple[str, ...], out: OutputOptions, inputs: InputOptions) -> None:
    from ..io import count_records
    from ..local import Interrupted, predict

    setup_scoring(inputs.scoring, inputs.quiet)
    if inputs.scoring.level == "edges":
        _require_holder_head(inputs.scoring.model)
    # The model, inventory and modules loaded so far live as long as this process: out of the cyclic
    # garbage collector's passes, which then only walk what scoring allocates.
    import gc

    gc.freeze()
    progress = Progress(count_records(list(paths)), enabled=not inputs.quiet)
    warned = 0
    sentences = 0

    def on_article(scored, done: int, n_sentences: int) -> None:
        nonlocal warned, sentences
        sentences = n_sentences
        if scored.warnings and not inputs.quiet:
            warned += 1
            if warned <= 20:
                click.echo(f"warning: {scored.id}: {'; '.join(scored.warnings)}; empty profile", err=True)
        progress.update(done, n_sentences)

    def on_long(article, done: int, total: int) -> None:
        progress.long_article(article.id, done, total)

    try:
        result = predict(list(paths), out.output, inputs.scoring, fmt=out.fmt, group_by=inputs.group_by,
                         save_articles=out.save_articles, jobs=inputs.jobs, chunk_size=inputs.chunk_size,
                         on_error=echo_error, on_article=on_article, on_long=on_long)
    except Interrupted as stop:
        click.echo(f"interrupted after {plural(stop.done, 'article')}; the records written so far are complete",
                   err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()
        sys.exit(0)
    if not inputs.quiet:
        for note in result.warnings:
            click.echo(f"warning: {note}", err=True)
    progress.finish(result.n_articles, sentences)
    if result.errors:
        raise click.ClickException(f"{result.n_articles} ok, {len(result.errors)} failed (see the errors above)")


def _require_holder_head(model_path) -> None:
    """``--level edges`` needs a model with a holder head (trained with source labels)."""
    from ..cache import load_model
    from ..edges import NO_HOLDER_NOTE

    if getattr(load_model(model_path, quiet=True), "holder_", None) is None:
        raise click.ClickException(f"--level edges: {NO_HOLDER_NOTE}")


def _predict_dask(paths: tuple[str, ...], output: str | None, fmt: str | None, dask_options: DaskOptions,
                  inputs: InputOptions) -> None:
    """``stance predict --engine dask``."""
    try:
        from ..dask import predict
    except ImportError as exc:
        raise click.ClickException(f"--engine dask needs the dask extra: pip install 'stance[dask]' ({exc})") from None
    if not output or output == "-":
        raise click.UsageError("--engine dask writes Parquet partitions: give an output directory with -o OUT_DIR")
    if not paths or "-" in paths:
        raise click.UsageError("--engine dask reads files or URLs, not stdin")
    setup_scoring(inputs.scoring, inputs.quiet)  # builds the default model once here, not on every worker
    if not inputs.quiet:
        where = f"scheduler {dask_options.scheduler}" if dask_options.scheduler \
            else f"a LocalCluster of {plural(inputs.jobs, 'worker')}"
        click.echo(f"scoring on {where}", err=True)
    try:
        result = predict(list(paths), output, inputs.scoring, scheduler=dask_options.scheduler,
                         group_by=inputs.group_by, carry=dask_options.carry, jobs=inputs.jobs)
    except (ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    for message in result.errors:
        echo_error(message)
    if result.groups is not None:
        from ..output import Formatter

        for rec in Formatter(fmt or "jsonl").group_records(result.groups):
            click.echo(rec, nl=False)
    if not inputs.quiet:
        for note in result.warnings:
            click.echo(f"warning: {note}", err=True)
        click.echo(f"wrote Parquet partitions to {output} ({plural(result.n_articles, 'article')})", err=True)
    if result.errors:
        raise click.ClickException(f"{result.n_articles} ok, {len(result.errors)} failed (see the errors above)")
