"""Stance cues, light stems and clauses (the structure view's building blocks)."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stance.cues import CueError, clause_ids, light_stem, load_cues, split_clauses
from stance.features import Pair, TargetFeatures
from stance.normalize import normalize


def classes(text: str) -> list[str]:
    return [c for _, _, c in load_cues().find(normalize(text).split())]


@pytest.mark.parametrize(
    "word, cls",
    [("قصفت", "attack"), ("وقصفت", "attack"), ("بالقصف", "attack"), ("أدانت", "condemn"),
     ("والإدانة", "condemn"), ("للعقوبات", "sanction"), ("بدعم", "support"), ("ورحبت", "praise"),
     ("قال", "report"), ("وأعلنت", "report"), ("لم", "negation")],
)
def test_cue_classes_with_clitics_and_inflections(word, cls):
    assert classes(word) == [cls]


def test_phrases_win_over_their_words():
    # "وقف إطلاق النار" is one ally cue, not the attack cue أطلق
    assert classes("أعلن وقف إطلاق النار في غزة") == ["report", "ally"]
    assert classes("ما يسمى بالمقاومة") == ["pejorative"]


def test_light_stem_keeps_three_letters():
    assert light_stem("والقصف") == "قصف"
    assert light_stem("بالعقوبات") == "عقوب"
    assert light_stem("لم") == "لم"
    assert len(light_stem("وبها")) >= 3
    # no clitic prefix, no suffix, either one alone (the loops are skipped when none can match)
    assert light_stem("قصف") == "قصف" and light_stem("مقر") == "مقر"
    assert light_stem("قصفوا") == "قصف" and light_stem("الحرب") == "حرب" and light_stem("سيقصف") == "يقصف"
    assert light_stem("طهران") == "طهر" and light_stem("دمشق") == "دمشق"


def test_user_cue_file_extends_a_class(tmp_path):
    path = tmp_path / "cues.toml"
    path.write_text('[[cues]]\nclass = "attack"\nwords = ["دكّ"]\n', encoding="utf-8")
    cues = load_cues(str(path))
    assert cues.classify(normalize("دكّ")) == "attack"
    assert cues.classify(normalize("قصفت")) == "attack"  # the bundled words stay
    assert cues.source == str(path)


@pytest.mark.parametrize(
    "body, message",
    [
        ('[[cues]]\nclass = "Attack"\nwords = ["x"]\n', "cue entry 1: class must be a lower_snake name"),
        ('[[cues]]\nclass = "attack"\n', "cue entry 1 (attack): give words"),
        ('[[cues]]\nclass = "attack"\nwords = [1]\n', "cue entry 1 (attack): words must be a list"),
        ("cues = 3\n", "no [[cues]] tables"),
        ("[[cues]\n", "not valid TOML"),
    ],
)
def test_bad_cue_file_names_file_and_entry(tmp_path, body, message):
    path = tmp_path / "bad.toml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(CueError) as err:
        load_cues(str(path))
    assert str(path) in str(err.value) and message in str(err.value)


def test_clauses_cut_at_punctuation_and_openers():
    text = "قصفت إسرائيل مواقع في غزة، بينما أدانت تركيا الهجوم الذي وقع فجرا"
    parts = [text[s:e] for s, e in split_clauses(text)]
    assert parts[0] == "قصفت إسرائيل مواقع في غزة"
    assert any(p.startswith("، بينما أدانت تركيا") for p in parts)
    assert parts[-1].startswith("الذي")
    assert clause_ids(["ا", "،", "ب"]) == [0, 1, 1]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("قصفت إسرائيل، بينما الذي.!؟ \u0640\u064babc")), max_size=80))
def test_clause_spans_point_into_the_original(text):
    spans = split_clauses(text)
    last = 0
    for start, end in spans:
        assert 0 <= last <= start < end <= len(text)
        assert text[start:end].strip() == text[start:end]
        last = end
    joined = "".join(text[s:e] for s, e in spans)
    assert joined.replace(" ", "") == "".join(text.split()).replace(" ", "")


def test_structure_view_sees_which_actor_the_cue_points_at():
    f = TargetFeatures(min_df=1, structure=True)
    text = "قصفت الطائرات الإسرائيلية مواقع حماس، بينما أدانت تركيا الهجوم"
    hamas = f.analyze(Pair(text, "HAMAS"))["struct"]
    turkey = f.analyze(Pair(text, "TUR"))["struct"]
    assert "Q_attack|L" in hamas and "Q_condemn|R" in hamas
    assert "Q_condemn|L|same|clear|d1" in turkey  # أدانت directly before تركيا, same clause
    assert f.analyze(Pair(text, "HAMAS"), None)["struct"] != turkey
    assert TargetFeatures(structure=False).analyze(Pair(text, "HAMAS"))["struct"] == ["S_OFF"]


def test_stored_cue_records_rebuild_the_same_inventory(tmp_path):
    """What a model file stores (the classes as written) rebuilds the inventory it was trained with."""
    from stance.cues import cues_from_records

    user = tmp_path / "mine.toml"
    user.write_text('[[cues]]\nclass = "blame"\nwords = ["يلوم", "لوم"]\n\n'
                    '[[cues]]\nclass = "attack"\nwords = ["يقصف"]\n', encoding="utf-8")
    for original in (load_cues(), load_cues(str(user))):
        rebuilt = cues_from_records(json.loads(json.dumps(original.spec, ensure_ascii=False)), original.source)
        assert (rebuilt.forms, rebuilt.stems, rebuilt.phrases) == (original.forms, original.stems, original.phrases)
    mine = cues_from_records(load_cues(str(user)).spec, str(user))
    assert mine.classify(normalize("ويلومون")) == "blame" and mine.classify(normalize("يقصف")) == "attack"
    with pytest.raises(CueError, match="stored.*cue entry 1 .blame.: words must be"):
        cues_from_records({"blame": {"words": [""], "phrases": []}}, "stored")
    with pytest.raises(CueError, match="missing or empty"):
        cues_from_records(None, "stored")


def test_features_state_keeps_the_cues_and_old_states_fall_back_to_the_bundled_ones(tmp_path):
    user = tmp_path / "mine.toml"
    user.write_text('[[cues]]\nclass = "blame"\nwords = ["يلوم"]\n', encoding="utf-8")
    pairs = [Pair("قصفت إسرائيل غزة ويلوم الحشد الشعبي واشنطن", t) for t in ("ISR", "PAL", "PMF", "US")]
    f = TargetFeatures(cues_path=str(user), min_df=1)
    f.fit(pairs)
    settings, arrays, texts = f.export_state()
    assert settings["cues"]["classes"]["blame"]["words"] == ["يلوم"]
    user.unlink()  # the stored state needs the file no more
    restored = TargetFeatures(cues_path=str(user), min_df=1).restore_state(settings, arrays, texts, f.inventory_)
    assert restored._cues().classify(normalize("يلوم")) == "blame"
    assert (restored.transform(pairs) != f.transform(pairs)).nnz == 0
    old = {k: v for k, v in settings.items() if k != "cues"}  # a state written before the cues were stored
    bundled = TargetFeatures(min_df=1).restore_state(old, arrays, texts, f.inventory_)
    assert bundled._cues().forms == load_cues().forms
