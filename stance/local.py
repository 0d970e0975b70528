"""Scoring files on this machine: in-process, or on forked worker processes, streaming and in order.

The local engine beside :mod:`stance.dask`, with the same :class:`~stance.engine.ScoringOptions`
and :class:`~stance.engine.RunResult`:

* :func:`score_files` yields every article with its :class:`~stance.profile.ArticleProfile`;
* :func:`predict` writes the profiles (JSON, JSONL, CSV or text) or, with ``group_by``, the corpus
  profiles, through :class:`~stance.io.AtomicOutput`.

Records that cannot be read are passed to ``on_error`` and counted; the others are scored. Memory
stays bounded by one batch of chunks whatever the input size.
"""

from __future__ import annotations

import warnings
from collections import deque
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from .engine import RunResult, ScoringOptions, scoring_setup
from .io import Article, AtomicOutput, RecordError, read_articles
from .output import EdgeGroups, Formatter, GroupAggregator
from .profile import ArticleProfile, EmptyTextWarning, score_articles
from .util import BoundedDict, gc_paused

__all__ = ["Interrupted", "Scored", "predict", "score_files"]

LONG_ARTICLE = 1_000_000  # characters: an article this long reports its own progress


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM during :func:`predict`; the outputs keep their complete records."""

    def __init__(self, done: int) -> None:
        super().__init__(done)
        self.done = done


@dataclass(frozen=True)
class Scored:
    """One scored article as it comes back from a worker: the profile, or its output already rendered."""

    id: str | None
    n_sentences: int
    warnings: tuple[str, ...]
    profile: ArticleProfile | None = None
    body: str | None = None


_SETUP = BoundedDict(1)  # the model and inventory of the last options, per process


def _setup(options: ScoringOptions) -> tuple:
    """Model and inventory for ``options``, once per process (workers reuse them for every chunk)."""
    key = (options.model, options.actors, options.extend_actors, options.only)
    if key not in _SETUP:
        _SETUP.put(key, scoring_setup(options)[:2])
    return _SETUP[key]


def _score_chunk(chunk: list[Article], options: ScoringOptions, render: tuple | None,
                 progress: Callable[[int, int], None] | None = None) -> list[Scored]:
    """Score a list of articles (in a worker with ``jobs`` > 1).

    With ``render`` (``(format, level, explain)``) each profile is also formatted here, so only its
    text crosses processes.
    """
    model, inventory = _setup(options)
    with gc_paused():  # resumed after the profiles were rendered and dropped: the collector has less to visit
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", EmptyTextWarning)
            profiles = score_articles([(a.text, a.date, a.id, a.fields) for a in chunk], model, inventory,
                                      options.explain, progress)
        if render is None:
            return [Scored(p.id, p.n_sentences, p.warnings, profile=p) for p in profiles]
        formatter = Formatter(*render)
        out = [Scored(p.id, p.n_sentences, p.warnings, body=formatter.body(p)) for p in profiles]
        del profiles
        return out


def _chunks(records: Iterable[Article | RecordError], size: int,
            on_error: Callable[[RecordError], None]) -> Iterator[list[Article]]:
    chunk: list[Article] = []
    for rec in records:
        if isinstance(rec, RecordError):
            on_error(rec)
            continue
        chunk.append(rec)
        if len(chunk) >= size or len(rec.text) >= LONG_ARTICLE:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parallel(chunks: Iterable[list[Article]], jobs: int, args: tuple, rounds: int = 4) -> Iterator[list[Scored]]:
    """Score chunks on ``jobs`` worker processes, in order, a few chunks per worker at a time.

    The workers are forked (reused across batches) after the model was loaded here, so they start
    with the model and the compiled matcher in memory instead of importing and loading them again;
    memory stays bounded by one batch. The pool ends by telling its workers to stop, never by
    signalling them: a pool that terminated its workers with SIGTERM (joblib's multiprocessing
    backend) could, now and then, leave a worker blocked on the task queue's lock and the run hanging
    after its last record. On an interruption, queued chunks are cancelled and the running ones end.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    executor = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"))
    try:
        batch: list[list[Article]] = []
        for chunk in chunks:
            batch.append(chunk)
            if len(batch) >= jobs * rounds:
                yield from executor.map(_score_chunk, batch, *([a] * len(batch) for a in args))
                batch = []
        if batch:
            yield from executor.map(_score_chunk, batch, *([a] * len(batch) for a in args))
    finally:  # after the last batch nothing is queued; after an interruption the queued chunks go
        executor.shutdown(wait=True, cancel_futures=True)


