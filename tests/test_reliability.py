"""Bad inputs through the real CLI: clear messages, no traceback, nothing good lost."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stance.cli import cli
from stance.io import RecordError, read_articles
from stance.model import StanceModel

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_87b51e7b310dad56.txt"


def predict(model_path, *args, input=None):
    return CliRunner().invoke(cli, ["predict", "--model", model_path, "--format", "jsonl", *map(str, args)],
                              input=input)


WEIRD = {
    "bom_crlf": "\ufeffقصفت واشنطن مواقع الحشد الشعبي.\r\nوأدان الحشد الشعبي القصف.\r\n",
    "nul_bytes": "قصفت واشنطن\x00 مواقع الحشد الشعبي.\x00",
    "html": "<html><body><p>قصفت &quot;واشنطن&quot; مواقع الحشد الشعبي.</p><script>alert(1)</script></body></html>",
    "zero_width_bidi": "قصفت\u200f واش\u200bنطن\u202b مواقع الحشد\u200d الشعبي.",
    "presentation_forms": "ﻗﺼﻔﺖ ﻭاﺷﻨﻄﻦ ﻣﻮاﻗﻊ اﻟﺤﺸﺪ اﻟﺸﻌﺒﻲ.",
    "latin_only": "The United States struck PMF positions.",
    "emoji": "🚀🔥 قصفت واشنطن 💥 مواقع الحشد الشعبي 😡.",
    "empty": "",
    "whitespace": " \n\t \n",
    "one_mb_line": "قال المسؤول إن واشنطن والحشد الشعبي في حوار، " * 25000,
}


@pytest.mark.parametrize("name", sorted(WEIRD))
def test_weird_text_files_never_crash(model_path, tmp_path, name):
    f = tmp_path / f"{name}.txt"
    f.write_bytes(WEIRD[name].encode("utf-8"))
    r = predict(model_path, f)
    assert r.exit_code == 0, r.output
    assert "Traceback" not in r.output
    [profile] = [json.loads(x) for x in r.stdout.splitlines()]
    text = WEIRD[name].lstrip("\ufeff")
    for a in profile["actors"]:
        for e in a["evidence"]:
            assert text[e["start"]:e["end"]] == e["text"]
    if name in ("latin_only", "empty", "whitespace"):
        assert profile["actors"] == [] and "warning" in r.stderr
    if name in ("bom_crlf", "html", "zero_width_bidi", "presentation_forms", "emoji", "nul_bytes"):
        assert {a["actor"] for a in profile["actors"]} >= {"US", "PMF"}


def test_invalid_utf8_text_file(model_path, tmp_path):
    f = tmp_path / "cp1256.txt"
    f.write_bytes("قصفت واشنطن".encode("cp1256"))
    r = predict(model_path, f)
    assert r.exit_code == 1 and f"{f}: invalid utf-8 at byte 0" in r.stderr and "--errors replace" in r.stderr
    assert "0 ok, 1 failed" in r.stderr
    r = predict(model_path, "--encoding", "cp1256", f)
    assert r.exit_code == 0 and json.loads(r.stdout)["actors"][0]["actor"] == "US"
    r = predict(model_path, "--errors", "replace", f)
    assert r.exit_code == 0


def test_invalid_utf8_line_in_jsonl_loses_only_that_line(model_path, tmp_path):
    f = tmp_path / "x.jsonl"
    good = [json.dumps({"id": str(i), "text": "قصفت واشنطن مواقع الحشد الشعبي."}, ensure_ascii=False).encode()
            for i in range(5)]
    good[2] = b'{"id": "2", "text": "\xff\xfe"}'
    f.write_bytes(b"\n".join(good) + b"\n")
    r = predict(model_path, f)
    assert r.exit_code == 1 and f"{f}:3: invalid utf-8" in r.stderr
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == ["0", "1", "3", "4"]


def test_csv_missing_text_column_and_short_rows(model_path, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("id,body\n1,قصفت واشنطن\n", encoding="utf-8")
    r = predict(model_path, f)
    assert r.exit_code == 1 and f"{f}:1: no column 'text' (columns: id, body); name it with --text-col" in r.stderr
    f.write_text("id,text\n1,قصفت واشنطن مواقع الحشد\n2\n3,أدان الحشد الشعبي القصف\n", encoding="utf-8")
    r = predict(model_path, f)
    assert r.exit_code == 1 and f"{f}:3: row has no 'text' value" in r.stderr
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == ["1", "3"]


def test_missing_input_file(model_path):
    r = predict(model_path, "/no/such/file.txt")
    assert r.exit_code == 1 and "/no/such/file.txt: cannot open" in r.stderr


def test_missing_model_file_says_how_to_build(tmp_path):
    r = CliRunner().invoke(cli, ["predict", "--model", str(tmp_path / "none.model"), str(SEED)])
    assert r.exit_code == 1 and "stance train -o" in r.output


# -- property: random corruption loses exactly the corrupted records ---------------------------------

LINES = [json.dumps({"id": f"a{i}", "text": f"قصفت واشنطن مواقع الحشد الشعبي رقم {i}."}, ensure_ascii=False)
         for i in range(30)]


@given(st.sets(st.integers(0, 29), max_size=10), st.sampled_from(["truncate", "garbage", "binary", "notobject"]))
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_jsonl_corruption_loses_exactly_the_corrupted_records(tmp_path, bad, how):
    lines = [x.encode() for x in LINES]
    for i in bad:
        lines[i] = {"truncate": lines[i][: len(lines[i]) // 2], "garbage": b"{{not json",
                    "binary": b'{"id": "x", "text": "\xc3\x28"}', "notobject": b"[1, 2]"}[how]
    f = tmp_path / "c.jsonl"
    f.write_bytes(b"\n".join(lines) + b"\n")
    out = list(read_articles([str(f)]))
    errors = [r for r in out if isinstance(r, RecordError)]
    ok = [r for r in out if not isinstance(r, RecordError)]
    assert sorted(e.line - 1 for e in errors) == sorted(bad)
    assert [a.id for a in ok] == [f"a{i}" for i in range(30) if i not in bad]


# -- fault injection: interrupted writers -----------------------------------------------------------

def _default_sigint() -> None:
    # as on a terminal: a job started in the background of a non-interactive shell inherits SIGINT
    # ignored, and Python then never raises KeyboardInterrupt (the tests may run in such a job)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _spawn(args, cwd):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, "-m", "stance.cli", *args], cwd=cwd, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=_default_sigint)


@pytest.mark.parametrize("sig,jobs", [(signal.SIGINT, 1), (signal.SIGTERM, 1), (signal.SIGKILL, 1),
                                      (signal.SIGTERM, 2)])
def test_interrupted_predict_leaves_old_file_or_complete_prefix(model_path, tmp_path, sig, jobs):
    """Signalled while it is writing (its .part file has grown past 20 KB, and it is still running):
    Ctrl-C and SIGTERM leave a non-empty prefix of complete records in order, exit 130 and no .part
    file, also with worker processes; SIGKILL leaves the previous file untouched."""
    text = SEED.read_text(encoding="utf-8")
    corpus = tmp_path / "big.jsonl"
    corpus.write_text("".join(json.dumps({"id": str(i), "text": text}, ensure_ascii=False) + "\n"
                              for i in range(3000)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("OLD\n", encoding="utf-8")
    proc = _spawn(["predict", "--model", model_path, "--format", "jsonl", "--chunk-size", "8", "--jobs", str(jobs),
                   "-o", str(out), str(corpus)], tmp_path)
    deadline = time.monotonic() + 120
    writing = False
    while proc.poll() is None and time.monotonic() < deadline:
        parts = list(tmp_path.glob(".out.jsonl.*.part"))
        if parts and parts[0].stat().st_size > 20000:
            writing = True
            break
        time.sleep(0.05)  # polling for an event; the outcome does not depend on this interval
    assert writing and proc.poll() is None, "predict was not writing when it should have been interrupted"
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    content = out.read_text(encoding="utf-8")
    if sig == signal.SIGKILL:
        assert content == "OLD\n"
        return
    assert proc.returncode == 130, err
    assert b"interrupted after" in err
    lines = content.splitlines()
    assert 0 < len(lines) < 3000 and content.endswith("\n")
    assert [json.loads(x)["id"] for x in lines] == [str(i) for i in range(len(lines))]
    assert not list(tmp_path.glob(".out.jsonl.*.part"))


def test_interrupted_train_keeps_previous_model(model_path, tmp_path):
    """SIGTERM while fitting (right after stance train says it starts): exit 130, the previous model file
    is unchanged and no temp file is left."""
    target = tmp_path / "model.model"
    target.write_bytes(Path(model_path).read_bytes())
    before = target.read_bytes()
    big = tmp_path / "big.jsonl"
    rows = (DATA / "tiny.jsonl").read_text(encoding="utf-8").splitlines()
    big.write_text("\n".join(rows * 3000) + "\n", encoding="utf-8")
    proc = _spawn(["train", "--data", str(big), "-o", str(target)], tmp_path)
    for line in proc.stderr:  # fitting starts after this line and takes seconds: interrupt it then
        if b"training on" in line:
            break
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert b"wrote" not in err, "training ended before it could be interrupted"
    assert proc.returncode == 130, err
    assert target.read_bytes() == before
    assert StanceModel.load(target).classes_.tolist() == ["against", "favor", "none"]
    assert not list(tmp_path.glob(".model.model.*"))


def test_sigterm_ends_a_forked_worker_at_once():
    """The CLI's SIGTERM handler (Ctrl-C in the stance process) is inherited by ``--jobs`` workers,
    which get SIGTERM when the process group is signalled: there it must end the worker by the signal,
    not raise KeyboardInterrupt wherever the worker stands (a traceback, a queue lock possibly held)."""
    code = (
        "import os, signal, time\n"
        "from stance.cli.main import install_sigterm_handler\n"
        "install_sigterm_handler()\n"
        "r, w = os.pipe()\n"
        "pid = os.fork()\n"
        "if pid == 0:\n"
        "    os.write(w, b'x')\n"
        "    time.sleep(30)\n"
        "    os._exit(0)\n"
        "os.read(r, 1)\n"
        "os.kill(pid, signal.SIGTERM)\n"
        "_, status = os.waitpid(pid, 0)\n"
        "print(os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGTERM)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True", done.stdout + done.stderr
    assert "KeyboardInterrupt" not in done.stderr
