"""Plot the active-learning curve of ``benchmarks/active_learning.py --json FILE`` into a PNG.

    python benchmarks/active_learning.py --json docs/active_learning.json
    python docs/plot_active_learning.py docs/active_learning.json docs/active_learning.png
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def plot(data: dict, out: Path) -> None:
    """Stance macro-F1 on the held-out half vs sentences labeled, uncertainty vs random vs default."""
    sizes = data["sizes"]
    unc = [data["uncertainty"][str(n)][0] for n in sizes]
    rnd = [data["random"][str(n)] for n in sizes]
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=120)
    ax.axhline(data["default"], color="#777", linestyle="--", label=f"default model ({data['default']:.3f})")
    ax.plot(sizes, unc, "o-", color="#c0392b", label="uncertainty (stance annotate select)")
    ax.plot(sizes, [sum(r) / len(r) for r in rnd], "s-", color="#2c7fb8",
            label=f"random (mean of {len(rnd[0])} seeds)")
    for n, r in zip(sizes, rnd):
        ax.scatter([n] * len(r), r, color="#2c7fb8", s=10, alpha=0.5)
    ax.set_xlabel("sentences labeled from the archive pool")
    ax.set_ylabel("stance macro-F1, held-out half")
    ax.set_xticks(sizes)
    ax.set_title(f"Teach it your archive (real news, {data['test_pairs']} held-out pairs)", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(out)


if __name__ == "__main__":
    src = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/active_learning.json")
    dst = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/active_learning.png")
    plot(json.loads(src.read_text(encoding="utf-8")), dst)
    print(f"wrote {dst}")
