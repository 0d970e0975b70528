"""Every code block of the README runs as written, and the outputs it shows are real.

* Each ```python block runs in a fresh interpreter from the checkout's root; a block followed by
  ``<!-- output of the block above -->`` and a ```text block must print exactly that text.
* Each ``stance …`` line of the ```sh blocks runs in a workspace made from the seed files (the names
  the examples use: article.txt, news.jsonl, labels/, archive/, my.model, …), and must exit 0; the
  few lines that need a remote cluster, a person at the browser or minutes of training are listed in
  SKIPPED with the reason, and what a person does between two lines is in BEFORE.
* The output shown under "Real output on the seed article" and under ``stance mentions`` is what the
  commands print.

The python blocks and the shown predict output use the default model (built once, then cached).
After a change of the labels or the model, refresh the shown outputs with
``python tests/test_readme.py --update``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SEED = ROOT / "seeds" / "000_87b51e7b310dad56.txt"
GOLD = ROOT / "seeds" / "000_87b51e7b310dad56.gold.jsonl"
DATA = Path(__file__).resolve().parent / "data"
OUTPUT_MARK = "<!-- output of the block above -->"

SKIPPED = {
    "stance train -o model.model": "trains on the whole bundled corpus with a grid search (minutes); "
                                   "the same code runs with --data below",
    "stance predict --engine dask --scheduler tcp://10.0.0.5:8786 s3://bucket/news/ -o s3://bucket/scored/":
        "needs a remote scheduler and bucket",
    "stance annotate label batch.jsonl": "starts the local labeling app and waits for a person "
                                         "(tests/test_annotate_app.py drives it in Chromium)",
    "stance train --add batch.jsonl -o my.model": "trains on the whole bundled corpus plus the batch (minutes); "
                                                  "tests/test_train_add.py covers --add",
}

# what a person does between two README lines, done before the line runs
BEFORE = {
    # my_test.jsonl was just selected (undecided); the person labels it in the app before evaluating
    "stance evaluate --data my_test.jsonl --model my.model --compare default":
        lambda ws: shutil.copy(GOLD, ws / "my_test.jsonl"),
}


def blocks(text: str) -> list[tuple[str, str, int]]:
    """(language, body, end offset) of every fenced block."""
    return [(m.group(1), m.group(2), m.end()) for m in re.finditer(r"```(\w*)\n(.*?)```", text, re.S)]


def python_blocks(text: str) -> list[tuple[str, str | None]]:
    """Python blocks with the output shown after them (or None)."""
    out = []
    for lang, body, end in blocks(text):
        if lang != "python":
            continue
        rest = text[end:].lstrip("\n")
        shown = None
        if rest.startswith(OUTPUT_MARK):
            m = re.match(r"```text\n(.*?)```", rest[len(OUTPUT_MARK):].lstrip("\n"), re.S)
            shown = m.group(1) if m else None
        out.append((body, shown))
    return out


def stance_lines(text: str) -> list[str]:
    """The command lines of the sh blocks that run stance (continuations joined, comments dropped)."""
    lines = []
    for lang, body, _ in blocks(text):
        if lang != "sh":
            continue
        for line in body.replace("\\\n", " ").splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if re.search(r"(^|\|\s*)stance\s", line) and "pip install" not in line and "venv" not in line:
                lines.append(re.sub(r"\s+", " ", line))
    return lines


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))


@pytest.fixture(scope="module")
def default_model() -> None:
    """Build (or load) the default model once, as the README's first use does."""
    from stance.cache import load_model

    load_model(quiet=True)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory, model_path) -> Path:
    """A folder with the files the README's examples name, made from the seed article and its labels."""
    base = tmp_path_factory.mktemp("readme")
    ws = base / "work"
    (base / "shared" / "realnews").mkdir(parents=True)  # --pool ../shared/realnews (no pool files: nothing to check)
    shutil.copytree(ROOT / "seeds", ws / "seeds")
    text = SEED.read_text(encoding="utf-8")
    lines = text.splitlines()
    (ws / "article.txt").write_text(text, encoding="utf-8")
    rows = [{"id": f"a{i}", "outlet": ["Al Jazeera", "Alhurra"][i % 2], "date": f"2024-0{1 + i % 2}-1{i}",
             "text": "\n".join(lines[i:i + 4])} for i in range(6)]
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    for name in ("news.jsonl", "corpus.jsonl"):
        (ws / name).write_text(jsonl, encoding="utf-8")
    for folder in ("shards", "archive"):
        (ws / folder).mkdir()
        (ws / folder / "part0.jsonl").write_text(jsonl, encoding="utf-8")
    import csv

    with open(ws / "export.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["url", "body", "outlet"])
        w.writeheader()
        for r in rows:
            w.writerow({"url": r["id"], "body": r["text"], "outlet": r["outlet"]})
    gold = GOLD.read_text(encoding="utf-8").splitlines(keepends=True)
    for split, part in (("train", gold[:8]), ("dev", gold[8:12]), ("test", gold[12:])):  # no line in two splits
        (ws / "labels" / split).mkdir(parents=True)
        (ws / "labels" / split / "seed.jsonl").write_text("".join(part), encoding="utf-8")
    shutil.copytree(ws / "labels", ws / "my_labels")
    shutil.copy(GOLD, ws / "my_labels.jsonl")
    for name in ("mawqif_train.csv", "mawqif_dev.csv"):
        shutil.copy(DATA / "mawqif_like.csv", ws / name)
    shutil.copy(DATA / "actors.toml", ws / "my_actors.toml")
    shutil.copy(ROOT / "training" / "cues_present_tense_stance.toml", ws / "my_cues.toml")
    for name in ("model.model", "my.model", "mawqif.model"):
        shutil.copy(model_path, ws / name)
    return ws


def test_readme_python_blocks_run_and_print_what_is_shown(default_model):
    found = python_blocks(README.read_text(encoding="utf-8"))
    assert found, "no python block in the README"
    for code, shown in found:
        done = run_python(code, _python_cwd(code))
        assert done.returncode == 0, f"README block failed:\n{code}\n{done.stderr}"
        if shown is not None:
            assert done.stdout == shown, f"README shows:\n{shown}\nthe block prints:\n{done.stdout}"


def _python_cwd(code: str) -> Path:
    """The checkout root (the blocks read seeds/ from there); the Dask block writes into a temp folder."""
    if "to_parquet" in code:
        import tempfile

        cwd = Path(tempfile.mkdtemp())
        shutil.copytree(ROOT / "seeds", cwd / "seeds")
        return cwd
    return ROOT


def test_every_readme_stance_line_runs(workspace):
    lines = stance_lines(README.read_text(encoding="utf-8"))
    assert len(lines) > 20
    stance_bin = str(Path(sys.executable).parent)
    env = dict(os.environ, PATH=stance_bin + os.pathsep + os.environ.get("PATH", ""), PYTHONPATH=str(ROOT))
    failed = []
    for line in lines:
        if line in SKIPPED:
            continue
        if line in BEFORE:
            BEFORE[line](workspace)
        done = subprocess.run(["bash", "-c", line], cwd=workspace, capture_output=True, text=True, timeout=600,
                              env=env, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            failed.append(f"{line}\n  exit {done.returncode}: {done.stderr.strip()[-500:]}")
    assert not failed, "README lines that fail:\n" + "\n".join(failed)


def test_skipped_lines_are_still_in_the_readme():
    lines = stance_lines(README.read_text(encoding="utf-8"))
    for line in [*SKIPPED, *BEFORE]:
        assert line in lines, f"SKIPPED or BEFORE names a line the README no longer has: {line}"


def shown_after(text: str, heading: str) -> str:
    """The first ``` block after ``heading``."""
    at = text.index(heading)
    m = re.search(r"```\w*\n(.*?)```", text[at:], re.S)
    return m.group(1)


def test_shown_mentions_output_is_real():
    shown = shown_after(README.read_text(encoding="utf-8"), "Output of the first command (start of it)")
    done = subprocess.run([sys.executable, "-m", "stance.cli", "mentions", str(SEED.relative_to(ROOT))], cwd=ROOT,
                          capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0 and done.stdout.startswith(shown)


def seed_table() -> str:
    done = subprocess.run([sys.executable, "-m", "stance.cli", "predict", "--format", "text",
                           str(SEED.relative_to(ROOT))], cwd=ROOT, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr
    return done.stdout.rstrip("\n") + "\n"


def test_shown_seed_table_is_real(default_model):
    shown = shown_after(README.read_text(encoding="utf-8"), "Real output on the seed article")
    assert seed_table() == shown


def update() -> None:
    """Rewrite the README's shown outputs from what the commands print now."""
    text = README.read_text(encoding="utf-8")
    shown = shown_after(text, "Real output on the seed article")
    text = text.replace(shown, seed_table(), 1)
    parts = []
    for code, before in python_blocks(text):
        if before is not None:
            done = run_python(code, _python_cwd(code))
            assert done.returncode == 0, done.stderr
            parts.append((before, done.stdout))
    for before, after in parts:
        text = text.replace(f"{OUTPUT_MARK}\n```text\n{before}```", f"{OUTPUT_MARK}\n```text\n{after}```", 1)
    README.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if "--update" in sys.argv:
        update()
