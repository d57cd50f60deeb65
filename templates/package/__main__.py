# requires: tasks, errors
"""``python -m <package>``: call the API from the command line (see :mod:`._cli`)."""

from ._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
