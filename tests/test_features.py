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
