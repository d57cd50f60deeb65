"""``vidu-codegen docs-check``: what a new copy of the vendor's page changed.

``anchors`` locates the spec's quotes in a page, ``compare`` lines up the
snapshot with the new page (quotes gone or changed, text added that no quote
covers), ``coverage`` measures how much of the snapshot the spec quotes,
``report`` prints the result as Markdown or JSON, and ``command`` is the
command line (with ``--update``).
"""

from vidu_codegen.tools.docs_check.anchors import Anchored, anchor_all
from vidu_codegen.tools.docs_check.command import run_docs_check
from vidu_codegen.tools.docs_check.compare import (
    AddedLine,
    ChangedQuote,
    added_lines,
    changed_quotes,
)
from vidu_codegen.tools.docs_check.coverage import Coverage, coverage
from vidu_codegen.tools.docs_check.report import Report

__all__ = [
    "AddedLine",
    "Anchored",
    "ChangedQuote",
    "Coverage",
    "Report",
    "added_lines",
    "anchor_all",
    "changed_quotes",
    "coverage",
    "run_docs_check",
]
