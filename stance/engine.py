"""What every scoring engine shares: the options, the model and inventory they resolve to, the result.

Two engines score files with the same :class:`ScoringOptions` and return the same
:class:`RunResult`: :mod:`stance.local` (this machine, in-process or joblib workers, streaming
JSON / JSONL / CSV / text) and :mod:`stance.dask` (a Dask cluster, Parquet partitions).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .io import ReadOptions, RecordError

if TYPE_CHECKING:
    from .actors import Inventory
    from .model import StanceModel

__all__ = ["ScoringOptions", "RunResult", "resolve_actor_ids", "scoring_setup"]


@dataclass(frozen=True)
class ScoringOptions:
    """How to read and score articles, the same for every engine.

    ``model`` is a model file (None: the default model); ``actors`` an inventory file that replaces
    the model's (or, with ``extend_actors``, is added to it); ``only`` restricts scoring to these
    actor ids (any case); ``level`` is ``article``, ``sentence`` or ``edges``; ``explain`` keeps the n-grams
    behind every decision.
    """

    model: str | None = None
    actors: str | None = None
    extend_actors: bool = False
    only: tuple[str, ...] = ()
    level: str = "article"
    explain: bool = False
    read: ReadOptions = field(default_factory=ReadOptions)


@dataclass
class RunResult:
    """What a run did: articles scored, records that failed, group profiles, warnings."""

    n_articles: int = 0
    errors: list[RecordError | str] = field(default_factory=list)
    groups: dict | None = None
    warnings: list[str] = field(default_factory=list)


def resolve_actor_ids(inventory: "Inventory", ids: tuple[str, ...] | list[str]) -> list[str]:
    """Inventory ids for ``ids`` given in any case (``us`` → ``US``); unknown ids raise ``KeyError``."""
    by_folded = {i.casefold(): i for i in inventory.ids}
    resolved, missing = [], []
    for raw in ids:
        actor_id = by_folded.get(raw.strip().casefold())
        (resolved if actor_id else missing).append(actor_id or raw.strip())
    if missing:
        raise KeyError(f"unknown actor id(s) {', '.join(missing)}; known: {', '.join(inventory.ids)}")
    return resolved


def scoring_setup(options: ScoringOptions, quiet: bool = True) -> tuple["StanceModel", "Inventory", list[str]]:
    """Load the model and the inventory to score with; also the warnings to show.

    Raises :class:`~stance.model.ModelError`, :class:`~stance.actors.ActorInventoryError`, or
    ``KeyError`` for an unknown ``only`` id.
    """
    from .cache import load_model
    from .profile import scoring_inventory

    loaded = load_model(options.model, quiet=quiet)
    model, inventory = scoring_inventory(loaded, options.actors, options.extend_actors)
    notes = []
    if options.actors and inventory.fingerprint() != loaded.inventory_.fingerprint():
        trained = loaded.inventory_
        notes.append(f"the model was trained with another actor inventory ({trained.source}, "
                     f"{len(trained.actors)} actors); scoring with {options.actors}"
                     f"{' added to it' if options.extend_actors else ''} ({len(inventory.actors)} actors)")
    if options.only:
        inventory = inventory.restrict(resolve_actor_ids(inventory, options.only))
    return model, inventory, notes
