"""``vidu-codegen diff``: what a spec change means for people who call the client.

``facts`` flattens a spec into facts, ``classify`` judges each difference,
``report`` prints them as Markdown or JSON, ``git`` reads a spec at a
revision, and ``command`` is the command line.
"""

from vidu_codegen.tools.diff.classify import KINDS, Change, classify, diff_facts
from vidu_codegen.tools.diff.command import run_diff
from vidu_codegen.tools.diff.facts import Fact, Key, facts
from vidu_codegen.tools.diff.git import spec_at_revision
from vidu_codegen.tools.diff.report import Report, diff_specs

__all__ = [
    "KINDS",
    "Change",
    "Fact",
    "Key",
    "Report",
    "classify",
    "diff_facts",
    "diff_specs",
    "facts",
    "run_diff",
    "spec_at_revision",
]
