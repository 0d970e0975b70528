import numpy as np

from stance.features import Pair, TargetFeatures

SENT = "ندد الحشد الشعبي بالعدوان الأميركي على مقاره."


def test_same_sentence_reads_differently_per_target():
    f = TargetFeatures(min_df=1)
    us = f.analyze(Pair(SENT, "US"))
    pmf = f.analyze(Pair(SENT, "PMF"))
    assert "TGT" in us["masked"] and "OTH" in us["masked"]
    assert us["masked"] != pmf["masked"]
    assert "L_بالعدوان" in us["window"] and "R_بالعدوان" in pmf["window"]
    assert any(c.startswith("us|") for c in us["cross"])


def test_topic_target_not_in_text():
    f = TargetFeatures(min_df=1)
    a = f.analyze(Pair("اللقاح آمن وفعال", "Covid Vaccine"))
    assert a["window"] == ["NO_MENTION"]
    assert "T=covid_vaccine" in a["cross"]


def test_fit_transform_shapes_and_bounded_vocabulary():
    X = [Pair(SENT, "US"), Pair(SENT, "PMF"), Pair("قصفت واشنطن مواقع الحشد", "PMF")] * 3
    f = TargetFeatures(min_df=1, max_features=50)
    M = f.fit_transform(X)
    assert M.shape[0] == len(X)
    assert M.shape[1] == f.n_features_out_ <= 50 * 5
    assert np.allclose(f.transform(X).toarray(), M.toarray())
    assert len(f.get_feature_names_out()) == M.shape[1]


def test_get_params_and_no_work_in_init():
    f = TargetFeatures(window=2)
    assert f.get_params()["window"] == 2
    assert not hasattr(f, "vectorizers_")


# -- the word-cached character view and the split linear head -------------------------------


import pytest  # noqa: E402
from hypothesis import given, settings, strategies as st  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402

from stance.fastvec import WordCachedCharVectorizer  # noqa: E402

_CORPUS = [SENT, "قصفت واشنطن مواقع الحشد", "Baghdad SAID  it\twould\nreply", "رحبت طهران بالاتفاق", ""]


def _fitted() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32).fit(_CORPUS)


def test_word_cached_char_view_equals_sklearn():
    v = _fitted()
    fast = WordCachedCharVectorizer(v)
    docs = _CORPUS + ["الحشد الحشد الحشد", "   ", "BAGHDAD baghdad", "و " + "قصفت" * 30 + " " + "الحشد" * 13,
                      "ا ب Baghdad" * 3]  # words longer than the kept slice lists, and of one letter
    for _ in range(2):  # cold, then warm cache
        a, b = v.transform(docs), fast.transform(docs)
        assert a.shape == b.shape and a.dtype == b.dtype
        assert abs(a - b).max() < 1e-6


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("قصفت واشنطن الحشد ABC\t\n\u00a0\u200b.،")), max_size=40),
                min_size=1, max_size=5))
def test_word_cached_char_view_equals_sklearn_on_any_text(docs):
    v = _fitted()
    a, b = v.transform(docs), WordCachedCharVectorizer(v).transform(docs)
    assert a.shape == b.shape and abs(a - b).max() < 1e-6


@pytest.fixture(scope="module")
def model(model_path):
    from stance.model import StanceModel

    return StanceModel.load(model_path)


def test_split_head_equals_stacked_matrix(model, tiny):
    pairs = tiny.pairs
    texts = list(dict.fromkeys(p.text for p in pairs))
    plain = model.features_.transform_plain(texts)
    rows = [texts.index(p.text) for p in pairs]
    stacked = model.proba_from_matrix(model.transform(pairs, plain, rows))
    split = model.proba_from_parts(model.features_.transform_target(pairs), plain, rows)
    assert np.allclose(stacked, split, atol=1e-6)
    assert np.allclose(split, model.predict_proba(pairs), atol=1e-6)


def test_fast_target_columns_equal_the_views(model, tiny):
    """The per-sentence column path of transform_target gives the views' matrix (targets named twice, not
    named, topics, a sentence without mentions, given mentions)."""
    from stance.actors import match_actors

    text = "قصفت واشنطن مقار الحشد الشعبي، وقالت واشنطن إن الحشد الشعبي يهدد القوات الأميركية."
    extra = [Pair(text, "US"), Pair(text, "PMF"), Pair(text, "IRN"), Pair(text, "حقوق الإنسان"),
             Pair("جملة بلا أسماء", "US"), Pair(text, "US", None, tuple(match_actors(text)[:1]))]
    pairs = list(tiny.pairs) + extra
    features = model.features_
    fast, views = features.transform_target(pairs), features._transform_target_views(pairs)
    assert "_target_columns" in features.__dict__
    assert fast.shape == views.shape and fast.dtype == views.dtype and (fast != views).nnz == 0
    assert np.array_equal(fast.indptr, views.indptr) and np.array_equal(fast.indices, views.indices)


