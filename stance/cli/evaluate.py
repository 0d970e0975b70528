"""``stance evaluate``: per-class figures of a model on labeled data."""

from __future__ import annotations

import json

import click

from .common import actors_option, column_options, extend_option, format_option, load_data, load_inventory


@click.command()
@click.option("--data", "data_path", required=True, help="Labels file/directory or a column file.")
@click.option("--model", "model_path", default=None, help="Model file (default: the bundled default model).")
@format_option("text", "json")
@click.option("--compare", "compare_path", default=None,
              help="Also evaluate this model ('default': the bundled default model) and print the gain over it.")
@column_options
@actors_option
@extend_option
def evaluate(data_path: str, model_path: str | None, fmt: str, compare_path: str | None, spec,
             actors_path: str | None, extend_actors: bool) -> None:
    """Evaluate a model on labeled data: per-class P/R/F1, macro-F1, F_avg, confusion, ECE, per actor.

    \b
    Examples:
      stance evaluate --data labels/test
      stance evaluate --data seeds/000_87b51e7b310dad56.gold.jsonl --format json
    """
    from ..cache import load_model
    from ..evaluate import evaluate_model, format_report
    from ..model import ModelError

    inventory = load_inventory(actors_path, extend_actors)
    try:
        model = load_model(model_path)
    except ModelError as exc:
        raise click.ClickException(str(exc)) from None
    data = load_data(data_path, inventory, spec, "evaluate")
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
