"""Formatting profiles (JSON, JSONL, CSV, table) and corpus profiles per group."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict

from .explain import describe
from .formats import FORMAT_ALIASES, plural
from .profile import ArticleProfile

__all__ = ["Formatter", "GroupAggregator", "EdgeGroups", "ARTICLE_CSV_COLUMNS", "SENTENCE_CSV_COLUMNS",
           "EDGE_CSV_COLUMNS", "csv_rows", "group_entry", "group_field_warning"]

ARTICLE_CSV_COLUMNS = ["id", "actor", "label", "score", "favor", "against", "none", "mentions", "sentences",
                       "salience", "first_position", "sentiment", "article_sentiment", "n_sentences", "date",
                       "evidence_start", "evidence_end", "evidence"]
SENTENCE_CSV_COLUMNS = ["id", "sentence", "start", "end", "actor", "label", "score", "p_favor", "p_against",
                        "p_none", "sentiment", "text", "holder", "holder_probability"]
EDGE_CSV_COLUMNS = ["id", "date", "holder", "target", "stance", "score", "count", "against", "favor", "sentences",
                    "evidence_start", "evidence_end", "evidence"]
EDGE_GROUP_CSV_COLUMNS = ["group", "holder", "target", "stance", "articles", "sentences", "mean_score", "ci_low",
                          "ci_high", "against", "favor"]
GROUP_CSV_COLUMNS = ["group", "actor", "articles", "mean_score", "ci_low", "ci_high", "against", "favor", "none",
                     "mentions"]


def _csv_line(values: list) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def csv_rows(p: ArticleProfile, level: str = "article") -> list[list]:
    """The CSV rows (as lists) of one profile: per actor, or per sentence × actor with ``level="sentence"``."""
    if level == "sentence":
        return [[p.id, s.sentence, s.start, s.end, s.actor, s.label, s.score, s.proba.get("favor"),
                 s.proba.get("against"), s.proba.get("none"), s.sentiment, s.text, s.holder,
                 s.holder_probability] for s in p.sentences]
    rows = []
    for a in p.actors:
        top = a.evidence[0] if a.evidence else None
        rows.append([p.id, a.actor, a.label, a.score, a.counts["favor"], a.counts["against"], a.counts["none"],
                     a.mentions, a.sentences, a.salience, a.first_position, a.sentiment, p.sentiment,
                     p.n_sentences, p.date, top.start if top else "", top.end if top else "",
                     top.text if top else ""])
    return rows


class Formatter:
    """Turns profiles into complete output records (strings ending in a newline)."""

    def __init__(self, fmt: str, level: str = "article", explain: bool = False) -> None:
        self.fmt, self.level, self.explain = FORMAT_ALIASES.get(fmt, fmt), level, explain
        self.count = 0

    # article / sentence records -------------------------------------------

    def header(self) -> str:
        """Text written before the first record."""
        if self.fmt == "csv":
            return _csv_line({"article": ARTICLE_CSV_COLUMNS, "edges": EDGE_CSV_COLUMNS}.get(self.level,
                                                                                          SENTENCE_CSV_COLUMNS))
        if self.fmt == "json":
            return "[\n"
        return ""

    def footer(self) -> str:
        """Text written after the last record."""
        if self.fmt == "json":
            return "\n]\n" if self.count else "]\n"
        return ""

    def _dict(self, profile: ArticleProfile) -> dict:
        d = profile.to_dict(sentences=self.level == "sentence")
        if not self.explain:
            for a in d["actors"]:
                for e in a["evidence"]:
                    e.pop("ngrams", None)
            for s in d.get("sentences", []):
                s.pop("evidence", None)
        return d

    def body(self, profile: ArticleProfile) -> str:
        """One article's output without separators (can be made in a worker process)."""
        if self.level == "edges":
            return self._edges_body(profile)
        if self.fmt in ("json", "jsonl"):
            return json.dumps(self._dict(profile), ensure_ascii=False)
        if self.fmt == "csv":
            return "".join(_csv_line(r) for r in csv_rows(profile, self.level))
        return self._table(profile)

    def wrap(self, body: str) -> str:
        """Add the separators a body needs at its place in the stream."""
        if self.level == "edges" and not body:  # an article without edges writes nothing
            return ""
        self.count += 1
        if self.fmt == "json":
            return ("" if self.count == 1 else ",\n") + body
        if self.fmt == "jsonl":
            return body + "\n"
        return body

    def record(self, profile: ArticleProfile) -> str:
        """One article's output."""
        return self.wrap(self.body(profile))

    def edge_records(self, p: ArticleProfile) -> list[dict]:
        """One dict per edge of an article: the article's id, fields and date, then the edge."""
        return [{"id": p.id, **p.fields, "date": p.date, **e.to_dict()} for e in p.edges or ()]

    def _edges_body(self, p: ArticleProfile) -> str:
        """One row (CSV), object (JSON/JSONL) or line (table) per edge; empty without edges."""
        if self.fmt == "csv":
            rows = []
            for e in p.edges or ():
                top = max(e.evidence, key=lambda v: abs(v.score) * v.holder_probability)
                rows.append(_csv_line([p.id, p.date, e.holder, e.target, e.stance, e.score, e.count,
                                       e.counts["against"], e.counts["favor"],
                                       " ".join(str(v.sentence) for v in e.evidence), top.start, top.end, top.text]))
            return "".join(rows)
        if self.fmt in ("json", "jsonl"):
            sep = ",\n" if self.fmt == "json" else "\n"
            return sep.join(json.dumps(r, ensure_ascii=False) for r in self.edge_records(p))
        if not p.edges:
            return ""
        return "\n".join(self._edge_lines(p)) + "\n\n"

    def _edge_lines(self, p: ArticleProfile) -> list[str]:
        lines = [f"== {p.id}  edges (holder -> target)"]
        for e in p.edges or ():
            sentences = ",".join(str(v.sentence) for v in e.evidence)
            lines.append(f"   {e.holder:<10} -> {e.target:<10} {e.stance:<8} {e.score:+.2f}  x{e.count}  "
                         f"sentences {sentences}")
        return lines

    def _table(self, p: ArticleProfile) -> str:
        sentiment = f", sentiment {p.sentiment} {p.sentiment_score:+.2f}" if p.sentiment else ""
        lines = [f"== {p.id}  ({plural(p.n_sentences, 'sentence')}{sentiment})"]
        if p.warnings:
            lines.append("   warning: " + "; ".join(p.warnings))
        if not p.actors:
            lines.append("   no actor mentioned")
        else:
            lines.append(f"   {'actor':<10} {'label':<8} {'score':>6}  {'fav':>3} {'agn':>3} {'non':>3}  "
                         f"{'salience':>8}  name")
            for a in p.actors:
                lines.append(f"   {a.actor:<10} {a.label:<8} {a.score:>+6.2f}  {a.counts['favor']:>3} "
                             f"{a.counts['against']:>3} {a.counts['none']:>3}  {a.salience:>8.2f}  {a.name_en}")
            for a in p.actors:
                for e in a.evidence[:2 if self.level == "article" else 3]:
                    snippet = e.text if len(e.text) <= 110 else e.text[:107] + "..."
                    lines.append(f"   {a.actor:<10} [{e.start}:{e.end}] {e.label} {e.score:+.2f}  {snippet}")
                    if self.explain and e.evidence:
                        lines.append("              why: " + "; ".join(f"{describe(f, e.text)} ({w:+.2f})"
                                                                   for f, w in e.evidence))
        if p.edges:
            lines += [x.replace("== ", "   ", 1) if k == 0 else x for k, x in enumerate(self._edge_lines(p))][:1 + 8]
        if self.level == "sentence":
            for s in p.sentences:
                held = f" [{s.holder} {s.holder_probability:.2f}]" if s.holder else ""
                lines.append(f"   s{s.sentence:<3} {s.actor:<10} {s.label:<8} {s.score:+.2f}{held}  {s.text[:80]}")
        return "\n".join(lines) + "\n\n"

    # group records ---------------------------------------------------------

    def group_records(self, groups: dict) -> list[str]:
        """Output records of the corpus profiles (of the edge groups with ``level="edges"``)."""
        if self.level == "edges":
            return self._edge_group_records(groups)
        out = []
        for group, actors in groups.items():
            if self.fmt == "csv":
                out += [_csv_line([group, a, v["articles"], v["mean_score"], v["ci"][0], v["ci"][1],
                                   v["labels"]["against"], v["labels"]["favor"], v["labels"]["none"], v["mentions"]])
                        for a, v in actors.items()]
            elif self.fmt in ("json", "jsonl"):
                text = json.dumps({"group": group, "actors": actors}, ensure_ascii=False)
                out.append(text + "\n" if self.fmt == "jsonl" else text)
            else:
                lines = [f"== group {group}", f"   {'actor':<10} {'n':>5} {'mean':>7} {'95% CI':>16}  "
                                               f"{'agn':>4} {'fav':>4} {'non':>4}"]
                for a, v in actors.items():
                    lines.append(f"   {a:<10} {v['articles']:>5} {v['mean_score']:>+7.3f} "
                                 f"[{v['ci'][0]:+.3f}, {v['ci'][1]:+.3f}]  {v['labels']['against']:>4} "
                                 f"{v['labels']['favor']:>4} {v['labels']['none']:>4}")
                out.append("\n".join(lines) + "\n\n")
        if self.fmt == "csv":
            out.insert(0, _csv_line(GROUP_CSV_COLUMNS))
        if self.fmt == "json":
            out = ["[\n" + ",\n".join(out) + "\n]\n"]
        return out


    def _edge_group_records(self, groups: dict[str, list[dict]]) -> list[str]:
        out = []
        for group, edges in groups.items():
            if self.fmt == "csv":
                out += [_csv_line([group, e["holder"], e["target"], e["stance"], e["articles"], e["sentences"],
                                   e["mean_score"], e["ci"][0], e["ci"][1], e["against"], e["favor"]])
                        for e in edges]
            elif self.fmt in ("json", "jsonl"):
                text = json.dumps({"group": group, "edges": edges}, ensure_ascii=False)
                out.append(text + "\n" if self.fmt == "jsonl" else text)
            else:
                lines = [f"== group {group}  edges", f"   {'holder':<10}    {'target':<10} {'stance':<8} "
                                                       f"{'arts':>5} {'sents':>5} {'mean':>7}"]
                for e in edges:
                    lines.append(f"   {e['holder']:<10} -> {e['target']:<10} {e['stance']:<8} {e['articles']:>5} "
                                 f"{e['sentences']:>5} {e['mean_score']:>+7.3f}")
                out.append("\n".join(lines) + "\n\n")
        if self.fmt == "csv":
            out.insert(0, _csv_line(EDGE_GROUP_CSV_COLUMNS))
        if self.fmt == "json":
            out = ["[\n" + ",\n".join(out) + "\n]\n"]
        return out


