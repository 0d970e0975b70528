"""``stance labels …``: work with labeled corpora (``labels check``)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from .common import actors_option, extend_option, format_option, load_inventory


@click.group()
def labels() -> None:
    """Work with labeled corpora."""


@labels.command("check")
@click.argument("path", default=None, required=False)
@format_option("text", "json")
@click.option("--pool", "pool", type=click.Path(exists=True, file_okay=False), default=None,
              help="Folder of the real-news pool files that real records cite "
                   "(default: $STANCE_REALNEWS or ../shared/realnews beside the checkout).")
@actors_option
@extend_option
def check(path: str | None, fmt: str, pool: str | None, actors_path: str | None, extend_actors: bool) -> None:
    """Validate a label file or directory (default: labels/) and print statistics.

    Checks the schema and label values, that every actor the matcher finds has
    exactly one target and every target is found, near-duplicate sentences, and
    that every real record's text is in the pool line its provenance names
    (when the pool is available). Exits 1 when any problem is found.
    """
    from ..labels import check_corpus

    path = path or "labels"
    if not Path(path).exists():
        raise click.ClickException(f"{path}: no such file or directory; give the labels directory or a .jsonl file")
    report = check_corpus(path, load_inventory(actors_path, extend_actors), Path(pool) if pool else None)
    if fmt == "json":
        click.echo(json.dumps({"problems": report.problems, "stats": report.stats}, ensure_ascii=False, indent=1))
    else:
        for problem in report.problems:
            click.echo(problem, err=True)
        _print_stats(report.stats)
        _print_unlabeled(report.stats.get("unlabeled"), path)
    if report.problems:
        raise click.ClickException(f"{len(report.problems)} problem(s) in {path}")


def _print_stats(stats: dict) -> None:
    for key in ("articles", "lines", "sentences_with_actor", "pairs", "multi_actor_share",
                "contrast_sentences", "contrast_pairs", "stance", "sentiment", "near_duplicate_rate"):
        click.echo(f"{key:<22} {stats.get(key, '-')}")
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
