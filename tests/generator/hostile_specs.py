"""A corpus of hostile specs: each is refused by ``lint`` with its exact
positioned messages, in bounded time, and ``generate`` writes nothing.

Each case edits a copy of the tiny spec (``tests/specs/tiny``): every edit
replaces the first ``old`` in a file by ``new``. ``bench/reliability_specs.py``
runs the same corpus and prints the figures.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import attrs

TINY = Path(__file__).resolve().parent.parent / "specs" / "tiny"
API = "api.yaml"
OP = "operations/render.yaml"

BOMB = "bomb:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"  {chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n"
    for i in range(8)
)
"""About 1 KB of YAML that stands for 10**9 values once its aliases expand."""


@attrs.frozen
class Hostile:
    """One hostile spec: its edits and the findings lint must print."""

    name: str
    edits: tuple[tuple[str, str, str], ...]
    expected: tuple[str, ...]

    def write(self, folder: Path) -> Path:
        """A copy of the tiny spec with this case's edits, in ``folder/spec``."""
        spec = folder / "spec"
        shutil.copytree(TINY, spec)
        for file, old, new in self.edits:
            path = spec / file
            text = path.read_text(encoding="utf-8")
            if old not in text:
                raise AssertionError(f"{self.name}: {old!r} is not in {file}")
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return spec


