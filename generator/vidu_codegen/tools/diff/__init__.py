"""``vidu-codegen diff``: what a spec change means for people who call the client."""

from vidu_codegen.tools.diff.facts import (
    KINDS,
    Change,
    Fact,
    Key,
    Report,
    diff_facts,
    diff_specs,
    facts,
    run_diff,
    spec_at_revision,
)

__all__ = [
    "KINDS",
    "Change",
    "Fact",
    "Key",
    "Report",
    "diff_facts",
    "diff_specs",
    "facts",
    "run_diff",
    "spec_at_revision",
]
