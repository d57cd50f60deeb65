"""The command line's global options and its list of subcommands.

Kept apart from :mod:`.cli`, and importing nothing but :mod:`argparse`, so
that ``python -m <package> --help`` answers without loading the client, the
validators or the HTTP stack: a generated ``__main__`` renders its
:class:`Overview` from the spec and calls :func:`answer_without_client` first.
The full command line (:class:`.cli.CommandLine`) builds its parser on the
same :func:`global_parser`, so both print the same help.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import IO

__all__ = [
    "VALIDATION_MODES",
    "Overview",
    "answer_without_client",
    "command_name",
    "global_parser",
]

VALIDATION_MODES = ("strict", "warn", "off")
"""The values of ``--validation`` (the runtime's validation modes)."""

BATCH = ("batch", "run a manifest of requests (JSON Lines), each task created once")
"""The ``batch`` subcommand's name and summary, as :mod:`.batch.cli` adds it
(importing that package here would cost more than the rest of the help; a
test compares this help with the full parser's)."""

DESCRIPTION = (
    "Call the API from the command line. Exit status: 0 done, "
    "1 the service failed, 2 invalid input."
)


class Overview:
    """What the top-level help shows, all of it from the spec.

    A plain class: this module must not import :mod:`typing` or
    :mod:`dataclasses`, which would cost more than the help itself.
    """

    __slots__ = ("base_url", "batch", "env", "hosts", "operations", "package")

    def __init__(
        self,
        *,
        package: str,
        env: str | None,
        hosts: Sequence[str],
        base_url: str,
        operations: Sequence[tuple[str, str]],
        batch: bool = False,
    ) -> None:
        self.package = package
        """The package, as ``python -m <package>`` runs it."""
        self.env = env
        """The environment variable holding the API key."""
        self.hosts = tuple(hosts)
        """The names of the API's hosts (``--base-url`` takes one)."""
        self.base_url = base_url
        """Where requests go by default."""
        self.operations = tuple(operations)
        """Each operation's id and summary, in the spec's order."""
        self.batch = batch
        """Whether the ``batch`` subcommand is offered."""


def command_name(operation_id: str) -> str:
    """The subcommand of an operation: ``get_creations`` -> ``get-creations``."""
    return operation_id.replace("_", "-")


def global_parser(
    overview: Overview,
) -> tuple[
    argparse.ArgumentParser, argparse._SubParsersAction[argparse.ArgumentParser]
]:
    """The parser with the global options, and its (empty) subcommands."""
    env = overview.env
    parser = argparse.ArgumentParser(
        prog=f"python -m {overview.package}", description=DESCRIPTION
    )
    parser.add_argument(
        "--api-key",
        help=f"the API key (default: ${env})" if env else "the API key",
    )
    hosts = ", ".join(overview.hosts)
    parser.add_argument(
        "--base-url",
        help=f"a URL or a host name ({hosts}); default {overview.base_url}",
    )
    parser.add_argument(
        "--validation",
        choices=VALIDATION_MODES,
        default="strict",
        help="strict: refuse invalid requests (default); warn: report and send; "
        "off: send unchecked",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds for each call, retries included; for a download, "
        "seconds without a byte (default 60)",
    )
    parser.add_argument("--max-retries", type=int, default=2)
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log requests to stderr"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="OPERATION")
    return parser, commands


def answer_without_client(
    overview: Overview, argv: Sequence[str], stream: IO[str] | None = None
) -> bool:
    """Print the top-level help if that is all ``argv`` asks for.

    :returns: whether it did; if not, run the full command line.
    """
    if list(argv) not in (["-h"], ["--help"]):
        return False
    parser, commands = global_parser(overview)
    for operation_id, summary in overview.operations:
        commands.add_parser(command_name(operation_id), help=summary)
    if overview.batch:
        commands.add_parser(BATCH[0], help=BATCH[1])
    parser.print_help(stream or sys.stdout)
    return True
