from hypothesis import given, settings
from hypothesis import strategies as st

from stance.normalize import normalize, normalize_with_offsets

ARABIC = st.text(
    alphabet=st.sampled_from(
        list("ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةىـًٌٍَُِّْٰ٠١٢٣ ﻷﻹﺍﻻ\u200f\u200b،؛؟.«»“”")
    ),
    max_size=60,
)


def test_alef_hamza_forms_unified():
    assert normalize("أإآٱا") == "ااااا"


def test_alef_maksura_and_teh_marbuta():
    assert normalize("مستشفى الحكومة") == "مستشفي الحكومه"


def test_diacritics_tatweel_and_invisible_removed():
    assert normalize("الأَمِيـــركيّة\u200f") == "الاميركيه"


def test_digits_and_punctuation_variants():
    assert normalize("٣٫٥ ۴ ، ؛ ؟ «قال»") == '3.5 4 , ; ? "قال"'


def test_persian_letters():
    assert normalize("ایران کردستان") == "ايران كردستان"


def test_ligature_expands_and_maps_back():
    text = "ﻷن الوضع"
    n = normalize_with_offsets(text)
    assert n.text.startswith("لان")
    assert n.to_original(0, 3) == (0, 2)
    assert text[slice(*n.to_original(0, 3))] == "ﻷن"


def test_deleted_characters_do_not_shift_offsets():
    text = "قالَ الأميركيّون"
    n = normalize_with_offsets(text)
    start = n.text.index("الاميركيون")
    s, e = n.to_original(start, start + len("الاميركيون"))
    assert text[s:e] == "الأميركيّون"


def test_identity_map_when_nothing_changes_length():
    n = normalize_with_offsets("قال الرئيس")
    assert n.index is None and n.to_original(0, 3) == (0, 3)


@given(st.text(max_size=80))
@settings(max_examples=300)
def test_idempotent_any_string(text):
    once = normalize(text)
    assert normalize(once) == once


@given(ARABIC)
@settings(max_examples=300)
def test_idempotent_arabic(text):
    once = normalize(text)
    assert normalize(once) == once


@given(st.one_of(st.text(max_size=80), ARABIC), st.data())
@settings(max_examples=300)
def test_offsets_point_into_original(text, data):
    n = normalize_with_offsets(text)
    assert n.text == normalize(text)
    if n.text:
        i = data.draw(st.integers(0, len(n.text) - 1))
        j = data.draw(st.integers(i + 1, len(n.text)))
        s, e = n.to_original(i, j)
        assert 0 <= s < e <= len(text)
        # the original span normalizes to a string containing the normalized span
        assert n.text[i:j] in normalize(text[s:e])


def test_clean_markup_keeps_length_and_offsets():
    from stance.normalize import clean_markup

    text = '<div class="x"><p>قصفت &quot;واشنطن&quot; مواقع الحشد الشعبي</p><br/>&amp; <script>x</script></div>'
    clean = clean_markup(text)
    assert len(clean) == len(text)
    assert "<" not in clean and "&quot;" not in clean and "&amp;" not in clean
    assert clean.count('"') == 2 and "&" in clean and "\n" in clean
    assert clean.index("واشنطن") == text.index("واشنطن")


@given(st.text(alphabet=st.sampled_from(list("<>&;#/pbrdiv ابت amp quot x1")), max_size=60))
@settings(max_examples=300)
def test_clean_markup_never_changes_length(text):
    from stance.normalize import clean_markup

    assert len(clean_markup(text)) == len(text)


def test_shipped_char_table_equals_camel_tools():
    """data/normalize_chars.json is camel-tools' output; rerun training/char_table.py when this fails."""
    import json
    from importlib import resources

    from stance.normalize import char_table

    shipped = json.loads(resources.files("stance").joinpath("data/normalize_chars.json").read_text(encoding="utf-8"))
    assert shipped == char_table()


def test_shipped_char_table_covers_the_bundled_labels():
    """Every character of the labeled articles (Hebrew, emoji, arrows...) is in the shipped table, so scoring
    them never imports camel-tools (~0.7 s); widen TABLE_RANGES when this fails."""
    from pathlib import Path

    from stance.normalize import TABLE_RANGES

    root = Path(__file__).resolve().parents[1] / "labels"
    chars = set()
    for path in root.rglob("*.jsonl"):
        chars |= set(path.read_text(encoding="utf-8"))
    missing = sorted(hex(ord(c)) for c in chars if not any(lo <= ord(c) <= hi for lo, hi in TABLE_RANGES))
    assert len(chars) > 100 and not missing


def test_normalizing_common_text_does_not_import_camel_tools():
    import subprocess
    import sys

    code = ("import sys; from stance.normalize import normalize_with_offsets as n; "
            "assert n('أعلنت \u201cالمقاومة\u201d الأميركيّة، ﻷن 123').text; "
            "print('camel_tools' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_regular_text_check_equals_the_set_check():
    """``_regular`` (one regex scan) says what ``_IRREGULAR.isdisjoint`` says, as the set grows."""
    import importlib

    n = importlib.import_module("stance.normalize")
    texts = ["قالت أمريكا", "الأَميركية", "ﻷ", "حـزب", "a]b\\c^-", "", "نص\u200bخفي", "عادي تماما"]
    for text in texts:
        n.normalize_with_offsets(text)
        for other in texts:
            assert n._regular(other) == n._IRREGULAR.isdisjoint(other)
    assert not n._regular("الأَميركية") and n._regular("عادي تماما")
