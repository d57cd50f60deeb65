"""``python -m generator``: the same as the ``vidu-codegen`` command."""

from generator.cli import main

raise SystemExit(main())
