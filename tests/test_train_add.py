"""`stance train --add`: the user's labels join training (weight by CV), strict errors, reproducible; evaluate --compare."""

import json

import numpy as np
from click.testing import CliRunner

from stance.cli import cli
from stance.features import Pair
from stance.model import StanceModel
from conftest import DATA

USER = [
    ("u1", "وهاجمت فصائل مسلحة رتلا أميركيا على الطريق الدولي.", [("US", "against", "author")], "negative"),
    ("u1", "وقال مسؤول أميركي إن الرتل لم يتكبد خسائر.", [("US", "none", None)], "neutral"),
    ("u2", "ورحبت الحكومة العراقية بالدعم الأميركي لقواتها.", [("IRQ_GOV", "none", None), ("US", "favor", "IRQ_GOV")],
     "positive"),
    ("u2", "واتهم الحشد الشعبي واشنطن بتهديد أمن البلاد.", [("PMF", "none", None), ("US", "against", "PMF")], "negative"),
    ("u3", "وأشادت إيران بصمود الحشد الشعبي.", [("IRN", "none", None), ("PMF", "favor", "IRN")], "positive"),
    ("u3", "وقصفت مسيرة مجهولة مقرا للحشد الشعبي.", [("PMF", "against", "author")], "negative"),
    ("u4", "وزار وزير الخارجية الإيراني بغداد.", [("IRN", "none", None), ("IRQ_GOV", "none", None)], "neutral"),
    ("u4", "ودعمت إيران الحكومة العراقية في حربها على الإرهاب.", [("IRN", "none", None), ("IRQ_GOV", "favor", "IRN")],
     "positive"),
]


def _user_file(tmp_path, pending=False):
    rows = []
    for n, (article, text, targets, sentiment) in enumerate(USER):
        rows.append({"article": article, "line": n, "text": text, "kind": "user", "sentiment": sentiment,
                     "targets": [{"actor": a, "stance": s, **({"source": src} if src else {})}
                                 for a, s, src in targets]})
    if pending:
        rows.append({"article": "u9", "line": 0, "text": "وأدانت الولايات المتحدة القصف.", "kind": "user",
                     "sentiment": None, "targets": [{"actor": "US", "stance": None}]})
    path = tmp_path / "mine.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def _train(tmp_path, name, *extra):
    out = tmp_path / name
    r = CliRunner().invoke(cli, ["train", "--data", str(DATA / "tiny.jsonl"), "--C", "1", "-o", str(out), *extra])
    return r, out


def test_add_trains_reproducibly_with_a_cross_validated_weight(tmp_path):
    user = _user_file(tmp_path, pending=True)
    r1, m1 = _train(tmp_path, "a.model", "--add", str(user))
    assert r1.exit_code == 0, r1.output
    assert "1 undecided pairs skipped" in r1.output and "-> weight" in r1.output
    r2, m2 = _train(tmp_path, "b.model", "--add", str(user))
    assert r2.exit_code == 0, r2.output
    a, b = StanceModel.load(m1), StanceModel.load(m2)
    assert a.metadata_["add_weight"] == b.metadata_["add_weight"] in (1.0, 3.0, 10.0)
    assert a.metadata_["n_add_pairs"] == 13 and a.metadata_["add_weight_cv"] == b.metadata_["add_weight_cv"]
    pairs = [Pair(text, t[0]) for _, text, targets, _ in USER for t in targets]
    assert np.array_equal(a.predict_proba(pairs), b.predict_proba(pairs))


def test_user_labels_move_the_model(tmp_path):
    user = _user_file(tmp_path)
    plain, m0 = _train(tmp_path, "plain.model")
    added, m1 = _train(tmp_path, "added.model", "--add", str(user), "--add-weight", "10")
    assert plain.exit_code == 0 and added.exit_code == 0, added.output
    pairs = [Pair(text, t[0]) for _, text, targets, _ in USER for t in targets]
    gold = [t[1] for _, _, targets, _ in USER for t in targets]
    acc = [np.mean(StanceModel.load(m).predict(pairs) == np.array(gold)) for m in (m0, m1)]
    assert acc[1] > acc[0]
    assert StanceModel.load(m1).metadata_["add_weight"] == 10.0
    r = CliRunner().invoke(cli, ["evaluate", "--data", str(user), "--model", str(m1), "--compare", str(m0)])
    assert r.exit_code == 0, r.output
    assert f"gain over {m0}: stance macro-F1" in r.output
    r = CliRunner().invoke(cli, ["evaluate", "--data", str(user), "--model", str(m1), "--compare", str(m0),
                                 "--format", "json"])
    report = json.loads(r.output)
    assert report["compare"]["gain"] == round(report["compare"]["macro_f1"] - report["compare"]["baseline_macro_f1"], 4)


def test_malformed_user_file_names_file_and_line_and_writes_nothing(tmp_path):
    user = _user_file(tmp_path)
    lines = user.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace('"favor"', '"pro"')
    lines.insert(4, "{broken")
    user.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r, out = _train(tmp_path, "x.model", "--add", str(user), "--add-weight", "2")
    assert r.exit_code == 1
    assert f"{user}:3: unknown stance 'pro'" in r.output and f"{user}:5: malformed JSON" in r.output
    assert not out.exists()


def test_add_with_nothing_decided_is_an_error(tmp_path):
    path = tmp_path / "empty.jsonl"
    path.write_text(json.dumps({"article": "a", "line": 0, "text": "وأدانت الولايات المتحدة القصف.", "kind": "user",
                                "sentiment": None, "targets": [{"actor": "US", "stance": None}]},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    r, out = _train(tmp_path, "y.model", "--add", str(path))
    assert r.exit_code == 1 and "no decided pairs yet (1 undecided)" in r.output and not out.exists()


def test_labels_check_validates_user_files(tmp_path):
    user = _user_file(tmp_path, pending=True)
    r = CliRunner().invoke(cli, ["labels", "check", str(user)])
    assert r.exit_code == 0, r.output
    assert "1 user record(s) still undecided" in r.output