CORPUS = (
    Hostile(
        "alias bomb",
        ((API, "models:\n", BOMB + "models:\n"),),
        (
            "spec/api.yaml:17:42: the file holds more than 100000 values once its YAML aliases are expanded",
        ),
    ),
    Hostile(
        "deep nesting",
        ((API, "models:\n", "deep: " + "[" * 200 + "]" * 200 + "\nmodels:\n"),),
        ("spec/api.yaml:12:38: nested more than 32 levels deep",),
    ),
    Hostile(
        "huge integer",
        ((OP, "default: 256}", "default: " + "9" * 5000 + "}"),),
        ("spec/operations/render.yaml:23:45: integer with more than 18 digits",),
    ),
    Hostile(
        "huge file",
        ((API, "models:\n", "# " + "x" * (1024 * 1024) + "\nmodels:\n"),),
        (
            "spec/api.yaml:1:1: file is larger than 1048576 bytes (the limit of a spec file)",
        ),
    ),
    Hostile(
        "backtracking pattern",
        (
            (
                OP,
                "responses:\n",
                'patterns:\n  word:\n    regex: "(a+)+$"\n    describe: a word\n\nresponses:\n',
            ),
        ),
        (
            "spec/operations/render.yaml:50:12: pattern word: the regex repeats a quantifier inside a repeated group (such as (a+)+), which can take exponential time",
        ),
    ),
    Hostile(
        "backreference pattern",
        (
            (
                OP,
                "responses:\n",
                'patterns:\n  twice:\n    regex: "(a)\\\\1"\n    describe: twice\n\nresponses:\n',
            ),
        ),
        (
            "spec/operations/render.yaml:50:12: pattern twice: the regex uses a backreference, which can take exponential time",
        ),
    ),
    Hostile(
        "custom tag",
        (
            (
                API,
                "  summary: A made-up rendering API.\n",
                "  summary: !!python/object/apply:os.system [echo hi]\n",
            ),
        ),
        (
            "spec/api.yaml:5:12: YAML tag !!python/object/apply:os.system is not allowed (a spec holds plain data)",
        ),
    ),
    Hostile(
        "local tag",
        ((API, "  summary: A made-up rendering API.\n", "  summary: !env HOME\n"),),
        ("spec/api.yaml:5:12: YAML tag !env is not allowed (a spec holds plain data)",),
    ),
    Hostile(
        "NUL in a summary",
        (
            (
                OP,
                "  summary: Render a picture.\n",
                '  summary: "Render\\0 a picture."\n',
            ),
        ),
        (
            "spec/operations/render.yaml:5:12: control character U+0000 in text (not allowed in a spec)",
        ),
    ),
    Hostile(
        "escape character in a summary",
        ((OP, "  summary: Render a picture.\n", '  summary: "Render \\e[31m"\n'),),
        (
            "spec/operations/render.yaml:5:12: control character U+001B in text (not allowed in a spec)",
        ),
    ),
    Hostile(
        "raw control character",
        ((OP, "  summary: Render a picture.\n", "  summary: Render\x07 a picture.\n"),),
        (
            "spec/operations/render.yaml:5:18: control character U+0007 in text (not allowed in a spec)",
        ),
    ),
    Hostile(
        "path-escaping operation id",
        ((OP, "  id: render\n", "  id: ../../escaped\n"),),
        (
            "spec/operations/render.yaml:2:7: operation id '../../escaped' must be lower-case words joined by _ or -: [a-z][a-z0-9]*([_-][a-z0-9]+)*",
        ),
    ),
    Hostile(
        "operation id with code",
        ((OP, "  id: render\n", '  id: "render(); import os"\n'),),
        (
            "spec/operations/render.yaml:2:7: operation id 'render(); import os' must be lower-case words joined by _ or -: [a-z][a-z0-9]*([_-][a-z0-9]+)*",
        ),
    ),
    Hostile(
        "operation named like a client method",
        ((OP, "  id: render\n", "  id: download\n"),),
        (
            "spec/operations/render.yaml:2:7: operation id 'download' is a name the generated code already uses",
        ),
    ),
    Hostile(
        "operation named batch",
        ((OP, "  id: render\n", "  id: batch\n"),),
        (
            "spec/operations/render.yaml:2:7: operation id 'batch' is a name the generated code already uses",
        ),
    ),
    Hostile(
        "package with code",
        ((API, "  package: acme\n", '  package: "acme; import os"\n'),),
        (
            "spec/api.yaml:4:12: package 'acme; import os' must be a lower-case Python name: [a-z][a-z0-9_]{0,63}",
        ),
    ),
    Hostile(
        "package named tests",
        ((API, "  package: acme\n", "  package: tests\n"),),
        (
            "spec/api.yaml:4:12: package 'tests' is a name the generated code already uses",
        ),
    ),
    Hostile(
        "display name with code",
        (
            (
                API,
                "  name: Acme Render\n",
                '  name: "Acme\\"\\"\\"; import os; \\"\\"\\""\n',
            ),
        ),
        (
            'spec/api.yaml:3:9: name \'Acme"""; import os; """\' must be letters, digits and spaces, from a capital: [A-Z][A-Za-z0-9 ]{0,63}',
        ),
    ),
    Hostile(
        "environment variable with code",
        (
            (
                API,
                "    scheme: Key\n",
                '    scheme: Key\n    env: "KEY\\"); import os; (\\""\n',
            ),
        ),
        (
            "spec/api.yaml:11:10: environment variable 'KEY\"); import os; (\"' must be an UPPER_CASE environment variable: [A-Z_][A-Z0-9_]{0,127}",
        ),
    ),
    Hostile(
        "class name with code",
        (
            (
                OP,
                "    class: RenderRequest\n",
                '    class: "RenderRequest(object): pass\\nimport os\\nclass X"\n',
            ),
        ),
        (
            "spec/operations/render.yaml:10:12: class name 'RenderRequest(object): pass\\nimport os\\nclass X' must be CapitalisedWords (letters and digits): [A-Z][A-Za-z0-9]{0,63}",
        ),
    ),
    Hostile(
        "reserved class name",
        ((OP, "    class: RenderRequest\n", "    class: Client\n"),),
        (
            "spec/operations/render.yaml:10:12: class name 'Client' is a name the generated code already uses",
        ),
    ),
    Hostile(
        "enum member with code",
        ((API, "      INK: ink\n", '      "INK = 1; import os; X": ink\n'),),
        (
            "spec/api.yaml:22:7: enum member 'INK = 1; import os; X' must be UPPER_CASE: [A-Z][A-Z0-9_]{0,63}",
        ),
    ),
    Hostile(
        "field name with code",
        ((OP, "      hdr:\n", '      "hdr\\"); import os; (\\"":\n'),),
        (
            "spec/operations/render.yaml:36:7: field name 'hdr\"); import os; (\"' must be snake_case (lower-case words joined by _): [a-z][a-z0-9]*(_[a-z0-9]+)*",
            "spec/operations/render.yaml:44:16: unknown field 'hdr' in when; fields: engine, size, style, tags, hdr\"); import os; (\"",
            "spec/operations/render.yaml:45:16: unknown field 'hdr'; fields: engine, size, style, tags, hdr\"); import os; (\"",
        ),
    ),
    Hostile(
        "field named self",
        (
            (OP, "      hdr:\n", "      self:\n"),
            (OP, "{hdr: true, ", "{self: true, "),
            (OP, "      field: hdr\n", "      field: self\n"),
        ),
        (
            "spec/operations/render.yaml:36:7: field name 'self' is a name the generated code already uses",
        ),
    ),
    Hostile(
        "field named to_json",
        ((OP, "      tags:\n", "      to_json:\n"),),
        (
            "spec/operations/render.yaml:31:7: field name 'to_json' is a name the generated code already uses",
        ),
    ),
    Hostile(
        "field named like a per-call option",
        ((OP, "      tags:\n", "      timeout:\n"),),
        (
            "spec/operations/render.yaml:31:7: field name 'timeout' is a name the generated code already uses",
        ),
    ),
    Hostile(
        "field named like a keyword",
        ((OP, "      tags:\n", "      class:\n"),),
        ("spec/operations/render.yaml:31:7: field name 'class' is a Python keyword",),
    ),
    Hostile(
        "capitalised field name",
        ((OP, "      tags:\n", "      Tags:\n"),),
        (
            "spec/operations/render.yaml:31:7: field name 'Tags' must be snake_case (lower-case words joined by _): [a-z][a-z0-9]*(_[a-z0-9]+)*",
        ),
    ),
    Hostile(
        "hyphenated field name",
        ((OP, "      tags:\n", "      tag-list:\n"),),
        (
            "spec/operations/render.yaml:31:7: field name 'tag-list' must be snake_case (lower-case words joined by _): [a-z][a-z0-9]*(_[a-z0-9]+)*",
        ),
    ),
    Hostile(
        "form name with code",
        ((OP, "  plain:\n", '  "plain\\nimport os":\n'),),
        (
            "spec/operations/render.yaml:9:3: form name 'plain\\nimport os' must be snake_case (lower-case words joined by _): [a-z][a-z0-9]*(_[a-z0-9]+)*",
        ),
    ),
    Hostile(
        "constant collision",
        (
            (
                OP,
                "      hdr:\n",
                "      tags_count:\n        type: integer\n        summary: Count.\n      hdr:\n",
            ),
        ),
        (
            "spec/operations/render.yaml:36:7: field tags_count gives the generated name RENDER_PLAIN_TAGS_COUNT, which field tags (at spec/operations/render.yaml:31:7) already gives",
        ),
    ),
    Hostile(
        "path parameter named self",
        (
            (
                OP,
                "  path: /v1/render\n",
                "  path: /v1/render/{self}\n  params:\n    self: {summary: Itself.}\n",
            ),
        ),
        (
            "spec/operations/render.yaml:6:5: path parameter 'self' is a name the generated code already uses",
        ),
    ),
    Hostile(
        "asset name with code",
        (
            (
                API,
                "models:\n",
                'assets:\n  "pic; import os":\n    class: Pic\n    summary: A picture.\n    formats: {image/png: png}\n\nmodels:\n',
            ),
        ),
        (
            "spec/api.yaml:13:3: asset name 'pic; import os' must be snake_case (lower-case words joined by _): [a-z][a-z0-9]*(_[a-z0-9]+)*",
        ),
    ),
)
