"""``stance train --add``: read a user's labels strictly and choose how much they weigh."""

from __future__ import annotations

from typing import Callable, Sequence

from ..actors import Inventory
from ..datasets import Dataset, load_dataset
from ..labels import LabelError

__all__ = ["load_user_labels", "prepare_add"]


def load_user_labels(paths: Sequence[str], inventory: Inventory) -> Dataset:
    """The decided pairs of the user's label files; any invalid record is an error naming the file and line."""
    out = Dataset()
    for path in paths:
        try:
            data = load_dataset(path, inventory)
        except LabelError as exc:
            raise ValueError(f"--add {exc}") from None
        if data.errors:
            shown = "\n".join(f"  {e}" for e in data.errors[:10])
            more = f"\n  ... and {len(data.errors) - 10} more" if len(data.errors) > 10 else ""
            raise ValueError(f"--add {path}: {len(data.errors)} invalid record(s); nothing was trained:\n{shown}{more}\n"
                             f"fix them (see `stance labels check {path}`) and run again")
        out.extend(data)
    if not len(out):
        raise ValueError(f"--add {', '.join(paths)}: no decided pairs yet"
                         + (f" ({out.unlabeled} undecided)" if out.unlabeled else "")
                         + "; label them with `stance annotate label FILE`")
    return out


def prepare_add(
    paths: Sequence[str],
    inventory: Inventory,
    train: Dataset,
    dev: Dataset | None,
    params: dict | None,
    weight: float | None,
    bundled: bool,
    progress: Callable[[str], None] | None = None,
    fixed: dict | None = None,
) -> tuple[Dataset, dict, float, dict]:
    """Read the user's labels and settle the parameters and the weight of the user's pairs.

    Parameters are ``params`` when given (``--C``), else the default model's when training on the bundled
    labels, else the grid's choice on ``dev`` without the user's labels; ``fixed`` (e.g. ``--cues``) holds
    in every case. The weight is ``weight`` when given, else :func:`stance.train.choose_add_weight`'s.
    Returns (add, params, weight, cv table).
    """
    fixed = dict(fixed or {})
    from ..train import choose_add_weight, train_model

    note = progress or (lambda m: None)
    add = load_user_labels(paths, inventory)
    note(f"your labels: {len(add)} pairs in {len(set(add.sentence_ids))} sentences"
         + (f" ({add.unlabeled} undecided pairs skipped)" if add.unlabeled else ""))
    if params is None and bundled:
        from ..cache import default_params

        params = dict(default_params()["params"])
        note(f"parameters of the default model: {params}")
    elif params is None:
        note("choosing parameters without your labels")
        model, _ = train_model(train, dev, params=fixed or None, inventory=inventory, progress=note)
        params = {k: v for k, v in model.get_params(deep=False).items() if k != "actors"}
    params = params | fixed | {"actors": inventory}
    cv: dict = {}
    if weight is None:
        note("choosing the weight of your labels by 3-fold cross-validation on them (grouped by article)")
        base = [train] + ([dev] if dev is not None and len(dev) else [])
        weight, table = choose_add_weight(base, add, params, progress=note)
        cv = {str(w): f for w, f in table.items()}
        if table:
            note("held-out macro-F1 of your labels by weight: "
                 + ", ".join(f"{w:g}: {f:.3f}" for w, f in table.items()) + f" -> weight {weight:g}")
        else:
            note(f"too few articles to cross-validate; weight {weight:g}")
    return add, params, weight, cv
