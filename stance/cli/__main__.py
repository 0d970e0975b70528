"""``python -m stance.cli``: the same as the ``stance`` command."""

from .main import main

main()
