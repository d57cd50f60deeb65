"""Step 3: semantic checks of a structured spec (filled in below)."""

from __future__ import annotations

from generator import spec_model as sm
from generator.findings import Finding


def check_spec(spec: sm.Spec) -> list[Finding]:
    """Every semantic problem in ``spec``."""
    return []