def month_of(date: str | None) -> str:
    """``YYYY-MM`` of an ISO-like date, or ``unknown``."""
    return date[:7] if date and len(date) >= 7 and date[4] == "-" else "unknown"


def group_entry(n: int, total: float, squares: float, against: int, favor: int, none: int,
                mentions: int) -> dict:
    """One actor in one group, from sums over its ``n`` articles: mean score with a 95% normal CI
    (clipped to [−1, 1]), label counts, mentions."""
    mean = total / n
    var = max(0.0, (squares - n * mean * mean) / (n - 1)) if n > 1 else 0.0
    half = 1.96 * math.sqrt(var / n) if n > 1 else 0.0
    return {"articles": n, "mean_score": round(mean, 4),
            "ci": [round(max(-1.0, mean - half), 4), round(min(1.0, mean + half), 4)],
            "labels": {"against": against, "favor": favor, "none": none},
            "mentions": mentions}


def missing_field_warning(field: str, seen: list[str]) -> str:
    """The message for a ``--group-by`` field that no article has."""
    what = "a date" if field == "month" else f"a field {field!r}"
    fields = ", ".join(seen) if seen else "none besides id and text"
    return (f"--group-by {field}: no article has {what}, so every article is in group 'unknown' "
            f"(fields seen: {fields})")