@pytest.mark.parametrize("structure,marks", [(False, False), (True, False), (True, True), (False, True)])
def test_fast_target_columns_with_and_without_structure(tiny, monkeypatch, structure, marks):
    """The fast path equals the views' matrix for a struct view and the mention marks too; finding a
    sentence's clauses and cues once for all its targets (fast path and training views) gives what
    finding them per target gives (the reference: the views with sharing turned off)."""
    import stance.features as features_module
    from stance.actors import match_article
    from stance.cues import CueInventory, load_cues

    assert features_module._placeholders_inert(load_cues())
    assert not features_module._placeholders_inert(CueInventory({"TGT": "odd"}, {}, {}))
    assert not features_module._placeholders_inert(CueInventory({}, {}, {("قال", "OTH"): "report"}))
    text = "قصفت واشنطن مقار الحشد الشعبي، بينما قالت واشنطن إن الحشد الشعبي يهدد القوات الأميركية."
    denial = "لم تستهدف طهران القوات الأميركية، لكن واشنطن هددت طهران بالرد وأدانت دعم إيران للحشد الشعبي."
    # quotes before, around and after mentions; a holder, nisba adjectives, a context alias twice
    quoted = ("وقال بايدن «إن واشنطن لن تسمح» للحشد الشعبي، فيما ردت طهران «بأن القوات الأميركية» "
              "ستغادر «العراق» قريبا، وفق مسؤول في إيران.")
    article = ["قال رئيس الوزراء العراقي إن بغداد ترفض الضربات.", "وأكدت الحكومة أن «الحكومة لن تسمح» بانتهاك السيادة."]
    context = tuple(match_article(article)[1])
    assert [m.context for m in context] == ["IRQ", "IRQ"]
    pairs = list(tiny.pairs) + [Pair(text, "US"), Pair(text, "PMF"), Pair(text, "IRN"), Pair("جملة بلا أسماء", "US"),
                                Pair(denial, "IRN"), Pair(denial, "US"), Pair(denial, "PMF"), Pair(quoted, "US"),
                                Pair(quoted, "PMF"), Pair(quoted, "IRN"), Pair(article[1], "IRQ_GOV", None, context)]
    features = TargetFeatures(window=3, structure=structure, marks=marks, min_df=1).fit(pairs)
    fast, shared_views = features.transform_target(pairs), features._transform_target_views(pairs)
    monkeypatch.setattr(features_module, "_placeholders_inert", lambda cues: False)
    reference = TargetFeatures(window=3, structure=structure, marks=marks, min_df=1).fit(pairs)
    assert reference.vectorizers_["struct"].terms() == features.vectorizers_["struct"].terms()
    marked = {t for t in features.vectorizers_["window"].terms() if t.startswith("M_")}
    assert bool(marked) == marks
    if marks:  # every kind, with the word before it, and a mention inside a quote; nothing for the usual case
        assert {"M_k=nisba", "M_k=person", "M_k=context", "M_k=person|وقال",
                "M_k=name|OTH", "M_q"} <= marked
        assert "M_k=name" not in marked
    views = reference._transform_target_views(pairs)
    features._target_columns = None  # rebuilt, now without sharing
    unshared_fast = features.transform_target(pairs)
    for matrix in (fast, shared_views, unshared_fast):
        assert (matrix != views).nnz == 0 and np.array_equal(matrix.indices, views.indices)
    struct = features.slices_["struct"]
    assert (struct[1] - struct[0] > 1) == structure  # the view is really on (more than S_OFF)


def test_fast_window_columns_with_underscored_tokens():
    """Window terms of tokens holding underscores (``L_a_b_c`` reads as a_b + c or a + b_c): the word
    dictionaries of the fast path find the same columns as the strings of the views."""
    text = "قال a_b واشنطن c_d e قصفت الحشد الشعبي _ x_ واشنطن _y"
    X = [Pair(text, "US"), Pair(text, "PMF"), Pair("a_b c واشنطن d_e_f g", "US"), Pair("a b_c واشنطن d e_f", "US"),
         Pair("a_b_c واشنطن d_e f", "US")]
    f = TargetFeatures(min_df=1).fit(X)
    assert {"L_a_b", "R_c_d", "L_a_b_c", "R_d_e_f", "R_d_e_f_g", "L_a_b_c"} <= set(f.vectorizers_["window"].vocabulary_)
    probes = X + [Pair("a_b_c واشنطن d_e_f g", "US"), Pair("a b_c واشنطن d_e f", "US"), Pair("x y", "US")]
    fast, views = f.transform_target(probes), f._transform_target_views(probes)
    assert "_target_columns" in f.__dict__
    assert np.array_equal(fast.indptr, views.indptr) and np.array_equal(fast.indices, views.indices)
    assert (fast != views).nnz == 0


def test_feature_cache_is_not_pickled(model):
    import pickle

    model.features_.transform_plain([SENT])
    view = model.features_.vectorizers_["plain_char"]
    assert "_fast" in view.__dict__
    restored = pickle.loads(pickle.dumps(model.features_))
    assert "_fast" not in restored.vectorizers_["plain_char"].__dict__ and "_fast" in view.__dict__


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("قصفت واشنطن الحشد ABC\t\n\u00a0.،")), max_size=40),
                min_size=1, max_size=5))
