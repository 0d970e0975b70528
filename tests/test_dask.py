"""Dask engine: same results as one machine, bad records reported the same way, worker loss survived."""

import io
import json
import logging
import os
import time
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

dd = pytest.importorskip("dask.dataframe", reason="install the dask extra: pip install '.[dask]'")
from distributed import Client, LocalCluster  # noqa: E402

from stance.cli import cli  # noqa: E402
from stance.dask import score_partitions  # noqa: E402
from stance.model import StanceModel  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"
ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_87b51e7b310dad56.txt"
KEY = ["id", "actor"]


@pytest.fixture(scope="module")
def shards(tmp_path_factory):
    d = tmp_path_factory.mktemp("shards")
    lines = SEED.read_text(encoding="utf-8").splitlines()
    for k in range(3):
        with open(d / f"shard{k}.jsonl", "w", encoding="utf-8") as f:
            for i in range(12):
                f.write(json.dumps({"id": f"s{k}_{i}", "outlet": ["Al Jazeera", "Alhurra"][i % 2],
                                    "date": f"2024-0{1 + i % 3}-05", "text": "\n".join(lines[i:i + 4])},
                                   ensure_ascii=False) + "\n")
            if k == 1:
                f.write("{not json\n")
    return d


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                           silence_logs=logging.ERROR)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


def local_csv(model_path, shards):
    r = CliRunner().invoke(cli, ["predict", "--model", model_path, "--format", "csv", str(shards)])
    return r, pd.read_csv(io.StringIO(r.stdout), dtype=str, keep_default_na=False)


def normalize_frame(frame):
    frame = frame.astype(str).replace({"<NA>": "", "None": "", "nan": ""})
    return frame.sort_values(KEY).reset_index(drop=True)


def test_cli_engine_dask_same_rows_and_errors_as_one_machine(model_path, shards, tmp_path):
    local, expected = local_csv(model_path, shards)
    assert local.exit_code == 1
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["predict", "--engine", "dask", "--jobs", "2", "--model", model_path, "-q",
                                 str(shards), "-o", str(out)])
    assert r.exit_code == 1, r.output
    assert [l for l in r.stderr.splitlines() if l.startswith("error:")] == \
           [l for l in local.stderr.splitlines() if l.startswith("error:")]
    assert "36 ok, 1 failed" in r.stderr
    got = pd.read_parquet(out)
    cols = list(expected.columns)
    assert len(got) == len(expected)
    pd.testing.assert_frame_equal(normalize_frame(got[cols]), normalize_frame(expected[cols]))


def test_group_by_matches_local(model_path, shards, tmp_path):
    r_local = CliRunner().invoke(cli, ["predict", "--model", model_path, "--format", "jsonl", "--group-by",
                                       "outlet", str(shards)])
    r_dask = CliRunner().invoke(cli, ["predict", "--engine", "dask", "--model", model_path, "-q", "--group-by",
                                      "outlet", str(shards), "-o", str(tmp_path / "g")])
    local = {g["group"]: g["actors"] for g in map(json.loads, r_local.stdout.splitlines())}
    dask_ = {g["group"]: g["actors"] for g in map(json.loads, r_dask.stdout.splitlines())}
    assert local.keys() == dask_.keys() == {"Al Jazeera", "Alhurra"}
    for group in local:
        for actor, v in local[group].items():
            w = dask_[group][actor]
            assert (w["articles"], w["labels"], w["mentions"]) == (v["articles"], v["labels"], v["mentions"])
            assert w["mean_score"] == pytest.approx(v["mean_score"], abs=2e-4)


def _gated_frame(part, gate):
    """Mark that this partition started (by worker pid), then wait until the test opens the gate."""
    (Path(gate) / f"started-{os.getpid()}-{time.monotonic_ns()}").touch()
    while not (Path(gate) / "go").exists():
        time.sleep(0.02)
    return part


def test_score_partitions_survives_a_killed_worker(client, model_path, tmp_path):
    """A worker is killed while it is running a partition (every partition waits at a gate until the test
    has killed it): the result still has every article once (Dask retries the lost task)."""
    from functools import partial

    text = SEED.read_text(encoding="utf-8")
    pdf = pd.DataFrame({"id": [f"a{i}" for i in range(80)], "text": [text] * 80, "date": ["2024-01-24"] * 80})
    gate = tmp_path / "gate"
    gate.mkdir()
    ddf = dd.from_pandas(pdf, npartitions=16).map_partitions(partial(_gated_frame, gate=str(gate)),
                                                             meta=pdf.iloc[:0])
    future = client.compute(score_partitions(ddf, model=model_path))
    pids = client.run(os.getpid)  # worker address -> pid
    deadline = time.monotonic() + 120
    busy = set()
    while not busy and time.monotonic() < deadline:
        busy = {addr for addr, pid in pids.items() if list(gate.glob(f"started-{pid}-*"))}
        time.sleep(0.02)  # polling for an event; the outcome does not depend on this interval
    assert busy, "no worker started a partition"
    victim = sorted(busy)[0]
    from distributed.comm.core import CommClosedError

    with pytest.raises((CommClosedError, OSError)):  # the worker dies before it can answer
        client.run(os._exit, 1, workers=[victim])  # mid-partition; the nanny restarts it
    (gate / "go").touch()
    result = future.result(timeout=180)
    assert len(list(gate.glob("started-*"))) > 16, "the killed worker's partition was not run again"
    per_article = result.groupby("id")["actor"].apply(list)
    assert sorted(per_article.index) == sorted(pdf["id"])
    assert all(len(v) == len(set(v)) for v in per_article)  # nothing duplicated
    assert len(result) == 80 * result[result["id"] == "a0"].shape[0]


def test_model_object_is_shipped_once(client, model_path):
    """The model is one task of the graph that every partition depends on, not a copy inside each task."""
    import cloudpickle

    model = StanceModel.load(model_path)
    size = len(cloudpickle.dumps(model))
    pdf = pd.DataFrame({"id": [f"x{i}" for i in range(4)], "text": ["قصفت واشنطن مواقع الحشد الشعبي."] * 4})
    scored = score_partitions(dd.from_pandas(pdf, npartitions=4), model=model)
    graph = dict(scored.__dask_graph__())
    holding = [key for key, task in graph.items() if len(cloudpickle.dumps(task)) > size // 2]
    assert len(holding) == 1, f"{len(holding)} tasks carry the model"
    out = scored.compute()
    assert set(out["actor"]) == {"US", "PMF"} and len(out) == 8
