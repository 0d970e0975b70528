"""``stance annotate select | label``: the command-line side of teaching the model an archive."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..cli.common import check_encoding

__all__ = ["annotate"]


@click.group()
def annotate() -> None:
    """Teach the model your archive: select sentences, label them in the browser, retrain with --add."""


def _has_decisions(path: Path) -> bool:
    """True when a batch file already holds a person's decisions (so it must not be overwritten)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return path.exists() and path.stat().st_size > 0
    for line in lines:
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            return True
        if isinstance(obj, dict) and (obj.get("sentiment") is not None
                                      or any(t.get("stance") is not None for t in obj.get("targets", []))):
            return True
    return False


def _exclude_texts(paths: tuple[str, ...]) -> list[str]:
    from ..labels import LabelError, read_labels

    texts = []
    for p in paths:
        try:
            texts.extend(ln.text for ln in read_labels(p))
        except LabelError as exc:
            raise click.ClickException(f"--exclude: {exc}") from None
    return texts


@annotate.command("select")
@click.argument("paths", nargs=-1, required=True)
@click.option("-n", "n", default=200, show_default=True, type=click.IntRange(1, None), help="Sentences to pick.")
@click.option("-o", "--output", required=True, help="Batch file to write (labels format, kind user, undecided).")
@click.option("--strategy", type=click.Choice(["uncertainty", "random"]), default="uncertainty", show_default=True,
              help="uncertainty: where the model is least sure, spread out; random: a uniform sample (baseline).")
@click.option("--measure", type=click.Choice(["margin", "entropy"]), default="margin", show_default=True,
              help="Uncertainty of a pair's stance probabilities.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for random picks and ties.")
@click.option("--per-article", default=2, show_default=True, type=click.IntRange(0, None),
              help="At most this many sentences per article (0: no cap); relaxed only if the archive runs short.")
@click.option("--exclude", multiple=True, type=click.Path(exists=True),
              help="Label files already done (e.g. your held-out set): their sentences are never picked.")
@click.option("--model", "model_path", default=None, help="Model to score with (default: the bundled default model).")
@click.option("--text-field", "--text-col", "text_field", default="text", show_default=True)
@click.option("--id-field", "--id-col", "id_field", default="id", show_default=True)
@click.option("--date-field", default="date", show_default=True)
@click.option("--encoding", default="utf-8", show_default=True, callback=check_encoding)
@click.option("--errors", "decode_errors", type=click.Choice(["strict", "replace", "ignore"]), default="strict",
              show_default=True)
@click.option("--force", is_flag=True, help="Overwrite an output file that already holds decisions.")
@click.option("--quiet", "-q", is_flag=True)
def select_command(paths, n, output, strategy, measure, seed, per_article, exclude, model_path, text_field, id_field,
                   date_field, encoding, decode_errors, force, quiet) -> None:
    """Pick the N sentences of PATHS most worth labeling and write them to OUTPUT.

    PATHS are read like `stance predict` reads them (text files, directories, JSONL, CSV/TSV, -).

    \b
    Examples:
      stance annotate select archive/ -n 200 -o batch.jsonl
      stance annotate select news.jsonl --strategy random -n 100 -o my_test.jsonl
      stance annotate select archive/ --exclude my_test.jsonl -n 200 -o batch.jsonl
    """
    from ..cache import load_model
    from ..io import AtomicOutput, ReadOptions, RecordError, read_articles
    from ..model import ModelError
    from ..profile import scoring_inventory
    from .select import candidates_from_articles, select, to_record

    out_path = Path(output)
    if out_path.exists() and not force and _has_decisions(out_path):
        raise click.ClickException(f"{output} already holds decisions; choose another -o (or --force to overwrite)")
    try:
        model = load_model(model_path, quiet=quiet)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    model, inventory = scoring_inventory(model)  # the actors the model was trained with
    opts = ReadOptions(text_field, id_field, date_field, encoding, decode_errors)
    errors: list[RecordError] = []

    def articles():
        for rec in read_articles(list(paths), opts):
            if isinstance(rec, RecordError):
                errors.append(rec)
                click.echo(f"error: {rec}", err=True)
                continue
            yield rec

    candidates = candidates_from_articles(articles(), model, inventory)
    picked = select(candidates, n, strategy, seed=seed, measure=measure, per_article=per_article,
                    exclude=_exclude_texts(exclude))
    out = AtomicOutput(output)
    for rank, c in enumerate(picked, 1):
        out.write(json.dumps(to_record(c, rank, strategy, measure, seed), ensure_ascii=False) + "\n")
    out.close()
    if not quiet:
        pairs = sum(len(c.actors) for c in picked)
        click.echo(f"picked {len(picked)} of {len(candidates)} sentences with an actor ({pairs} pairs, "
                   f"{len({c.article for c in picked})} articles) by {strategy}; wrote {output}. "
                   f"Next: stance annotate label {output}", err=True)
    if len(picked) < n and not quiet:
        click.echo(f"note: only {len(picked)} distinct sentences with an actor were available", err=True)
    if errors:
        raise click.ClickException(f"{len(errors)} record(s) could not be read (see above)")


@annotate.command("label")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--port", default=8765, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0: any free port).")
@click.option("--open/--no-open", "open_browser", default=True, show_default=True,
              help="Open the page in the default browser.")
def label_command(path: str, port: int, open_browser: bool) -> None:
    """Label a batch file in the browser (local app on 127.0.0.1; every decision is saved at once).

    \b
    Keys: f favor · a against · n none · x not this actor; then the holder (0 author, 1-9 an actor);
          sentiment 1 negative · 2 neutral · 3 positive; u (or Backspace) undo.
    """
    from .app import BatchError, serve

    try:
        serve(path, port=port, open_browser=open_browser)
    except BatchError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); try --port 0") from None
