"""``REFERENCE.md`` of the bundled spec shows each media note once.

The notes of the media (image, video) are listed under "Media"; the rows of
the sources table that share that reading point there instead of repeating
it, and a row whose reading differs still shows its own.
"""

from __future__ import annotations

from vidu_codegen.pipeline import load_spec

from tests.conftest import PROJECT
from tests.e2e.test_reference import reference

SPEC = PROJECT / "spec"


def test_each_media_note_is_shown_once() -> None:
    loaded = load_spec(SPEC)
    assert loaded.spec is not None
    notes = [a.note for a in loaded.spec.root.assets.values() if a.note]
    assert notes, "the bundled spec has media notes"
    text = reference(SPEC)
    for note in notes:
        assert text.count(note) == 1, note
    assert "reading: see the notes under Media" in text
