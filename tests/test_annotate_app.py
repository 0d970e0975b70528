"""The labeling app: headless Chromium labels, reloads and resumes; a killed server loses no saved decision."""

import json
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from stance.annotate.app import Batch, make_server
from stance.labels import read_labels
from test_report import browser, severe_logs  # noqa: F401 (the shared headless Chromium fixture)

SENTENCES = [
    ("قصفت طائرات أميركية مواقع للحشد الشعبي قرب القائم.", ["US", "PMF"]),
    ("ندد الحشد الشعبي بالعدوان الأميركي ووصفه بالانتهاك الصارخ.", ["PMF", "US"]),
    ("قال المتحدث باسم الحكومة العراقية إن الاجتماع عقد في بغداد.", ["IRQ_GOV"]),
]


def _batch(tmp_path):
    path = tmp_path / "batch.jsonl"
    rows = []
    for i, (text, actors) in enumerate(SENTENCES):
        rows.append({"article": f"a{i}", "line": 0, "text": text, "kind": "user", "outlet": "test", "sentiment": None,
                     "suggested": {"sentiment": "negative", "p": 0.6},
                     "targets": [{"actor": a, "stance": None, "suggested": {"stance": "none", "p": 0.5}}
                                 for a in actors]})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def server(tmp_path):
    path = _batch(tmp_path)
    srv, batch = make_server(path, port=0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/", path
    srv.shutdown()
    srv.server_close()


def _records(path):
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def _wait(driver, condition, timeout=10):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(lambda d: condition(d))


def _keys(driver, keys, path, decisions):
    """Type keys one at a time, waiting for each to be saved (the file changes) and drawn (the page
    counts the answers it has applied in ``body[data-applied]``: the file is written before the page
    draws the next question, so reading the page after the file alone is a race)."""
    from selenium.webdriver.common.by import By

    body = driver.find_element(By.TAG_NAME, "body")
    for key in keys:
        before = path.read_text(encoding="utf-8")
        applied = body.get_attribute("data-applied")
        body.send_keys(key)
        _wait(driver, lambda d: path.read_text(encoding="utf-8") != before)
        _wait(driver, lambda d: body.get_attribute("data-applied") != applied)
        decisions.append(key)


def _question(driver):
    from selenium.webdriver.common.by import By

    q = driver.find_element(By.ID, "question")
    return q.get_attribute("data-step"), q.text, driver.find_element(By.ID, "sentence").get_attribute("data-index")


def test_label_reload_resume_in_chromium(browser, server):  # noqa: F811
    from selenium.webdriver.common.by import By

    url, path = server
    browser.get(url)
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    assert severe_logs(browser) == []
    # RTL text, the target mention highlighted, the other actor marked
    sentence = browser.find_element(By.ID, "sentence")
    assert sentence.get_attribute("dir") == "rtl"
    assert browser.find_element(By.CSS_SELECTOR, ".mention.target").get_attribute("data-actor") == "US"
    assert browser.find_element(By.CSS_SELECTOR, ".mention:not(.target)").get_attribute("data-actor") == "PMF"
    assert "against" in browser.find_element(By.TAG_NAME, "aside").text  # the rules are on screen
    assert _question(browser)[0] == "stance"
    done: list = []
    # sentence 0: US none; PMF against, held by US (holder key 1); sentiment negative (1)
    _keys(browser, ["n", "a"], path, done)
    assert _question(browser)[0] == "holder"
    _keys(browser, ["1", "1"], path, done)
    rec = _records(path)[0]
    assert [(t["actor"], t["stance"], t.get("source")) for t in rec["targets"]] == [
        ("US", "none", None), ("PMF", "against", "US")]
    assert rec["sentiment"] == "negative"
    assert browser.find_element(By.ID, "progress").get_attribute("data-done") == "1"
    # sentence 1: PMF favor, then undo (u) and none instead
    assert _question(browser)[2] == "1"
    _keys(browser, ["f"], path, done)
    assert _records(path)[1]["targets"][0]["stance"] == "favor"
    _keys(browser, ["u"], path, done)
    assert _records(path)[1]["targets"][0]["stance"] is None
    _keys(browser, ["n"], path, done)
    # reload: the page resumes at sentence 1, actor US
    browser.refresh()
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready") == "1")
    step, text, index = _question(browser)
    assert (step, index) == ("stance", "1") and "US" in text
    assert browser.find_element(By.ID, "progress").text.startswith("1 / 3 sentences")
    # finish the batch with the buttons and keys; the file holds every decision
    _keys(browser, ["a", "0", "2"], path, done)
    assert _question(browser)[0] == "stance" and _question(browser)[2] == "2"
    browser.find_element(By.CSS_SELECTOR, "#prompt button[data-key='f']").click()
    _wait(browser, lambda d: _records(path)[2]["targets"][0]["stance"] == "favor")
    _keys(browser, ["3"], path, done)
    _wait(browser, lambda d: d.find_element(By.ID, "done").is_displayed())
    recs = _records(path)
    assert [t["stance"] for r in recs for t in r["targets"]] == ["none", "against", "none", "against", "favor"]
    assert recs[1]["targets"][1]["source"] == "author" and recs[2]["targets"][0]["source"] == "author"
    assert [r["sentiment"] for r in recs] == ["negative", "neutral", "positive"]
    lines = list(read_labels(path))
    assert not any(ln.pending for ln in lines)
    assert severe_logs(browser) == []


def test_page_fetches_nothing_from_the_network(server):
    url, _ = server
    page = urllib.request.urlopen(url).read().decode("utf-8")
    assert "http://" not in page and "https://" not in page


def _post(url, op):
    req = urllib.request.Request(url + "api/op", data=json.dumps(op).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req, timeout=10).read())


