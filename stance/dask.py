"""Scoring a news archive on a Dask cluster (optional extra ``stance[dask]``).

``score_partitions`` maps article scoring over the partitions of a Dask
DataFrame. The model is never pickled per task: it is loaded from its path (or
built from the bundled labels) once per worker process and kept there, like the
compiled actor matcher. The rows are exactly the rows ``stance predict --format
csv`` writes (one per article × actor, or per sentence × actor).

:func:`predict` is what ``stance predict --engine dask`` runs, the Dask engine beside
:mod:`stance.local` (same :class:`~stance.engine.ScoringOptions`, same
:class:`~stance.engine.RunResult`): it reads JSONL / CSV / Parquet shards (local paths
or any fsspec URL), reports bad records the same way as the single-machine reader,
and writes Parquet partitions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable

import pandas as pd

from .engine import RunResult, ScoringOptions
from .output import ARTICLE_CSV_COLUMNS, SENTENCE_CSV_COLUMNS, csv_rows, group_entry, missing_field_warning
from .util import BoundedDict

__all__ = ["score_partitions", "predict", "rows_for"]

_TYPES = {"id": "string", "actor": "string", "label": "string", "score": "float64", "favor": "int64",
          "against": "int64", "none": "int64", "mentions": "int64", "sentences": "int64", "salience": "float64",
          "first_position": "float64", "sentiment": "float64", "article_sentiment": "string",
          "n_sentences": "int64", "date": "string", "evidence_start": "Int64", "evidence_end": "Int64",
          "evidence": "string", "sentence": "int64", "start": "int64", "end": "int64", "p_favor": "float64",
          "p_against": "float64", "p_none": "float64", "text": "string"}


def _columns(level: str) -> list[str]:
    return ARTICLE_CSV_COLUMNS if level == "article" else SENTENCE_CSV_COLUMNS


def _meta(level: str, extra: Iterable[str] = ()) -> pd.DataFrame:
    cols = _columns(level)
    frame = pd.DataFrame({c: pd.Series(dtype=_TYPES.get(c, "string")) for c in cols})
    for c in extra:
        frame[c] = pd.Series(dtype="string")
    return frame


def rows_for(profiles, level: str = "article") -> list[list]:
    """CSV rows (as lists) of profiles, exactly as ``stance predict --format csv``."""
    return [row for p in profiles for row in csv_rows(p, level)]


def _frame(rows: list[list], level: str, extra: dict[str, list] | None = None) -> pd.DataFrame:
    cols = _columns(level)
    frame = pd.DataFrame(rows, columns=cols)
    frame = frame.replace({"": None})
    for c in cols:
        frame[c] = frame[c].astype(_TYPES.get(c, "string"))
    for name, values in (extra or {}).items():
        frame[name] = pd.Series(values, dtype="string")
    return frame


def _score_frame(part: pd.DataFrame, model_ref, text_col: str, id_col: str, date_col: str | None,
                 level: str, carry: list[str], actors_path: str | None, extend: bool = False,
                 only: tuple[str, ...] = ()) -> pd.DataFrame:
    """Score one partition (runs on a worker; model and matcher cached per process)."""
    from .cache import load_model
    from .engine import resolve_actor_ids
    from .profile import score_articles, scoring_inventory

    model = load_model(model_ref, quiet=True) if not hasattr(model_ref, "predict_proba") else model_ref
    model, inventory = scoring_inventory(model, actors_path, extend)
    if only:
        inventory = _restricted(inventory, tuple(resolve_actor_ids(inventory, only)))
    records = []
    for _, row in part.iterrows():
        text = row[text_col]
        date = row[date_col] if date_col and date_col in part.columns else None
        records.append((text if isinstance(text, str) else "",
                        str(date) if isinstance(date, str) and date else None,
                        str(row[id_col]), {c: row[c] for c in carry}))
    import warnings

    from .profile import EmptyTextWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", EmptyTextWarning)
        profiles = score_articles(records, model, inventory)
    rows, extra = [], {c: [] for c in carry}
    for (_, _, _, fields), p in zip(records, profiles):
        new = rows_for([p], level)
        rows += new
        for c in carry:
            extra[c] += [None if pd.isna(fields[c]) else str(fields[c])] * len(new)
    return _frame(rows, level, extra)


_RESTRICTED = BoundedDict(1)


def _restricted(inventory, ids: tuple[str, ...]):
    """``inventory.restrict(ids)``, once per worker process (the restricted matcher is compiled once)."""
    key = (id(inventory), ids)
    if key not in _RESTRICTED:
        _RESTRICTED.put(key, (inventory.restrict(ids), inventory))  # keep the id alive
    return _RESTRICTED[key][0]


def score_partitions(ddf, text_col: str = "text", id_col: str = "id", model=None, level: str = "article",
                     date_col: str | None = "date", carry: Iterable[str] = (), actors_path: str | None = None,
                     extend_actors: bool = False, only: Iterable[str] = ()):
    """Score every article of a Dask DataFrame.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        One article per row.
    text_col, id_col, date_col : str
        Columns holding the text, the article id and (optionally) the date.
    model : str, Path, StanceModel or None
        A model path (loaded once per worker), None for the default model (built or read from the
        worker's cache once), or a model object (sent once to each worker as a shared dependency).
    level : {"article", "sentence"}
        Rows per article × actor, or per sentence × actor.
    carry : iterable of str
        Input columns copied into every output row (e.g. ``outlet`` for grouping).
    actors_path, extend_actors, only
        Score with another inventory file (added to the model's with ``extend_actors``), or only
        these actor ids (any case).

    Returns
    -------
    dask.dataframe.DataFrame
        With the columns of ``stance predict --format csv`` (+ ``carry``).
    """
    import dask

    carry = list(carry)
    ref = model
    if model is not None and hasattr(model, "predict_proba"):
        ref = dask.delayed(model, traverse=False)  # one shared task, not pickled into every partition task
    elif model is not None:
        ref = str(model)
    return ddf.map_partitions(_score_frame, ref, text_col, id_col, date_col, level, carry, actors_path,
                              extend_actors, tuple(only), meta=_meta(level, carry), enforce_metadata=False)


# ---------------------------------------------------------------------------- the CLI engine


def _read_shard(path: str, text_col: str, id_col: str, date_col: str, encoding: str, errors: str) -> pd.DataFrame:
    """Read one JSONL/CSV/TSV/text shard with stance's own reader: bad records become error rows."""
    from .io import ReadOptions, RecordError, read_articles

    opts = ReadOptions(text_col, id_col, date_col, encoding, errors)
    rows = []
    for rec in read_articles([path], opts):
        if isinstance(rec, RecordError):
            rows.append({"__error__": str(rec), "id": None, "text": None, "date": None, "__fields__": None})
        else:
            rows.append({"__error__": None, "id": rec.id, "text": rec.text, "date": rec.date,
                         "__fields__": json.dumps(rec.fields, ensure_ascii=False, default=str)})
    return pd.DataFrame(rows, columns=["__error__", "id", "text", "date", "__fields__"]).astype("string")


def _expand_inputs(paths: list[str]) -> list[str]:
    out = []
    for p in paths:
        if "://" not in p and Path(p).is_dir():
            out += sorted(str(q) for q in Path(p).rglob("*")
                          if q.suffix.lower() in (".jsonl", ".csv", ".tsv", ".parquet", ".txt"))
        else:
            out.append(p)
    return out


def _split_fields(part: pd.DataFrame, carry: list[str]) -> pd.DataFrame:
    fields = [json.loads(f) if isinstance(f, str) else {} for f in part["__fields__"]]
    out = part[["id", "text", "date"]].copy()
    for c in carry:
        out[c] = pd.Series([f.get(c) for f in fields], index=part.index, dtype="object")
    return out


def predict(paths: list[str], output: str, options: ScoringOptions | None = None, *, scheduler: str | None = None,
            group_by: str | None = None, carry: Iterable[str] = (), jobs: int = 2) -> RunResult:
    """Score shards on a Dask cluster and write Parquet partitions to ``output``.

    ``scheduler`` is the address of a running scheduler; without it a ``LocalCluster`` of ``jobs``
    worker processes is started. Returns the articles scored, the bad-record messages and, with
    ``group_by``, the group profiles.
    """
    import dask.dataframe as dd
    from dask import delayed
    from distributed import Client, LocalCluster

    options = options or ScoringOptions()
    read, model, level, n_workers = options.read, options.model, options.level, jobs
    text_col, id_col, date_col, encoding, errors = read.text_field, read.id_field, read.date_field, read.encoding, \
        read.errors
    result = RunResult()

    carry = list(dict.fromkeys([*carry, *([group_by] if group_by and group_by != "month" else [])]))
    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        import logging

        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster)
    try:
        files = _expand_inputs(paths)
        parquet = [f for f in files if f.endswith(".parquet")]
        other = [f for f in files if not f.endswith(".parquet")]
        frames = []
        meta = pd.DataFrame({c: pd.Series(dtype="string") for c in ["__error__", "id", "text", "date", "__fields__"]})
        if other:
            raw = dd.from_delayed([delayed(_read_shard)(f, text_col, id_col, date_col, encoding, errors) for f in other],
                                  meta=meta)
            raw = raw.persist()
            bad = raw[raw["__error__"].notnull()]["__error__"].compute().tolist()
            good = raw[raw["__error__"].isnull()]
            good_meta = pd.DataFrame({"id": pd.Series(dtype="string"), "text": pd.Series(dtype="string"),
                                      "date": pd.Series(dtype="string"),
                                      **{c: pd.Series(dtype="object") for c in carry}})
            frames.append(good.map_partitions(_split_fields, carry, meta=good_meta))
        else:
            bad = []
        for f in parquet:
            frame = dd.read_parquet(f)
            frame = frame.rename(columns={text_col: "text", id_col: "id"})
            if date_col in frame.columns and date_col != "date":
                frame = frame.rename(columns={date_col: "date"})
            frames.append(frame)
        if not frames:
            raise ValueError("no input shards found")
        articles = dd.concat(frames) if len(frames) > 1 else frames[0]
        scored = score_partitions(articles, "text", "id", model, level, "date", carry, options.actors,
                                  options.extend_actors, options.only)
        scored = scored.persist()
        Path(output).mkdir(parents=True, exist_ok=True) if "://" not in output else None
        scored.to_parquet(output, write_index=False, overwrite=True)
        result.n_articles = int(scored["id"].nunique().compute()) if len(scored.columns) else 0
        result.errors = list(bad)
        if group_by and level == "article":
            key = "date" if group_by == "month" else group_by
            frame = scored.assign(group=scored[key].astype("string").str.slice(0, 7) if group_by == "month"
                                  else scored[key].astype("string"))
            frame = frame.assign(group=frame["group"].fillna("unknown"),
                                 is_against=(frame["label"] == "against").astype("int64"),
                                 is_favor=(frame["label"] == "favor").astype("int64"),
                                 is_none=(frame["label"] == "none").astype("int64"),
                                 score2=frame["score"] * frame["score"])
            agg = frame.groupby(["group", "actor"]).agg(
                {"id": "count", "score": "sum", "score2": "sum", "is_against": "sum", "is_favor": "sum",
                 "is_none": "sum", "mentions": "sum"}).compute()
            result.groups = _groups_from_sums(agg)
            if set(result.groups) == {"unknown"} and other:
                seen = raw["__fields__"].dropna().head(50).tolist()
                fields = list(dict.fromkeys(k for f in seen for k in json.loads(f)))
                result.warnings.append(missing_field_warning(group_by, fields))
        return result
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _groups_from_sums(agg: pd.DataFrame) -> dict:
    """The same group profiles as GroupAggregator, from per-group sums computed by Dask."""
    out: dict[str, dict] = {}
    for (group, actor), r in agg.sort_index().iterrows():
        out.setdefault(str(group), {})[str(actor)] = group_entry(
            int(r["id"]), float(r["score"]), float(r["score2"]), int(r["is_against"]), int(r["is_favor"]),
            int(r["is_none"]), int(r["mentions"]))
    for group in out:
        out[group] = dict(sorted(out[group].items(), key=lambda kv: -kv[1]["articles"]))
    return out
