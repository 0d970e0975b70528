"""A self-contained HTML report of article profiles (``stance report``).

One file, everything inline (CSS, JavaScript, matplotlib charts as SVG), no
network at view time. The article view shows the text right-to-left with actor
mentions marked and every sentence shaded by its score toward the selected
actor; the corpus view shows a heatmap of mean score (group × actor), a monthly
time series per actor, and the most against / most favorable articles per actor.
User text only ever reaches the page through Jinja2 autoescaping or JSON with
``<`` escaped, so markup in articles is shown as text, never run.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from importlib import resources
from typing import TYPE_CHECKING, Iterable

from .edges import NO_HOLDER_NOTE
from .explain import describe
from .output import GroupAggregator, month_of
from .profile import ArticleProfile

if TYPE_CHECKING:
    from .actors import Inventory

__all__ = ["actor_colors", "render_report"]

PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22",
           "#7f7f7f", "#d62728", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
           "#e6550d", "#31a354", "#756bb1", "#636363"]
MAX_ARTICLE_VIEWS = 300


def _svg(fig) -> str:
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # real <text> elements: smaller, searchable
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _heatmap(groups: dict[str, dict[str, dict]], actors: list[str], title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = list(groups)
    grid = np.full((len(names), len(actors)), np.nan)
    counts = np.zeros_like(grid)
    for i, g in enumerate(names):
        for j, a in enumerate(actors):
            if a in groups[g]:
                grid[i, j] = groups[g][a]["mean_score"]
                counts[i, j] = groups[g][a]["articles"]
    fig, ax = plt.subplots(figsize=(max(6, 0.75 * len(actors) + 2), max(2.5, 0.5 * len(names) + 1.5)))
    image = ax.imshow(np.ma.masked_invalid(grid), cmap="RdYlGn", vmin=-1, vmax=1, aspect="auto")
    ax.set_xticks(range(len(actors)), actors, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    for i in range(len(names)):
        for j in range(len(actors)):
            if counts[i, j]:
                ax.text(j, i, f"{grid[i, j]:+.2f}\nn={int(counts[i, j])}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, label="mean stance score (against −1 … +1 favor)")
    ax.set_title(title)
    svg = _svg(fig)
    plt.close(fig)
    return svg


def actor_colors(actor_ids: Iterable[str], inventory: Inventory | None = None) -> dict[str, str]:
    """A fixed colour per actor: its place in the inventory picks it from :data:`PALETTE` (an id the
    inventory lacks gets one from a hash of the id), whatever else the report shows."""
    import zlib

    if inventory is None:
        from .actors import load_actors

        inventory = load_actors()
    place = {actor_id: k for k, actor_id in enumerate(inventory.ids)}
    return {a: PALETTE[(place[a] if a in place else zlib.crc32(a.encode())) % len(PALETTE)] for a in actor_ids}


def _timeseries(months: dict[str, dict[str, list[float]]], actors: list[str], colors: dict[str, str]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ordered = sorted(m for m in months if m != "unknown")
    fig, ax = plt.subplots(figsize=(9, 3.8))
    for actor in actors:
        xs = [m for m in ordered if actor in months[m]]
        if xs:
            ys = [sum(months[m][actor]) / len(months[m][actor]) for m in xs]
            ax.plot(xs, ys, marker="o", label=actor, color=colors[actor])
    ax.axhline(0, color="#999", linewidth=0.8)
    ax.set_ylim(-1.05, 1.05)
    ax.set_ylabel("mean stance score")
    ax.set_xlabel("month")
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=7, ncol=4, loc="upper left", bbox_to_anchor=(0, -0.35))
    ax.set_title("Stance toward each actor by month")
    svg = _svg(fig)
    plt.close(fig)
    return svg


AUTHOR_LABEL = "author / الكاتب"
MAX_LINKED = 50  # evidence sentences a corpus matrix cell lists


def _css_color(score: float) -> str:
    """Background of a matrix cell: red (against) through grey to green (favor), like the sentences."""
    end = (214, 39, 40) if score < 0 else (44, 160, 44)
    t = min(1.0, abs(score))
    mix = [round(g + (c - g) * t) for g, c in zip((200, 200, 200), end)]
    return f"rgba({mix[0]}, {mix[1]}, {mix[2]}, 0.75)"


def _matrix(edges: list[dict], links: dict[tuple[str, str], list[str]]) -> dict:
    """Holder x target matrix for the template: cells with count, mean score, colour and evidence links.

    ``edges`` are dicts with ``holder``, ``target``, ``score`` and ``count``; ``links`` maps an edge to
    the element ids of its evidence sentences (the first is the cell's link).
    """
    from .edges import edge_matrix

    holders, targets, cells = edge_matrix(edges)
    rows = []
    for h in holders:
        row = []
        for t in targets:
            e = cells.get((h, t))
            if e is None:
                row.append(None)
                continue
            ids = links.get((h, t), [])
            row.append({"count": e["count"], "score": e["score"], "stance": e["stance"], "color": _css_color(e["score"]),
                        "href": f"#{ids[0]}" if ids else None, "sentences": " ".join(ids[:MAX_LINKED]),
                        "title": f"{h} → {t}: {e['stance']} {e['score']:+.2f}, {e['count']} sentence"
                                 f"{'s' if e['count'] != 1 else ''}"})
        rows.append({"holder": h, "cells": row})
    return {"holders": holders, "targets": targets, "rows": rows}


def _layout(nodes: list[str], links: list[tuple[str, str]]) -> dict[str, tuple[float, float]]:
    """Node positions: networkx's Kamada-Kawai layout (from a circle) when networkx is installed, else a circle."""
    import math

    circle = {n: (math.cos(2 * math.pi * k / len(nodes)), math.sin(2 * math.pi * k / len(nodes)))
              for k, n in enumerate(nodes)}
    try:
        import networkx as nx
    except ImportError:
        return circle
    if len(nodes) <= 3:
        return circle
    graph = nx.Graph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(links)
    try:
        pos = nx.kamada_kawai_layout(graph, pos=circle)
    except Exception:  # noqa: BLE001 - a layout failure must not lose the report: fall back to the circle
        return circle
    return {n: (float(x), float(y)) for n, (x, y) in pos.items()}


def _network(edges: list[dict], names: dict[str, str], title: str) -> str:
    """The actor network as SVG: an arrow holder → target per edge, coloured by mean score, width by count."""
    import math

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    nodes = sorted({e["holder"] for e in edges} | {e["target"] for e in edges}, key=lambda a: (a != "author", a))
    pos = _layout(nodes, [(e["holder"], e["target"]) for e in edges])
    fig, ax = plt.subplots(figsize=(8.5, 7.0))
    cmap = plt.get_cmap("RdYlGn")
    pairs = {(e["holder"], e["target"]) for e in edges}
    top = max((e["count"] for e in edges), default=1)
    for e in edges:
        a, b = pos[e["holder"]], pos[e["target"]]
        bend = 0.18 if (e["target"], e["holder"]) in pairs else 0.06
        ax.add_patch(FancyArrowPatch(a, b, arrowstyle="-|>", mutation_scale=14, shrinkA=12, shrinkB=12,
                                     connectionstyle=f"arc3,rad={bend}", color=cmap((e["score"] + 1) / 2),
                                     linewidth=1.2 + 3.5 * math.sqrt(e["count"] / top), alpha=0.9))
    for n in nodes:
        x, y = pos[n]
        ax.scatter([x], [y], s=260, color="#555" if n == "author" else "#f4f4f4", edgecolors="#333", zorder=3)
        label = AUTHOR_LABEL.replace(" / ", "\n") if n == "author" else f"{n}\n{names.get(n, '')}"
        ax.text(x, y - 0.07, label, ha="center", va="top", fontsize=8.5, zorder=4,
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    ax.set_xlim(min(xs) - 0.35, max(xs) + 0.35)
    ax.set_ylim(min(ys) - 0.35, max(ys) + 0.2)
    ax.set_aspect("equal")
    ax.axis("off")
    sm = plt.cm.ScalarMappable(cmap=cmap, norm=matplotlib.colors.Normalize(-1, 1))
    fig.colorbar(sm, ax=ax, shrink=0.6, label="mean stance score (against −1 … +1 favor)")
    ax.set_title(title)
    svg = _svg(fig)
    plt.close(fig)
    return svg


def _article_network(p: ArticleProfile, anchor: str, names: dict[str, str]) -> dict | None:
    """Matrix and drawing of one article's edges (None when the model has no holder head)."""
    if p.edges is None:
        return None
    edges = [{"holder": e.holder, "target": e.target, "score": e.score, "count": e.count, "stance": e.stance}
             for e in p.edges]
    links = {(e.holder, e.target): [f"{anchor}-s{v.sentence}" for v in e.evidence] for e in p.edges}
    return {"matrix": _matrix(edges, links),
            "svg": _network(edges, names, "Who holds which stance toward whom") if edges else None}


def _corpus_network(profiles: list[ArticleProfile], anchors: list[str], names: dict[str, str]) -> dict | None:
    """Matrix and drawing of the edges summed over all articles (each cell links to its evidence sentences)."""
    from .edges import EdgeAggregator

    if all(p.edges is None for p in profiles):
        return None
    agg = EdgeAggregator(lambda p: "all")
    links: dict[tuple[str, str], list[str]] = defaultdict(list)
    for k, p in enumerate(profiles):
        agg.add(p)
        if k < MAX_ARTICLE_VIEWS:
            for e in p.edges or ():
                links[(e.holder, e.target)] += [f"{anchors[k]}-s{v.sentence}" for v in e.evidence]
    edges = [dict(e, score=e["mean_score"], count=e["sentences"]) for e in agg.result().get("all", [])]
    return {"matrix": _matrix(edges, links),
            "svg": _network(edges, names, "Who holds which stance toward whom, whole corpus") if edges else None}


def _article_payload(p: ArticleProfile, text: str, anchor: str) -> dict:
    """What the page's script needs to mark mentions and shade sentences of one article."""
    sentences = {}
    for s in p.sentences:
        entry = sentences.setdefault(s.sentence, {"index": s.sentence, "start": s.start, "end": s.end, "scores": {}})
        entry["scores"][s.actor] = {
            "label": s.label, "score": s.score, "proba": s.proba, "sentiment": s.sentiment,
            "evidence": [describe(f, s.text) for f, _ in s.evidence[:5]], "holder": s.holder,
            "holder_probability": s.holder_probability,
        }
    mentions = sorted({(m[0], m[1], s.actor) for s in p.sentences for m in s.mentions})
    return {
        "anchor": anchor,
        "id": p.id,
        "text": text,
        "sentences": [sentences[k] for k in sorted(sentences)],
        "mentions": [{"start": a, "end": b, "actor": c} for a, b, c in mentions],
        "actors": [a.actor for a in p.actors],
    }


def _json_for_script(data: object) -> str:
    """JSON safe inside <script>: no '<', '>' or '&' survive literally."""
    return (json.dumps(data, ensure_ascii=False)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_report(
    items: Iterable[tuple[ArticleProfile, str]],
    group_by: str | None = None,
    title: str = "stance report",
    inventory: Inventory | None = None,
) -> str:
    """Render profiles (each with its original text) into one HTML page.

    ``inventory`` fixes each actor's colour by its place in it (default: the bundled inventory), so an
    actor has the same colour in every report.
    """
    import jinja2

    profiles: list[ArticleProfile] = []
    texts: list[str] = []
    for p, text in items:
        profiles.append(p)
        texts.append(text)
    actor_names: dict[str, str] = {}
    for p in profiles:
        for a in p.actors:
            actor_names.setdefault(a.actor, f"{a.name_en} / {a.name_ar}")
    by_count: dict[str, int] = defaultdict(int)
    for p in profiles:
        for a in p.actors:
            by_count[a.actor] += 1
    actors = sorted(by_count, key=lambda a: -by_count[a])
    colors = actor_colors(actors, inventory)
    shown = profiles[:MAX_ARTICLE_VIEWS]
    anchors = [f"article-{k}" for k in range(len(profiles))]
    names = {a.actor: a.name_ar for p in profiles for a in p.actors}
    articles = [
        {"profile": p, "anchor": anchors[k], "payload": _json_for_script(_article_payload(p, texts[k], anchors[k])),
         "network": _article_network(p, anchors[k], names)}
        for k, p in enumerate(shown)
    ]
    corpus = None
    if len(profiles) > 1 or group_by:
        field = group_by or "all"
        agg = GroupAggregator(field) if group_by else None
        months: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
        extremes: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for k, p in enumerate(profiles):
            if agg:
                agg.add(p)
            month = month_of(p.date or str(p.fields.get("date") or ""))
            for a in p.actors:
                months[month][a.actor].append(a.score)
                extremes[a.actor].append((a.score, k))
        groups = agg.result() if agg else {}
        if not agg:
            whole = GroupAggregator("__all__")
            for p in profiles:
                whole.add(p)
            groups = {"all articles": whole.result().get("unknown", {})}
        top_actors = actors[:20]
        heatmap = _heatmap(groups, top_actors, f"Mean stance score by {group_by or 'corpus'} and actor")
        dated = [m for m in months if m != "unknown"]
        series = _timeseries(months, top_actors[:8], colors) if len(dated) >= 2 else None
        tables = []
        for a in top_actors:
            ranked = sorted(extremes[a])
            tables.append({
                "actor": a,
                "against": [(profiles[k].id, anchors[k] if k < MAX_ARTICLE_VIEWS else None, s) for s, k in ranked[:5] if s < 0],
                "favor": [(profiles[k].id, anchors[k] if k < MAX_ARTICLE_VIEWS else None, s) for s, k in ranked[::-1][:5] if s > 0],
            })
        corpus = {"field": group_by, "groups": groups, "heatmap": heatmap, "series": series, "tables": tables,
                  "n": len(profiles), "network": _corpus_network(profiles, anchors, names)}
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: resources.files("stance").joinpath(f"templates/{name}").read_text(encoding="utf-8")),
        autoescape=True,
    )
    template = env.get_template("report.html.j2")
    return template.render(
        title=title, articles=articles, corpus=corpus, actors=actors, actor_names=actor_names,
        colors=colors, colors_json=_json_for_script(colors), n_articles=len(profiles),
        truncated=len(profiles) > MAX_ARTICLE_VIEWS, max_views=MAX_ARTICLE_VIEWS, no_holder_note=NO_HOLDER_NOTE,
    )
