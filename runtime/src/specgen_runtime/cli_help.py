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
from collections.abc import Container, Sequence

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from typing import IO

__all__ = [
    "VALIDATION_MODES",
    "Overview",
    "add_global_options",
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
    "1 the service failed, 2 invalid input, 130 interrupted."
)


class Overview:
    """What the top-level help shows, all of it from the spec.

    A plain class: this module must not import :mod:`typing` or
    :mod:`dataclasses`, which would cost more than the help itself.
    """

    __slots__ = (
        "base_url",
        "base_url_env",
        "batch",
        "env",
        "hosts",
        "operations",
        "package",
    )

    def __init__(
        self,
        *,
        package: str,
        env: str | None,
        hosts: Sequence[str],
        base_url: str,
        operations: Sequence[tuple[str, str]],
        batch: bool = False,
        base_url_env: str | None = None,
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
        self.base_url_env = base_url_env
        """The environment variable that may hold the base URL."""


def command_name(operation_id: str) -> str:
    """The subcommand of an operation: ``get_creations`` -> ``get-creations``."""
    return operation_id.replace("_", "-")


def global_parser(
    overview: Overview,
) -> tuple[
    argparse.ArgumentParser, argparse._SubParsersAction[argparse.ArgumentParser]
]:
    """The parser with the global options, and its (empty) subcommands."""
    parser = argparse.ArgumentParser(
        prog=f"python -m {overview.package}", description=DESCRIPTION
    )
    add_global_options(parser, overview)
    commands = parser.add_subparsers(dest="command", required=True, metavar="OPERATION")
    return parser, commands


def add_global_options(
    parser: argparse.ArgumentParser | argparse._ArgumentGroup,
    overview: Overview,
    *,
    again: bool = False,
    taken: Container[str] = (),
) -> None:
    """Add the global options to ``parser``.

    ``again``: ``parser`` is a subcommand's, so the options may also follow
    the operation; they get no defaults there (``argparse.SUPPRESS``), so
    that one given before the operation is kept. An option whose flag is in
    ``taken`` (the subcommand has an option of that name) is left out.
    """

    def add(*flags: str, **how: object) -> None:
        if any(flag in taken for flag in flags):
            return
        if again:
            how["default"] = argparse.SUPPRESS
        parser.add_argument(*flags, **how)  # type: ignore[arg-type]

    env = overview.env
    add("--api-key", help=f"the API key (default: ${env})" if env else "the API key")
    hosts = ", ".join(overview.hosts)
    default = overview.base_url
    if overview.base_url_env:
        default = f"${overview.base_url_env} if set, else {default}"
    add("--base-url", help=f"a URL or a host name ({hosts}); default {default}")
    add(
        "--validation",
        choices=VALIDATION_MODES,
        default="strict",
        help="strict: refuse invalid requests (default); warn: report and send; "
        "off: send unchecked",
    )
    add(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds for each call, retries included; for a download, "
        "seconds without a byte (default 60)",
    )
    add(
        "--max-retries",
        type=int,
        default=2,
        help="how many times a call is sent again after a server error, a "
        "rate limit or a lost connection (default 2; 0 for none)",
    )
    add("-v", "--verbose", action="store_true", help="log requests to stderr")


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
