"""Command-line interface: ``stance predict | report | train | evaluate | mentions | actors | labels``.

One module per command group (``predict.py``, ``report.py``, ``train.py``, ``evaluate.py``,
``mentions.py``, ``labels.py``); :mod:`stance.cli.main` holds the ``stance`` group, registers them,
and is the entry point. The commands only read options, call the library and print: the scoring
engines are :mod:`stance.local` and :mod:`stance.dask`.
"""

from .main import cli, main

__all__ = ["cli", "main"]
