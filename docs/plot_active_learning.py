"""Plot active-learning curves of ``benchmarks/active_learning.py --json FILE`` into one PNG.

    python benchmarks/active_learning.py --json docs/active_learning.json
    python docs/plot_active_learning.py docs/active_learning.json [MORE.json …] docs/active_learning.png

One panel per JSON file (a mixed real-news pool, or ``--outlet NAME`` runs), side by side.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def panel(ax, data: dict) -> None:
    """Stance macro-F1 on the held-out half vs sentences labeled, uncertainty vs random vs default."""
    sizes = data["sizes"]
    unc = [data["uncertainty"][str(n)][0] for n in sizes]
    rnd = [data["random"][str(n)] for n in sizes]
    ax.axhline(data["default"], color="#777", linestyle="--", label=f"default model ({data['default']:.3f})")
    ax.plot(sizes, unc, "o-", color="#c0392b", label="uncertainty (stance annotate select)")
    ax.plot(sizes, [sum(r) / len(r) for r in rnd], "s-", color="#2c7fb8",
            label=f"random (mean of {len(rnd[0])} seeds)")
    for n, r in zip(sizes, rnd):
        ax.scatter([n] * len(r), r, color="#2c7fb8", s=10, alpha=0.5)
    ax.set_xlabel("sentences labeled from the archive pool")
    ax.set_ylabel("stance macro-F1, held-out half")
    ax.set_xticks(sizes)
    where = f"unseen outlet: {data['outlet']}" if data.get("outlet") else "mixed real-news pool"
    ax.set_title(f"{where}\n{data['test_pairs']} held-out pairs, split seed {data.get('split_seed', 0)}", fontsize=9)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")


def plot(runs: list[dict], out: Path) -> None:
    """One panel per run, sharing nothing but the figure."""
    fig, axes = plt.subplots(1, len(runs), figsize=(5.2 * len(runs), 4.0), dpi=110, squeeze=False)
    # The same span of gains on every panel, so that panels compare by eye.
    gains = [v - d["default"] for d in runs for k in ("uncertainty", "random") for vs in d[k].values() for v in vs]
    lo, hi = min(gains + [0.0]) - 0.005, max(gains + [0.0]) + 0.005
    for ax, data in zip(axes[0], runs):
        panel(ax, data)
        ax.set_ylim(data["default"] + lo, data["default"] + hi)
    fig.suptitle("Teach it your archive: gold answers for the picked sentences, retrained as stance train --add",
                 fontsize=10)
    fig.tight_layout()
    fig.savefig(out)


if __name__ == "__main__":
    paths = [Path(p) for p in sys.argv[1:]] or [Path("docs/active_learning.json"), Path("docs/active_learning.png")]
    if len(paths) < 2:
        sys.exit("usage: plot_active_learning.py RUN.json [RUN.json …] OUT.png")
    plot([json.loads(p.read_text(encoding="utf-8")) for p in paths[:-1]], paths[-1])
    print(f"wrote {paths[-1]}")
