"""``stance train``: fit a stance + sentiment model and write it atomically."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click

from .common import actors_option, column_options, extend_option, load_data, load_inventory


@click.command()
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
@click.option("--cues", "cues_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="A cue file (TOML, the format of the bundled stance/data/cues.toml) whose classes and words "
                   "extend the bundled stance cues; the model file stores the cues it was trained with.")
@column_options
@actors_option
@extend_option
def train(data_path: str | None, dev_path: str | None, output: str, C: float | None, folds: int, seed: int,
          add_paths: tuple[str, ...], add_weight: float | None, cues_path: str | None, spec,
          actors_path: str | None, extend_actors: bool) -> None:
    """Train a stance + sentiment model and write it to OUTPUT.

    \b
    Examples:
      stance train -o model.model                       # bundled labels, grid on dev
      stance train --data my.jsonl --folds 5 --seed 1   # no dev: 5-fold CV by article
      stance train --data labels/ -o model.model
      stance train --data mawqif_train.csv --text-col text --target-col target \\
          --label-col stance --sentiment-col sentiment -o mawqif.model
      stance train --add my_labels.jsonl -o my.model    # bundled labels + yours
      stance train --cues my_cues.toml -o my.model      # bundled labels, your stance cues
    """
    _idle_blas_threads_sleep()
    from ..cache import bundled_labels
    from ..train import train_model

    inventory = load_inventory(actors_path, extend_actors)
    fixed = {}
    if cues_path is not None:
        from ..cues import load_cues

        try:
            load_cues(cues_path)  # a bad cue file stops here, before any data is read
        except ValueError as exc:
            raise click.ClickException(str(exc)) from None
        fixed["cues_path"] = cues_path
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
    train_data = load_data(str(train_path), inventory, spec, "train")
    if dev_source is not None and dev_source.exists():
        click.echo(f"reading {dev_source}", err=True)
        dev = load_data(str(dev_source), inventory, spec, "dev")
    params = ({"C": C} if C is not None else {}) | fixed or None
    grid = {} if C is not None else None
    add = None
    if add_paths:
        from ..annotate.retrain import prepare_add

        try:
            add, params, add_weight, cv = prepare_add(add_paths, inventory, train_data, dev,
                                                      {"C": C} if C is not None else None, add_weight,
                                                      bundled=data_path is None, fixed=fixed,
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


def _idle_blas_threads_sleep() -> None:
    """Let OpenBLAS threads sleep as soon as they are idle instead of spinning (same threads, same results).

    scipy's L-BFGS-B, which fits the stance and sentiment heads, calls BLAS on all the coefficients
    thousands of times with a sparse product in between; an idle OpenBLAS thread busy-waits for
    2**28 cycles (~0.1 s) before sleeping, and that spinning was two thirds of the CPU time of
    ``stance train``. ``OPENBLAS_THREAD_TIMEOUT=4`` (2**4 cycles) keeps the number of threads and the
    split of every operation, so the fitted model is bit-identical. OpenBLAS reads the variable when
    it is loaded: scipy's copy (the one L-BFGS-B uses) is loaded by the training imports below, after
    this; a value set by the user is kept.
    """
    os.environ.setdefault("OPENBLAS_THREAD_TIMEOUT", "4")
