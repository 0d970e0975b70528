"""``stance report``: a self-contained HTML report of scored articles."""

from __future__ import annotations

from dataclasses import replace

import click

from ..formats import plural
from .common import InputOptions, echo_error, input_options, setup_scoring, stdin_hint


@click.command()
@click.argument("paths", nargs=-1)
@click.option("-o", "--output", default="stance-report.html", show_default=True, help="HTML file to write.")
@click.option("--title", default=None, help="Page title (default: the input names).")
@input_options
def report(paths: tuple[str, ...], output: str, title: str | None, inputs: InputOptions) -> None:
    """Write a self-contained HTML report (offline, RTL) for articles or a corpus.

    Same inputs and options as `stance predict`. Article views mark every actor mention and shade each
    sentence by its stance toward the selected actor; with several articles (or --group-by) a corpus
    view adds a heatmap of mean score per group x actor, a monthly time series when dates are present,
    and the most against / favorable articles per actor. Each actor keeps its colour in every report
    (fixed by its place in the inventory). When no article could be scored, no file is written.

    \b
    Examples:
      stance report seeds/000_87b51e7b310dad56.txt -o seed.html
      stance report --group-by outlet labels/test -o corpus.html
    """
    from ..io import AtomicOutput
    from ..local import score_files
    from ..report import render_report

    paths = stdin_hint(paths, "report")
    scoring = replace(inputs.scoring, explain=True)
    model, _ = setup_scoring(scoring, inputs.quiet)
    errors: list = []

    def on_error(err: object) -> None:
        errors.append(err)
        echo_error(err)

    items = [(profile, article.text) for article, profile in
             score_files(list(paths), scoring, jobs=inputs.jobs, chunk_size=inputs.chunk_size, on_error=on_error)]
    if not items:
        raise click.ClickException(f"no article could be scored ({plural(len(errors), 'input error')}); "
                                   f"{output} was not written")
    html = render_report(items, group_by=inputs.group_by, title=title or "stance report: " + ", ".join(paths),
                         inventory=model.inventory_)
    with AtomicOutput(output) as out:
        out.write(html)
    if not inputs.quiet:
        if inputs.group_by:
            from ..output import group_field_warning

            note = group_field_warning(inputs.group_by, [p for p, _ in items])
            if note:
                click.echo(f"warning: {note}", err=True)
        click.echo(f"wrote {output} ({plural(len(items), 'article')})", err=True)
    if errors:
        raise click.ClickException(f"{len(items)} ok, {len(errors)} failed (see the errors above)")
