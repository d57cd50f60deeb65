# Generated from the spec; do not edit: change the spec or the templates, then regenerate.
"""``python -m vidu.testing``: run the fake service until interrupted."""

from specgen_runtime.testing.cli import main

from . import FakeServer

if __name__ == "__main__":
    raise SystemExit(main(FakeServer))
