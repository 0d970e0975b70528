"""Render the seed article's report and save a screenshot for the README (docs/seed_report.png).

    python docs/make_screenshot.py [--model PATH]

Needs Debian's chromium and chromium-driver, and selenium (the test extra).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Write docs/seed_report.html's screenshot to docs/seed_report.png."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    html = tmp / "seed_report.html"
    cmd = [sys.executable, "-m", "stance.cli", "report", str(ROOT / "seeds" / "000_87b51e7b310dad56.txt"),
           "-o", str(html), "--title", "stance report: seed article"]
    if args.model:
        cmd[4:4] = ["--model", args.model]
    subprocess.run(cmd, check=True)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.support.ui import Select
    from selenium.webdriver.common.by import By

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--window-size=1200,1500", f"--user-data-dir={tmp / 'profile'}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    try:
        driver.get(html.as_uri())
        Select(driver.find_element(By.CSS_SELECTOR, ".actor-select")).select_by_value("US")
        out = ROOT / "docs" / "seed_report.png"
        driver.save_screenshot(str(out))
        print(f"wrote {out}")
    finally:
        driver.quit()


if __name__ == "__main__":
    main()
