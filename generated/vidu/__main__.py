# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""``python -m vidu``: call the API from the command line.

Every operation of the spec is a subcommand; ``--help`` lists them. The
command line itself is the shared runtime's (:mod:`specgen_runtime.cli`).
The top-level ``--help`` is answered from :data:`OVERVIEW`, written from the
spec, without loading the client.
"""

import sys

from specgen_runtime.cli_help import Overview, answer_without_client

OVERVIEW = Overview(
    package="vidu",
    env="VIDU_API_KEY",
    hosts=["international", "china"],
    base_url="https://api.vidu.com",
    operations=[
        ("cancel", "Cancel a task that has not started yet."),
        (
            "get_credits",
            "Get the account's concurrency limit, running tasks and queued tasks.",
        ),
        ("get_creations", "Get a task's state and, once it succeeded, its creations."),
        ("list_tasks", "List the account's tasks, filtered, one page at a time."),
        (
            "reference2video",
            "Generate a video that keeps the subjects of reference images or videos.",
        ),
    ],
    batch=True,
    base_url_env="VIDU_BASE_URL",
)
"""What ``--help`` shows: the same as the full command line's parser."""


def main() -> int:
    """Run the command line; return its exit status."""
    if answer_without_client(OVERVIEW, sys.argv[1:]):
        return 0
    from specgen_runtime.cli import main as run_command_line

    from .client import Client

    return run_command_line(Client)


if __name__ == "__main__":
    raise SystemExit(main())