def test_tfidf_views_equal_sklearn_transform(docs):
    """The scikit-learn-free views (word n-grams, token lists) give scikit-learn's matrices."""
    from stance.tfidf import TfidfView

    word = TfidfVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b", sublinear_tf=True,
                           dtype=np.float32).fit(_CORPUS)
    a, b = word.transform(docs), TfidfView.from_sklearn(word, "word").transform(docs)
    assert a.shape == b.shape and a.dtype == b.dtype and abs(a - b).max() < 1e-6
    tokens = [d.split() for d in docs]
    ident = TfidfVectorizer(analyzer=lambda t: t, sublinear_tf=True, dtype=np.float32).fit(
        [d.split() for d in _CORPUS] + tokens[:1])
    a, b = ident.transform(tokens), TfidfView.from_sklearn(ident, "tokens").transform(tokens)
    assert a.shape == b.shape and abs(a - b).max() < 1e-6


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.sampled_from(list("قصفت واشنطن الحشد ABC\t\n\u00a0.،")), max_size=40),
                min_size=1, max_size=6), st.integers(1, 2), st.sampled_from([None, 5, 40]))
def test_cached_char_vocabulary_fit_equals_sklearn(docs, min_df, max_features):
    """Fitting the char view word by word selects the same vocabulary and idf as TfidfVectorizer."""
    from stance.vocab import CharTfidfVectorizer

    params = dict(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, dtype=np.float32, min_df=min_df,
                  max_features=max_features)
    docs = docs + _CORPUS
    a, b = TfidfVectorizer(**params), CharTfidfVectorizer(**params)
    ma, mb = a.fit_transform(docs), b.fit_transform(docs)
    assert a.vocabulary_ == b.vocabulary_ and np.array_equal(a.idf_, b.idf_)
    assert ma.shape == mb.shape and abs(ma - mb).max() == 0


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["TGT", "OTH", "قصف", "ندد", "L_a", "L_b", "R_c", "x", "y", "z"]), max_size=12),
                min_size=1, max_size=12),
       st.sampled_from([1, 2, 3, 0.2]), st.sampled_from([1.0, 0.8, 5]), st.sampled_from([None, 2, 4, 100]),
       st.booleans())
def test_pruned_vocabulary_fit_equals_sklearn(docs, min_df, max_df, max_features, char):
    """Dropping the terms min_df / max_df drop before sorting selects scikit-learn's vocabulary, idf and
    matrix, ties at the max_features bound included (token lists, and the character view's texts)."""
    from stance.vocab import CharTfidfVectorizer, PrunedTfidfVectorizer

    if char:
        docs = [" ".join(d) for d in docs] + _CORPUS
        params = dict(analyzer="char_wb", ngram_range=(2, 4))
    else:
        params = dict(analyzer=_identity)
    params |= dict(sublinear_tf=True, dtype=np.float32, min_df=min_df, max_df=max_df, max_features=max_features)
    ours = (CharTfidfVectorizer if char else PrunedTfidfVectorizer)(**params)
    try:
        reference = TfidfVectorizer(**params).fit_transform(docs)
    except ValueError as error:  # no term left, or max_df below min_df: the same error
        with pytest.raises(ValueError, match=str(error).split(";")[0][:30]):
            ours.fit_transform(docs)
        return
    ref = TfidfVectorizer(**params).fit(docs)
    matrix = ours.fit_transform(docs)
    assert ours.vocabulary_ == ref.vocabulary_ and np.array_equal(ours.idf_, ref.idf_)
    assert matrix.shape == reference.shape and abs(matrix - reference).max() == 0


def _identity(tokens):
    return tokens


def test_refit_on_more_pairs_reuses_the_kept_views(tiny):
    """Features fitted on train + dev from train's kept views are those fitted from scratch, bit for bit;
    the views are taken (not computed again), and they never travel with a copy of the features."""
    import pickle

    from stance.features import _Views

    train, more = tiny.pairs[:15], tiny.pairs[15:]
    assert len(more) >= 5
    first = TargetFeatures(min_df=1)
    first.fit_design(train, keep_views=True)
    assert isinstance(first.__dict__.get("_kept_views"), _Views)
    assert "_kept_views" not in pickle.loads(pickle.dumps(first)).__dict__
    cold = TargetFeatures(min_df=1).fit_design(train + more)
    calls = []
    warm = TargetFeatures(min_df=1)
    analyze = warm._analyze_parts
    warm._analyze_parts = lambda *a: calls.append(1) or analyze(*a)
    warm = warm.fit_design(train + more, reuse=first)
    assert len(calls) == len(more)  # only the new pairs analysed
    for a, b in [(cold.target, warm.target), (cold.plain, warm.plain)]:
        assert a.shape == b.shape and (a != b).nnz == 0
    assert np.array_equal(cold.rows, warm.rows)
    # other settings, or pairs that do not start with the kept ones: computed from scratch
    assert (TargetFeatures(min_df=1, window=2).fit_design(train + more, reuse=first).target.shape[0]
            == len(train) + len(more))
    shuffled = TargetFeatures(min_df=1).fit_design(more + train, reuse=first)
    assert shuffled.target.shape[0] == len(train) + len(more)
