"""moto core change: ``EnvironHeaders`` iterates in one pass, header names remembered.

Today iterating ``request.headers`` (``setup_class`` copies them into a rest-json service's
querystring through ``keys()``, which runs ``items()``, which runs ``__iter__``) rebuilds every
header name with ``replace`` and ``title`` through three nested generators, about 12 us a request.

The change: moto's ``EnvironHeaders`` makes the (name, value) pairs in one pass, remembering the
name each environ key gives (a bounded table), and ``keys()`` and ``items()`` read those pairs.
The pairs, preserved S3 metadata names included, and what a querystring copies are the same
(tests compare them with werkzeug's over random environs). It supersedes 0041's faster
``__iter__``. Upstream it is ``moto/core/request.py`` (``0043-header-names.diff``).
"""

from collections.abc import Iterator
from typing import Any

from moto.core import request as core_request

_MARK = "_iterates_in_one_pass"

# environ key -> (werkzeug's header name, None when it is no header; the environ key that name
# is looked up under; whether werkzeug skips it when empty). Header names are few, but a
# server's clients choose them, hence the bound.
_HEADER_NAMES: dict[str, tuple[str | None, str, bool]] = {}
_HEADER_NAMES_KEPT = 4096


def _header_name(key: str) -> tuple[str | None, str, bool]:
    """What werkzeug's ``EnvironHeaders.__iter__`` makes of an environ key."""
    if key.startswith("HTTP_") and key not in {
        "HTTP_CONTENT_TYPE",
        "HTTP_CONTENT_LENGTH",
    }:
        name = key[5:].replace("_", "-").title()
        return name, core_request.environ_key_for_header(name), False
    if key in {"CONTENT_TYPE", "CONTENT_LENGTH"}:
        name = key.replace("_", "-").title()
        return name, core_request.environ_key_for_header(name), True
    return None, "", False


def pairs(self: Any) -> list[tuple[str, str]]:
    """werkzeug's (name, value) pairs, preserved names as sent, in one pass."""
    preserved: dict[str, str] = (
        self.environ.get(core_request.PRESERVED_HEADER_NAMES_ENVIRON_KEY) or {}
    )
    found = []
    for key, value in self.environ.items():
        known = _HEADER_NAMES.get(key)
        if known is None:
            known = _header_name(key)
            if len(_HEADER_NAMES) < _HEADER_NAMES_KEPT:
                _HEADER_NAMES[key] = known
        name, lookup_key, only_if_set = known
        if name is not None and (value or not only_if_set):
            if preserved:
                name = preserved.get(lookup_key, name)
            found.append((name, value))
    return found


def headers_iter(self: Any) -> Iterator[tuple[str, str]]:
    return iter(pairs(self))


def items(self: Any, lower: bool = False) -> Iterator[tuple[str, str]]:
    found = pairs(self)
    return iter([(key.lower(), value) for key, value in found] if lower else found)


def keys(self: Any, lower: bool = False) -> Iterator[str]:
    return iter([key.lower() if lower else key for key, _ in pairs(self)])


def apply() -> None:
    headers = core_request.EnvironHeaders
    if getattr(headers.__dict__.get("items"), _MARK, False):
        return
    for function in (headers_iter, items, keys):
        setattr(function, _MARK, True)
    headers.__iter__ = headers_iter  # type: ignore[method-assign]
    headers.items = items  # type: ignore[method-assign,assignment]
    headers.keys = keys  # type: ignore[method-assign,assignment]