def test_killed_server_loses_no_saved_decision(tmp_path):
    path = _batch(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "stance.cli", "annotate", "label", str(path), "--port", "0",
                             "--no-open"], stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        url = line[line.index("http://"):].split()[0]
        _post(url, {"op": "stance", "index": 0, "actor": "US", "stance": "against"})
        _post(url, {"op": "source", "index": 0, "actor": "US", "source": "author"})
        _post(url, {"op": "stance", "index": 0, "actor": "PMF", "stance": "none"})
        answer = _post(url, {"op": "sentiment", "index": 0, "sentiment": "negative"})
        assert answer["progress"]["done"] == 1 and answer["progress"]["cursor"] == 1
        last = _post(url, {"op": "stance", "index": 1, "actor": "PMF", "stance": "favor"})
        assert last["progress"]["pairs_done"] == 3
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    recs = _records(path)  # every answered decision is on disk, the file is whole
    assert [(t["actor"], t["stance"], t.get("source")) for t in recs[0]["targets"]] == [
        ("US", "against", "author"), ("PMF", "none", None)]
    assert recs[0]["sentiment"] == "negative" and recs[1]["targets"][0]["stance"] == "favor"
    assert not list(tmp_path.glob(".batch.jsonl.*"))  # no temp file left behind
    resumed = Batch(path).progress()
    assert resumed["done"] == 1 and resumed["cursor"] == 1 and resumed["pairs_done"] == 3


def test_bad_requests_are_refused_without_touching_the_file(server):
    url, path = server
    before = path.read_bytes()
    for op in [{"op": "stance", "index": 99, "actor": "US", "stance": "none"},
               {"op": "stance", "index": 0, "actor": "ISR", "stance": "none"},
               {"op": "stance", "index": 0, "actor": "US", "stance": "maybe"},
               {"op": "undo"}]:
        with pytest.raises(urllib.error.HTTPError) as err:
            _post(url, op)
        assert err.value.code == 400
    req = urllib.request.Request(url + "api/state", headers={"Host": "attacker.example"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req)
    assert err.value.code == 403
    assert path.read_bytes() == before


def test_not_this_actor_moves_it_to_not_mentions(tmp_path):
    batch = Batch(_batch(tmp_path))
    batch.apply({"op": "stance", "index": 2, "actor": "IRQ_GOV", "stance": "not_mention"})
    rec = _records(batch.path)[2]
    assert rec["targets"] == [] and rec["not_mentions"] == ["IRQ_GOV"]
    batch.apply({"op": "undo"})
    assert _records(batch.path)[2]["targets"][0]["actor"] == "IRQ_GOV"


def test_an_invalid_batch_names_file_and_line(tmp_path):
    from stance.annotate.app import BatchError

    path = _batch(tmp_path)
    path.write_text(path.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(BatchError, match=f"{path}:4"):
        Batch(path)
