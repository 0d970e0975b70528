"""Start-up stays light: commands that do not train never import scikit-learn (or pandas); `stance train`
sets its BLAS thread timeout before scipy loads its BLAS."""

import json
import os
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


def test_help_loads_no_numeric_code():
    """Registering the commands (``stance annotate`` among them) imports neither numpy nor the feature code."""
    loaded = _modules_after("--help")
    assert "numpy" not in loaded and "stance.features" not in loaded


def test_annotate_names_resolve_to_the_functions():
    from stance.annotate import Candidate, select

    assert callable(select) and select.__name__ == "select" and Candidate.__name__ == "Candidate"


def test_predict_with_a_model_file_does_not_import_sklearn(model_path):
    loaded = _modules_after("predict", "--model", model_path, "--format", "jsonl", str(SEED_TEXT))
    assert not {m for m in loaded if m.split(".")[0] in HEAVY or m in HEAVY}


def test_import_stance_is_lazy():
    code = "import sys, stance; print(sorted(m for m in sys.modules if m.startswith('stance.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_train_lets_idle_blas_threads_sleep_before_scipy_loads_its_blas():
    """``stance train`` sets OPENBLAS_THREAD_TIMEOUT in time: OpenBLAS reads it when loaded, and scipy's
    copy (L-BFGS-B's) is loaded only by the training imports, after the CLI has started."""
    code = ("import os, sys\n"
            "os.environ.pop('OPENBLAS_THREAD_TIMEOUT', None)\n"
            "import stance.cli.main\n"
            "early = [m for m in sys.modules if m.startswith(('scipy.linalg', 'scipy.optimize', 'sklearn'))]\n"
            "assert not early, early\n"
            "from stance.cli.train import _idle_blas_threads_sleep\n"
            "_idle_blas_threads_sleep()\n"
            "print(os.environ['OPENBLAS_THREAD_TIMEOUT'])\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "4"


def test_train_keeps_a_user_blas_thread_timeout(monkeypatch):
    from stance.cli.train import _idle_blas_threads_sleep

    monkeypatch.setenv("OPENBLAS_THREAD_TIMEOUT", "28")
    _idle_blas_threads_sleep()
    assert os.environ["OPENBLAS_THREAD_TIMEOUT"] == "28"
