# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""``python -m vidu``: call the API from the command line.

Every operation of the spec is a subcommand; ``--help`` lists them. The
command line itself is the shared runtime's (:mod:`specgen_runtime.cli`).
"""

from specgen_runtime.cli import main

from .client import Client

if __name__ == "__main__":
    raise SystemExit(main(Client))
