"""The document as JSON or as YAML that YAML 1.1 readers read back the same."""

from __future__ import annotations

import functools
import io
import json
from collections.abc import Mapping
from typing import Any

from vidu_codegen.tools.openapi.base import Format


def render_openapi(document: Mapping[str, Any], fmt: Format = "json") -> str:
    """``document`` as JSON (two-space indent) or YAML text, ending in a newline."""
    if fmt == "json":
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "yaml":
        return _yaml(document)
    raise ValueError(f"unknown format {fmt!r}: use json or yaml")


def _yaml(document: Mapping[str, Any]) -> str:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    yaml.width = 4096
    # YAML 1.1 readers (PyYAML) take `16:9` for a number and `on` for a
    # boolean: quote every string a 1.1 resolver would not read back as one.
    yaml.representer.add_representer(str, _represent_str)
    out = io.StringIO()
    yaml.dump(_plain(document), out)
    return out.getvalue()


@functools.cache
def _yaml11_tag(value: str) -> str:
    """The tag a YAML 1.1 reader gives the plain scalar ``value``."""
    from ruamel.yaml.nodes import ScalarNode
    from ruamel.yaml.resolver import VersionedResolver

    resolver = VersionedResolver(version=(1, 1))
    return str(resolver.resolve(ScalarNode, value, (True, False)))


def _represent_str(representer: Any, value: str) -> Any:
    style = None
    if "\n" in value:
        style = "|"  # ruamel falls back to quotes where a block cannot say it
    elif _yaml11_tag(value) != "tag:yaml.org,2002:str":
        style = '"'
    return representer.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _plain(value: Any) -> Any:
    """Copy ``value`` with plain dicts and lists (ruamel keeps their order)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
