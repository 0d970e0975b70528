"""``stance mentions`` and ``stance actors``: sentences, actor mentions and the inventory."""

from __future__ import annotations

import json

import click

from .common import actors_option, extend_option, format_option, load_inventory, read_text, stdin_hint


@click.command()
@click.argument("path", required=False)
@format_option("text", "jsonl", help="Readable lines, or one JSON object per mention.")
@click.option("--date", default=None, help="Article date (YYYY-MM-DD): office holders match only in office.")
@actors_option
@extend_option
def mentions(path: str | None, fmt: str, date: str | None, actors_path: str | None, extend_actors: bool) -> None:
    """Split PATH (a text file, or - for stdin) into sentences and list actor mentions.

    \b
    Examples:
      stance mentions seeds/000_87b51e7b310dad56.txt
      stance mentions --format jsonl article.txt > mentions.jsonl
      cat article.txt | stance mentions -
    """
    from ..actors import match_article
    from ..sentences import split_sentences

    inventory = load_inventory(actors_path, extend_actors)
    [path] = stdin_hint((path,) if path else (), "mentions")
    text = read_text(path)
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


@click.command("actors")
@format_option("text", "json")
@actors_option
@extend_option
def actors(fmt: str, actors_path: str | None, extend_actors: bool) -> None:
    """List the actor inventory."""
    inventory = load_inventory(actors_path, extend_actors)
    if fmt == "json":
        click.echo(json.dumps([a.to_dict() for a in inventory.actors.values()], ensure_ascii=False, indent=1))
        return
    for a in inventory.actors.values():
        n = len(a.aliases) + len(a.nisba) + len(a.holders)
        click.echo(f"{a.id:<10} {a.kind:<12} {a.name_en} / {a.name_ar} ({n} aliases)")
