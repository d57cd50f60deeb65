"""Write a synthetic spec of N operations, made from the bundled one.

The bundled ``spec/`` is copied whole; then its operation files are written
again, in turn, until there are N, each copy ``k`` with its names made
unique: the operation id gets ``_c<k>``, the path ``/c<k>`` after its first
segment pair, every class (forms, objects, responses) a ``C<k>`` suffix
(except inside double-quoted strings: the page's quotes stay as they are),
every pattern a ``_c<k>`` suffix. The copies drop ``task:`` (one operation
per task role) so the spec stays valid: ``vidu-codegen lint`` passes on the
result. (With N below the bundled count, the last files are left out.)

Run::

    python bench/synth_spec.py N OUT_DIR
"""

import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

SPEC = Path(__file__).resolve().parent.parent / "spec"

_CLASS = re.compile(r"^\s+class: ([A-Z]\w*)\s*$", re.M)


def _keys_under(text: str, section: str, indent: int) -> list[str]:
    """The keys at ``indent`` spaces in the top-level or nested ``section``."""
    names: list[str] = []
    for match in re.finditer(rf"^( *){section}:[ \t]*$", text, re.M):
        base = len(match.group(1))
        for line in text[match.end() :].splitlines()[1:]:
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            depth = len(line) - len(line.lstrip())
            if depth <= base:
                break
            key = re.match(rf"^ {{{base + indent}}}([\w.-]+):", line)
            if key:
                names.append(key.group(1))
    return names


_QUOTED = r'"(?:[^"\\\n]|\\.)*"'
"""A double-quoted YAML string (quotes of the vendor's page are written so)."""


def _outside_quotes(pattern: str, replacement: str, text: str) -> str:
    """``text`` with ``pattern`` replaced except inside double-quoted strings,
    so that a quote of the page stays what the page says."""
    return re.sub(
        rf"{_QUOTED}|{pattern}",
        lambda m: m.group(0) if m.group(0).startswith('"') else replacement,
        text,
    )


def copy_operation(text: str, k: int) -> str:
    """The text of one operation file, its names made unique for copy ``k``."""
    classes = set(_CLASS.findall(text))
    classes |= set(_keys_under(text, "responses", 2))
    classes |= set(_keys_under(text, "objects", 2))
    patterns = _keys_under(text, "patterns", 2)
    for name in sorted(classes, key=len, reverse=True):
        text = _outside_quotes(rf"\b{re.escape(name)}\b", f"{name}C{k}", text)
    for name in patterns:
        text = re.sub(rf"(pattern: ){re.escape(name)}\b", rf"\g<1>{name}_c{k}", text)
        text = re.sub(
            rf"^(  ){re.escape(name)}:", rf"\g<1>{name}_c{k}:", text, flags=re.M
        )
    text = re.sub(r"^(  id: )(\w+)\s*$", rf"\g<1>\g<2>_c{k}", text, count=1, flags=re.M)
    text = re.sub(
        r"^(  path: )(/[^/\s]+/[^/\s]+)", rf"\g<1>\g<2>/c{k}", text, count=1, flags=re.M
    )
    return re.sub(r"^  task: \w+\s*\n", "", text, flags=re.M)


def operations() -> list[Path]:
    """The bundled spec's operation files, in name order."""
    return sorted((SPEC / "operations").glob("*.yaml"))


def write(count: int, out: Path) -> Path:
    """Write a spec of ``count`` operations to ``out``: the bundled spec, then
    renamed copies of its operations (in turn) until there are ``count``."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(SPEC, out)
    bundled = operations()
    for index in range(len(bundled), count):
        k, path = index // len(bundled) + 1, bundled[index % len(bundled)]
        text = copy_operation(path.read_text(encoding="utf-8"), k)
        target = out / "operations" / f"{path.stem}_c{k}.yaml"
        target.write_text(text, encoding="utf-8")
    for path in bundled[count:]:
        (out / "operations" / path.name).unlink()
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2 or not args[0].isdigit() or int(args[0]) < 1:
        print(__doc__, file=sys.stderr)
        return 2
    out = write(int(args[0]), Path(args[1]))
    print(f"{int(args[0])} operations in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
