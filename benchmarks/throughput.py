"""Preprocessing throughput: normalize + split + match vs a TF-IDF transform.

Prints sentences/s for stance's text pipeline (normalize, split sentences,
find actor mentions) over a large text, and for scikit-learn's TfidfVectorizer
(word 1-2 + char 2-5 n-grams, fitted once) transforming the same sentences in
the same run, and their ratio (target >= 1.0). Then, unless ``--articles 0``,
the end-to-end figures of ``benchmarks/predict_throughput.py``: ``stance
predict`` with one and two jobs against a bare scikit-learn vectorize+predict
pipeline on the same sentences, and peak memory for 1,000 vs
``--memory-articles`` articles.

    python benchmarks/throughput.py [--repeat 300] [--corpus labels/] [--articles 2000] [--memory-articles 20000]
                                    [--model PATH]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer

from stance.actors import load_actors, match_actors
from stance.sentences import split_sentences

ROOT = Path(__file__).resolve().parents[1]


def load_articles(corpus: Path | None) -> list[str]:
    """Seed article plus, when present, every labeled article (train/dev/test, read with stance's label
    reader) joined by lines."""
    from stance.labels import read_labels

    articles = [(ROOT / "seeds" / "000_87b51e7b310dad56.txt").read_text(encoding="utf-8")]
    if corpus and corpus.exists():
        by_article: dict[str, list[str]] = {}
        for r in read_labels(corpus):
            by_article.setdefault(r.article, []).append(r.text)
        articles += ["\n".join(v) for v in by_article.values()]
    return articles


def best_of(fn, rounds: int = 3) -> float:
    """Fastest of a few runs, in seconds."""
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    """Run the benchmark and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=0, help="copies of the article set (default: to ~20k sentences)")
    parser.add_argument("--corpus", type=Path, default=ROOT / "labels")
    parser.add_argument("--articles", type=int, default=2000, help="end-to-end corpus size (0: skip)")
    parser.add_argument("--memory-articles", type=int, default=20000, help="peak-memory run size (0: skip)")
    parser.add_argument("--model", default=None, help="model file for the end-to-end run (default model)")
    args = parser.parse_args()
    base = load_articles(args.corpus)
    n_base = sum(len(split_sentences(a)) for a in base)
    repeat = args.repeat or max(1, 20000 // n_base)
    text = "\n".join(base * repeat)
    inventory = load_actors()
    match_actors("تحميل", inventory)

    def ours() -> int:
        n = 0
        for s in split_sentences(text):
            match_actors(s.text, inventory)
            inventory.clear_memo()  # the corpus repeats itself: measure matching, not the memo
            n += 1
        return n

    sentences = [s.text for s in split_sentences(text)]
    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2)).fit(sentences)
    char = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).fit(sentences)

    def baseline() -> None:
        hstack([word.transform(sentences), char.transform(sentences)])

    t_ours = best_of(ours)
    t_base = best_of(baseline)
    n = len(sentences)
    print(f"sentences: {n} ({len(base)} distinct articles x {repeat}), characters: {len(text)}")
    print(f"stance normalize+split+match: {n / t_ours:10.0f} sentences/s")
    print(f"sklearn TfidfVectorizer word1-2+char2-5 transform: {n / t_base:10.0f} sentences/s")
    print(f"ratio (ours / baseline): {t_base / t_ours:.2f}")
    if args.articles:
        import sys

        sys.path.insert(0, str(ROOT / "benchmarks"))
        from predict_throughput import run

        print("\nend to end (stance predict vs bare scikit-learn):")
        run(args.articles, args.memory_articles, args.model, args.corpus)


if __name__ == "__main__":
    main()