def group_field_warning(field: str, profiles: list[ArticleProfile]) -> str | None:
    """The ``--group-by`` warning for these profiles, or None when some article has the field."""
    groups = GroupAggregator(field)
    for p in profiles:
        groups.key(p)
    return groups.warning(True)


class GroupAggregator:
    """Running per-group, per-actor statistics of article scores (memory ∝ groups × actors)."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.stats: dict[str, dict[str, list[float]]] = defaultdict(dict)
        self.fields_seen: dict[str, None] = {}
        self.found = 0

    def key(self, profile: ArticleProfile) -> str:
        """The group of an article: a carried field, or ``month`` from its date."""
        if len(self.fields_seen) < 50:
            self.fields_seen.update(dict.fromkeys(profile.fields))
        if self.field == "month":
            group = month_of(profile.date or str(profile.fields.get("date") or ""))
        else:
            value = profile.fields.get(self.field)
            group = str(value) if value not in (None, "") else "unknown"
        self.found += group != "unknown"
        return group

    def warning(self, scored: bool | None = None) -> str | None:
        """A warning when no article had the grouping field (a typo such as ``outlett``), else None."""
        scored = bool(self.stats) if scored is None else scored
        return missing_field_warning(self.field, list(self.fields_seen)) if scored and not self.found else None

    def add(self, profile: ArticleProfile) -> None:
        """Account for one article."""
        group = self.stats[self.key(profile)]
        for a in profile.actors:
            s = group.setdefault(a.actor, [0, 0.0, 0.0, 0, 0, 0, 0])
            s[0] += 1
            s[1] += a.score
            s[2] += a.score * a.score
            s[3] += {"against": 1, "favor": 0, "none": 0}[a.label]
            s[4] += a.label == "favor"
            s[5] += a.label == "none"
            s[6] += a.mentions

    def result(self) -> dict[str, dict[str, dict]]:
        """Per group and actor: articles, mean score with a 95% normal CI, label counts, mentions."""
        out: dict[str, dict[str, dict]] = {}
        for group in sorted(self.stats):
            actors = {}
            for actor, (n, total, squares, against, favor, none, mentions) in sorted(
                    self.stats[group].items(), key=lambda kv: -kv[1][0]):
                actors[actor] = group_entry(n, total, squares, against, favor, none, mentions)
            out[group] = actors
        return out


class EdgeGroups:
    """Edges aggregated per group (same groups as :class:`GroupAggregator`): counts and mean scores."""

    def __init__(self, field: str) -> None:
        from .edges import EdgeAggregator

        self.field = field
        self._groups = GroupAggregator(field)
        self.edges = EdgeAggregator(self._groups.key)
        self.n_articles = 0

    def add(self, profile: ArticleProfile) -> None:
        """Account for one article's edges."""
        self.n_articles += 1
        self.edges.add(profile)

    def warning(self, scored: bool | None = None) -> str | None:
        """A warning when no article had the grouping field (as :meth:`GroupAggregator.warning`)."""
        scored = self.n_articles > 0 if scored is None else scored
        return self._groups.warning(scored)

    def result(self) -> dict[str, list[dict]]:
        """Per group, its edges (see :meth:`stance.edges.EdgeAggregator.result`)."""
        return self.edges.result()
