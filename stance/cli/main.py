"""The ``stance`` command group and the entry point.

A command group lives in its own module of this package and is listed in :data:`COMMANDS`; adding
one (``stance annotate …``) is a new module and one line here. Only the CLI turns library errors into
click errors (exit status 1 with a message on stderr); ``STANCE_DEBUG=1`` shows tracebacks instead.
Modules import what they use when a command runs, so ``stance --help`` loads click only.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys

import click

# (module, name of the click command or group in it): a new command group is a module and one line here
COMMANDS = [
    ("stance.cli.mentions", "mentions"),
    ("stance.cli.mentions", "actors"),
    ("stance.cli.labels", "labels"),
    ("stance.cli.train", "train"),
    ("stance.cli.evaluate", "evaluate"),
    ("stance.cli.predict", "predict"),
    ("stance.cli.report", "report"),
    ("stance.annotate.cli", "annotate"),
]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stance")
def cli() -> None:
    """Stance toward political actors in Arabic news, sentence by sentence."""


for _module, _name in COMMANDS:
    cli.add_command(getattr(importlib.import_module(_module), _name))


_MAIN_PID: int | None = None  # the process that installed the SIGTERM handler (not its forked workers)


def _terminate(signum: int, frame: object) -> None:
    """SIGTERM in the ``stance`` process is Ctrl-C; in a forked worker, the default: end at once.

    ``--jobs`` workers are forked with this handler and get SIGTERM when the whole process group is
    signalled (``kill -- -PGID``, a supervisor). A KeyboardInterrupt raised there would unwind wherever
    the worker stands, possibly holding the pool's queue lock, and print a traceback; the parent ends
    the run itself.
    """
    if os.getpid() != _MAIN_PID:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
        return
    raise KeyboardInterrupt


def install_sigterm_handler() -> None:
    """Handle SIGTERM like Ctrl-C in this process (see :func:`_terminate`)."""
    global _MAIN_PID
    _MAIN_PID = os.getpid()
    signal.signal(signal.SIGTERM, _terminate)


def main() -> None:
    """Entry point: run the CLI, hiding tracebacks unless STANCE_DEBUG=1.

    SIGTERM is handled like Ctrl-C: outputs keep their complete records and a
    model being trained is not written (the previous one stays intact).
    """
    install_sigterm_handler()
    if os.environ.get("STANCE_DEBUG"):
        cli()
        return
    try:
        code = cli.main(standalone_mode=False)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, click.Abort):
        click.echo("interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:  # the reader went away (stance mentions … | head): stop quietly, as click does
        sys.stdout = None
        sys.exit(1)
    except Exception as exc:  # the one place that turns an unexpected error into a message
        click.echo(f"stance: unexpected error: {type(exc).__name__}: {exc}\n"
                   "rerun with STANCE_DEBUG=1 to see the traceback, and please report it", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
