"""Print the corpus statistics as Markdown (for labels/README.md).

    python training/corpus_markdown.py [labels/]
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.labels import check_corpus  # noqa: E402


def main() -> None:
    """Print the tables."""
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "labels"
    report = check_corpus(root)
    s = report.stats
    print(f"- articles: **{s['articles']}**, lines: {s['lines']}, sentences that mention an actor: "
          f"**{s['sentences_with_actor']}**, (sentence, actor) pairs: **{s['pairs']}**")
    print(f"- sentences with 2+ actors: **{s['multi_actor_share']:.1%}**; sentences whose actors get different "
          f"stances: {s['contrast_sentences']} holding **{s['contrast_pairs']}** pairs")
    print(f"- stance: {s['stance']}; sentiment: {s['sentiment']}")
    print(f"- near-duplicate sentences (character 5-gram Jaccard ≥ 0.7): {s['near_duplicate_sentences']} "
          f"({s['near_duplicate_rate']:.2%}); validator problems: {len(report.problems)}")
    print()
    print("| split | articles | sentences with an actor | pairs |")
    print("|---|---|---|---|")
    for split, v in sorted(s.get("splits", {}).items()):
        print(f"| {split} | {v['articles']} | {v['sentences']} | {v['pairs']} |")
    kinds = s.get("by_kind", {})
    if kinds:
        print()
        print("| kind | sentences with an actor | pairs | favor | against | none | sentiment |")
        print("|---|---|---|---|---|---|---|")
        for kind, k in kinds.items():
            print(f"| {kind} | {k['sentences_with_actor']} | {k['pairs']} | {k['stance'].get('favor', 0)} | "
                  f"{k['stance'].get('against', 0)} | {k['stance'].get('none', 0)} | {k['sentiment']} |")
    print()
    names = list(kinds) or ["all"]
    head = " | ".join(f"{n} favor | {n} against | {n} none | {n} total" for n in names)
    print(f"| actor | {head} |")
    print("|---|" + "---|" * (4 * len(names)))
    for actor in s["per_actor"]:
        cells = []
        for n in names:
            c = (kinds[n]["per_actor"] if kinds else s["per_actor"]).get(actor, {})
            cells.append(f"{c.get('favor', 0)} | {c.get('against', 0)} | {c.get('none', 0)} | {c.get('total', 0)}")
        print(f"| {actor} | {' | '.join(cells)} |")
    print()
    print("| outlet | articles |")
    print("|---|---|")
    for outlet, n in s["outlets"].items():
        print(f"| {outlet} | {n} |")


if __name__ == "__main__":
    main()
