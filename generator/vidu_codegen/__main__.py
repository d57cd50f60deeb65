"""``python -m vidu_codegen``: the same as the ``vidu-codegen`` command."""

from vidu_codegen.cli import main

raise SystemExit(main())
