"""Start-up stays light: commands that do not train never import scikit-learn (or pandas)."""

import json
import subprocess
import sys

import pytest

from conftest import SEED_TEXT

HEAVY = ("sklearn", "pandas", "matplotlib", "dask", "scipy.stats")


def _modules_after(*args: str) -> set[str]:
    code = ("import sys, json\n"
            "from stance.cli import cli\n"
            f"sys.argv = ['stance', *{list(args)!r}]\n"
            "try:\n    cli()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize("args", [("--help",), ("actors",), ("actors", "--format", "json")])
def test_help_and_actors_do_not_import_sklearn(args):
    loaded = _modules_after(*args)
    assert not {m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY}


def test_predict_with_a_model_file_does_not_import_sklearn(model_path):
    loaded = _modules_after("predict", "--model", model_path, "--format", "jsonl", str(SEED_TEXT))
    assert not {m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY}


def test_import_stance_is_lazy():
    code = "import sys, stance; print(sorted(m for m in sys.modules if m.startswith('stance.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