def _scored(paths: list[str], options: ScoringOptions, render: tuple | None, jobs: int, chunk_size: int,
            on_error: Callable[[RecordError], None],
            on_long: Callable[[Article, int, int], None] | None) -> Iterator[tuple[Article, Scored]]:
    """``(Article, Scored)`` in input order, scored in-process or on worker processes."""
    pending: deque = deque()

    def recorded() -> Iterator[list[Article]]:
        for chunk in _chunks(read_articles(list(paths), options.read), chunk_size, on_error):
            pending.append(chunk)
            yield chunk

    _setup(options)  # load the model here: forked workers inherit it
    if jobs > 1:
        results: Iterable[list[Scored]] = _parallel(recorded(), jobs, (options, render))
    else:
        def in_process() -> Iterator[list[Scored]]:
            for chunk in recorded():
                long = on_long if on_long is not None and len(chunk) == 1 \
                    and len(chunk[0].text) >= LONG_ARTICLE else None
                yield _score_chunk(chunk, options, render,
                                   (lambda done, total, a=chunk[0]: long(a, done, total)) if long else None)
        results = in_process()
    for scored in results:
        chunk = pending.popleft()
        yield from zip(chunk, scored)


def score_files(paths: list[str], options: ScoringOptions | None = None, *, jobs: int = 1, chunk_size: int = 128,
                on_error: Callable[[RecordError], None] | None = None) -> Iterator[tuple[Article, ArticleProfile]]:
    """Score every article of files, directories or ``-``; yield ``(Article, ArticleProfile)`` in order.

    Records that cannot be read go to ``on_error`` (they are skipped). ``jobs`` > 1 scores chunks of
    ``chunk_size`` articles on forked worker processes.
    """
    options = options or ScoringOptions()
    for article, scored in _scored(paths, options, None, jobs, chunk_size, on_error or (lambda e: None), None):
        assert scored.profile is not None
        yield article, scored.profile


def predict(
    paths: list[str],
    output: str | None,
    options: ScoringOptions | None = None,
    *,
    fmt: str = "jsonl",
    group_by: str | None = None,
    save_articles: str | None = None,
    jobs: int = 1,
    chunk_size: int = 128,
    on_error: Callable[[RecordError], None] | None = None,
    on_article: Callable[[Scored, int, int], None] | None = None,
    on_long: Callable[[Article, int, int], None] | None = None,
) -> RunResult:
    """Score files and write the profiles to ``output`` (None or ``-``: stdout) in format ``fmt``.

    With ``group_by`` (a carried field, or ``month``) the output is the corpus profiles per group,
    and ``save_articles`` can receive the article profiles (JSONL). ``on_article(scored, done,
    sentences)`` follows every article (progress, warnings); ``on_long(article, done, total)`` follows
    the sentences of a very long article scored in-process. Ctrl-C raises :class:`Interrupted` after
    the outputs were closed with their complete records (a JSON array stays valid).
    """
    options = options or ScoringOptions()
    result = RunResult()

    def failed(err: RecordError) -> None:
        result.errors.append(err)
        if on_error is not None:
            on_error(err)

    render = None if group_by else (fmt, options.level, options.explain)
    formatter = Formatter(fmt, options.level, options.explain)
    saved_fmt = Formatter("jsonl", options.level, options.explain)
    if group_by:
        groups = EdgeGroups(group_by) if options.level == "edges" else GroupAggregator(group_by)
    else:
        groups = None
    sentences = 0
    with ExitStack() as stack:
        out = stack.enter_context(AtomicOutput(output)) if groups is None else None
        saved = stack.enter_context(AtomicOutput(save_articles)) if groups is not None and save_articles else None
        if out is not None:
            out.write(formatter.header())
        try:
            for _, scored in _scored(paths, options, render, jobs, chunk_size, failed, on_long):
                result.n_articles += 1
                sentences += scored.n_sentences
                if out is not None:
                    out.write(formatter.wrap(scored.body or ""))
                else:
                    groups.add(scored.profile)
                    if saved is not None:
                        saved.write(saved_fmt.record(scored.profile))
                if on_article is not None:
                    on_article(scored, result.n_articles, sentences)
        except KeyboardInterrupt:
            if out is not None:
                out.write(formatter.footer())  # a JSON array stays valid
            raise Interrupted(result.n_articles) from None
        if out is not None:
            out.write(formatter.footer())
    if groups is not None:
        result.groups = groups.result()
        note = groups.warning()
        if note:
            result.warnings.append(note)
        with AtomicOutput(output) as out:
            for rec in formatter.group_records(result.groups):
                out.write(rec)
    return result
