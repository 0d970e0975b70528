import json
import warnings
from pathlib import Path

import pytest

from stance.actors import load_actors
from stance.datasets import load_dataset
from stance.model import StanceModel
from stance.profile import EmptyTextWarning, score_article, score_sentences

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def model():
    data = load_dataset(DATA / "tiny.jsonl", load_actors())
    return StanceModel(min_df=1).fit(data.pairs, data.stances, data.sentiments)


def test_score_sentences_fields(model):
    scores = score_sentences(["قصفت طائرات أميركية مواقع للحشد الشعبي.", "لا ذكر لأحد هنا."], model=model)
    assert [(s.sentence, s.actor) for s in scores] == [(0, "US"), (0, "PMF")]
    for s in scores:
        assert abs(sum(s.proba.values()) - 1) < 1e-3
        assert s.score == pytest.approx(s.proba["favor"] - s.proba["against"], abs=1e-3)
        assert s.label == max(s.proba, key=s.proba.get)
        assert s.evidence and all(w > 0 for _, w in s.evidence)
        json.loads(json.dumps(s.to_dict(), ensure_ascii=False))
    pmf = scores[1]
    assert pmf.text[pmf.mentions[0][0]:pmf.mentions[0][1]] == "للحشد الشعبي"


def test_score_article_profile_on_seed(model, seed_text):
    p = score_article(seed_text, model=model, id="seed", date="2024-01-24")
    assert p.n_sentences == 16
    us = p.actor("US")
    assert us.sentences == 12 and us.mentions >= 12
    assert sum(us.counts.values()) == us.sentences
    assert 0 < us.salience <= 1 and us.first_sentence == 0
    for e in us.evidence:
        assert seed_text[e.start:e.end] == e.text
    d = p.to_dict()
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d
    assert d["actors"][0]["actor"] == "US"


def test_empty_and_non_arabic_text_warn(model):
    for text in ["", "   ", "Only English text here."]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            p = score_article(text, model=model, id="x")
        assert p.actors == () and p.warnings
        assert any(issubclass(w.category, EmptyTextWarning) for w in caught)


def test_only_restricts_actors(model, seed_text):
    inv = load_actors().restrict(["US", "PMF"])
    p = score_article(seed_text, model=model, actors=inv)
    assert {a.actor for a in p.actors} == {"US", "PMF"}


def test_html_markup_is_ignored_but_offsets_slice_the_original(model):
    text = "<p>قصفت طائرات أميركية مواقع&nbsp;للحشد الشعبي.</p>\n<p>وأشاد الحشد الشعبي بالدعم الأميركي للجيش.</p>"
    p = score_article(text, model=model)
    # «للجيش» is the Iraqi army: the article's PMF mentions make it an Iraq article (context alias)
    assert {a.actor for a in p.actors} == {"US", "PMF", "IRQ_GOV"}
    for s in p.sentences:
        assert text[s.start:s.end] == s.text
        for start, end, surface in s.mentions:
            assert text[start:end] == surface


@pytest.mark.parametrize("score,counts,label", [
    (-0.13, {"favor": 0, "against": 0, "none": 1}, "none"),     # IRI on the seed: no against sentence
    (0.24, {"favor": 0, "against": 0, "none": 1}, "none"),      # UN: no favor sentence
    (-0.53, {"favor": 0, "against": 6, "none": 6}, "against"),
    (-0.05, {"favor": 0, "against": 1, "none": 5}, "none"),     # one weak against among many none
    (0.02, {"favor": 1, "against": 1, "none": 0}, "none"),      # polar sentences that cancel out
    (0.67, {"favor": 6, "against": 0, "none": 0}, "favor"),
])
def test_article_label_rule(score, counts, label):
    from stance.profile import article_label

    assert article_label(score, counts) == label


def test_article_label_never_contradicts_the_counts(model, seed_text):
    """A polar article label always has at least one sentence with that label behind it."""
    lines = seed_text.splitlines()
    for k in range(len(lines)):
        p = score_article("\n".join(lines[k:k + 3]), model=model)
        for a in p.actors:
            assert a.label == "none" or a.counts[a.label] > 0, (a.actor, a.label, a.score, a.counts)
            assert a.label != "against" or a.score < 0
            assert a.label != "favor" or a.score > 0


def test_scoring_in_blocks_changes_nothing_and_reports_progress(model, seed_text, monkeypatch):
    import stance.profile as profile

    whole = [p.to_dict(sentences=True) for p in profile.score_articles(
        [(seed_text, None, "a", None), ("قصفت واشنطن مواقع الحشد الشعبي.", None, "b", None)], model, explain=True)]
    monkeypatch.setattr(profile, "BLOCK_SENTENCES", 3)
    seen = []
    blocks = [p.to_dict(sentences=True) for p in profile.score_articles(
        [(seed_text, None, "a", None), ("قصفت واشنطن مواقع الحشد الشعبي.", None, "b", None)], model, explain=True,
        progress=lambda done, total: seen.append((done, total)))]
    assert blocks == whole
    assert seen == [(k, 17) for k in (3, 6, 9, 12, 15, 17)]
