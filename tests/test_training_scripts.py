"""Scripts under training/ that hold logic worth testing."""

import sys
from pathlib import Path

from stance.datasets import Dataset
from stance.features import Pair

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "training"))

import learning_curve  # noqa: E402


def _dataset() -> Dataset:
    arts = [("a1", "authored"), ("a1", "authored"), ("a2", "authored"), ("a3", "authored"),
            ("r1", "real"), ("r2", "real"), ("r2", "real")]
    texts = [f"جملة {i}" for i in range(len(arts))]
    return Dataset(pairs=[Pair(t, "US") for t in texts], stances=["none"] * len(arts),
                   sentiments=["neutral"] * len(arts), found=[True] * len(arts),
                   articles=[a for a, _ in arts], sentence_ids=texts, kinds=[k for _, k in arts],
                   lines=[(t, "neutral") for t in texts], line_kinds=[k for _, k in arts])


def test_learning_curve_subset_keeps_whole_articles_of_one_kind() -> None:
    ds = _dataset()
    for seed in range(5):
        sub = learning_curve.subset(ds, "authored", 2 / 3, seed)
        kept = {a for a, k in zip(sub.articles, sub.kinds) if k == "authored"}
        assert len(kept) == 2  # two of the three authored articles, whole
        assert sub.articles.count("a1") in (0, 2)
        assert [a for a, k in zip(sub.articles, sub.kinds) if k == "real"] == ["r1", "r2", "r2"]  # untouched
        assert learning_curve.subset(ds, "authored", 2 / 3, seed).articles == sub.articles  # seeded
    assert len({tuple(learning_curve.subset(ds, "authored", 1 / 3, s).articles) for s in range(10)}) > 1
    assert learning_curve.subset(ds, "real", 1.0, 0).articles == ds.articles

