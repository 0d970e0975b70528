"""The HTML report, opened in a real headless Chromium (Debian's chromium + chromedriver)."""

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from stance.cli import cli

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_87b51e7b310dad56.txt"
ARTIFACTS = Path(os.environ.get("STANCE_ARTIFACTS", ROOT / "tests" / "artifacts"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        pytest.fail("the report tests need Debian's chromium and chromium-driver: "
                    "sudo apt-get install -y chromium chromium-driver (see README)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1600",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    yield driver
    driver.quit()


def make_report(model_path, tmp_path, *inputs, extra=()):
    out = tmp_path / "report.html"
    r = CliRunner().invoke(cli, ["report", "--model", model_path, "-o", str(out), *extra, *map(str, inputs)])
    assert r.exit_code == 0, r.output
    return out


def severe_logs(driver):
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_seed_article_report(browser, model_path, tmp_path):
    out = make_report(model_path, tmp_path, SEED)
    html = out.read_text(encoding="utf-8")
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html  # nothing fetched
    browser.get(out.as_uri())
    assert severe_logs(browser) == []
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    profile = json.loads(CliRunner().invoke(cli, ["predict", "--model", model_path, "--format", "jsonl",
                                                  str(SEED)]).stdout)
    rows = browser.find_elements(By.CSS_SELECTOR, "section.article table.summary tbody tr")
    shown = {r.get_attribute("data-actor"): r for r in rows}
    assert set(shown) == {a["actor"] for a in profile["actors"]}
    for a in profile["actors"]:
        row = shown[a["actor"]]
        assert row.find_element(By.CSS_SELECTOR, ".label").text == a["label"]
        assert float(row.find_element(By.CSS_SELECTOR, ".score").text) == pytest.approx(a["score"], abs=0.006)
        assert int(row.find_element(By.CSS_SELECTOR, ".against").text) == a["counts"]["against"]
        assert int(row.find_element(By.CSS_SELECTOR, ".mentions").text) == a["mentions"]
    us_mentions = browser.find_elements(By.CSS_SELECTOR, ".mention[data-actor='US']")
    assert len(us_mentions) >= 12
    text = SEED.read_text(encoding="utf-8")
    assert browser.find_element(By.CSS_SELECTOR, "section.article .text").text.split() == text.split()
    sentences = browser.find_elements(By.CSS_SELECTOR, ".sentence")
    select = Select(browser.find_element(By.CSS_SELECTOR, ".actor-select"))
    select.select_by_value("US")
    us_colors = [s.value_of_css_property("background-color") for s in sentences]
    select.select_by_value("PAL")
    pal_colors = [s.value_of_css_property("background-color") for s in sentences]
    assert us_colors != pal_colors
    shaded = [c for c in us_colors if c not in ("rgba(0, 0, 0, 0)", "transparent")]
    assert len(shaded) == 12  # the US is mentioned in 12 of the 16 sentences
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(browser).move_to_element(sentences[0]).perform()  # hover shows the tooltip
    tooltip = browser.find_element(By.ID, "tooltip")
    assert tooltip.is_displayed() and "favor" in tooltip.text
    select.select_by_value("US")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert browser.save_screenshot(str(ARTIFACTS / "seed_report.png"))


def test_corpus_report_has_one_heatmap_row_per_outlet(browser, model_path, tmp_path):
    text = SEED.read_text(encoding="utf-8").splitlines()
    corpus = tmp_path / "c.jsonl"
    outlets = ["Al Jazeera", "Alhurra", "Al Mayadeen"]
    corpus.write_text("".join(json.dumps({"id": f"a{i}", "outlet": outlets[i % 3], "date": f"2024-0{1 + i % 4}-01",
                                          "text": "\n".join(text[i:i + 5])}, ensure_ascii=False) + "\n"
                              for i in range(10)), encoding="utf-8")
    out = make_report(model_path, tmp_path, corpus, extra=["--group-by", "outlet"])
    browser.get(out.as_uri())
    assert severe_logs(browser) == []
    from selenium.webdriver.common.by import By

    groups = {r.get_attribute("data-group") for r in browser.find_elements(By.CSS_SELECTOR, "#group-table tbody tr")}
    assert groups == set(outlets)
    heatmap = browser.find_element(By.CSS_SELECTOR, "#heatmap svg")
    rows = [t.text for t in heatmap.find_elements(By.CSS_SELECTOR, "text") if t.text in outlets]
    assert sorted(rows) == sorted(outlets)  # one heatmap row label per outlet
    assert browser.find_elements(By.CSS_SELECTOR, "#timeseries svg")
    links = browser.find_elements(By.CSS_SELECTOR, "table.extremes a")
    assert links and all(l.get_attribute("href").split("#")[1].startswith("article-") for l in links)
    browser.save_screenshot(str(ARTIFACTS / "corpus_report.png"))


def test_markup_in_articles_is_text_not_code(browser, model_path, tmp_path):
    f = tmp_path / "evil.jsonl"
    evil = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned=2"> قصفت واشنطن مواقع الحشد الشعبي.'
    f.write_text(json.dumps({"id": "<b>evil</b>", "outlet": "<i>x</i>", "text": evil}, ensure_ascii=False) + "\n",
                 encoding="utf-8")
    out = make_report(model_path, tmp_path, f)
    browser.get(out.as_uri())
    from selenium.webdriver.common.by import By

    assert browser.execute_script("return window.__pwned === undefined")
    assert "<b>evil</b>" in browser.find_element(By.CSS_SELECTOR, "section.article h2").text
    assert "<script>" in browser.find_element(By.CSS_SELECTOR, "section.article .text").text


def test_holder_matrix_and_network_in_the_article_and_corpus_views(browser, holder_model_path, model_path, tmp_path):
    """Issue 17: holder x target matrix (colour = mean score, number = count, cells link to evidence) and network."""
    from selenium.webdriver.common.by import By

    out = make_report(holder_model_path, tmp_path, SEED)
    browser.get(out.as_uri())
    assert severe_logs(browser) == []
    profile = json.loads(CliRunner().invoke(cli, ["predict", "--model", holder_model_path, "--format", "jsonl",
                                                  str(SEED)]).stdout)
    cells = browser.find_elements(By.CSS_SELECTOR, "section.article table.edge-matrix td.cell")
    shown = {(c.get_attribute("data-holder"), c.get_attribute("data-target")): c for c in cells}
    assert set(shown) == {(e["holder"], e["target"]) for e in profile["edges"]}
    for e in profile["edges"]:
        cell = shown[(e["holder"], e["target"])]
        assert int(cell.text) == e["count"] and float(cell.get_attribute("data-score")) == pytest.approx(e["score"])
        red, green = [int(x) for x in cell.value_of_css_property("background-color")[5:-1].split(",")[:2]]
        if abs(e["score"]) > 0.05:
            assert (red > green) == (e["score"] < 0)  # colour follows the mean score
    svg = browser.find_element(By.CSS_SELECTOR, "section.article .network-svg svg")
    labels = " ".join(t.get_attribute("textContent") for t in svg.find_elements(By.CSS_SELECTOR, "text"))
    assert "IRQ_GOV" in labels and "الحكومة العراقية" in labels and "الكاتب" in labels  # Arabic kept in order
    edge = next(e for e in profile["edges"] if (e["holder"], e["target"]) == ("IRQ_GOV", "US"))
    first = edge["evidence"][0]
    browser.execute_script("window.scrollTo(0, 0)")
    link = shown[("IRQ_GOV", "US")].find_element(By.CSS_SELECTOR, "a.edge-link")
    link.click()
    assert browser.execute_script("return location.hash") == f"#article-0-s{first['sentence']}"
    target = browser.find_element(By.ID, f"article-0-s{first['sentence']}")
    top = browser.execute_script("return arguments[0].getBoundingClientRect().top", target)
    assert 0 <= top < browser.execute_script("return window.innerHeight")  # scrolled into view
    assert browser.execute_script("return window.scrollY") > 0
    assert target.text.split() == first["text"].split()
    hits = browser.find_elements(By.CSS_SELECTOR, ".sentence.evidence-hit")
    assert sorted(int(h.get_attribute("data-sentence")) for h in hits) == [v["sentence"] for v in edge["evidence"]]
    assert severe_logs(browser) == []
    browser.save_screenshot(str(ARTIFACTS / "seed_network.png"))

    text = SEED.read_text(encoding="utf-8").splitlines()
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(json.dumps({"id": f"a{i}", "outlet": "AB"[i % 2], "text": "\n".join(text[i * 4:i * 4 + 6])},
                                         ensure_ascii=False) + "\n" for i in range(4)), encoding="utf-8")
    out = make_report(holder_model_path, tmp_path, corpus, extra=["--group-by", "outlet"])
    browser.get(out.as_uri())
    assert severe_logs(browser) == []
    cells = browser.find_elements(By.CSS_SELECTOR, "#corpus table.edge-matrix td.cell a.edge-link")
    assert cells and browser.find_elements(By.CSS_SELECTOR, "#corpus .network-svg svg")
    for a in cells:
        ids = a.get_attribute("data-sentences").split()
        assert a.get_attribute("href").endswith("#" + ids[0]) and ids[0].startswith("article-")
        assert all(browser.find_elements(By.ID, i) for i in ids)
    cells[0].click()
    assert browser.find_elements(By.CSS_SELECTOR, ".sentence.evidence-hit")

    out = make_report(model_path, tmp_path, SEED)  # a model without a holder head says so
    browser.get(out.as_uri())
    assert "no holder head" in browser.find_element(By.CSS_SELECTOR, "section.article .network-note").text
    assert not browser.find_elements(By.CSS_SELECTOR, "table.edge-matrix")
