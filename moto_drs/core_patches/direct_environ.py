"""moto core change: an in-process request's WSGI environ is built directly, not by werkzeug's test builder.

Today ``Request.from_primitives`` (every request the decorator intercepts) goes through
werkzeug's ``Request.from_values``: an ``EnvironBuilder`` that copies the headers twice, runs
``iri_to_uri`` over the base URL and the path, validates every header value with a regular
expression and measures the body's stream. Measured on GetLaunchConfiguration: 45 us of the
~300 us moto spends on the call (docs/performance.md, round 8).

The change builds the same environ in one pass for the requests botocore sends: an http(s)
URL whose host is lower-case ASCII (what ``iri_to_uri`` leaves as it is), a path of the
characters it does not quote, header values without line breaks, a body of bytes, text or
nothing. Anything else (a file-like body, an upper-case or international host, a path that
needs quoting, an empty multipart body) still goes through ``from_values``, so every request
gets exactly the environ it got before; ``tests/test_core_patches.py`` compares the two.

Upstream it is ``_direct_environ`` in ``moto/core/request.py`` (``0040-direct-environ.diff``).
"""

import re
import sys
from io import BytesIO
from typing import Any
from urllib.parse import ParseResult, unquote

from moto.core import request as core_request

_MARK = "_builds_environ_directly"
# what iri_to_uri leaves unquoted in a path (unreserved characters and its safe set)
_PLAIN_PATH = re.compile(r"/(?!/)[A-Za-z0-9_.~!$&'()*+,/:;=@%-]*")
# a host iri_to_uri keeps as it is: lower-case ASCII labels of 1 to 63 characters
_PLAIN_HOST = re.compile(r"(?:[a-z0-9_-]{1,63}\.)*[a-z0-9_-]{0,63}")
_PORT = re.compile(r"[1-9][0-9]{0,4}")
_LINE_BREAK = re.compile(r"[\r\n]")


def _latin1(text: str) -> str:
    """WSGI's native string for ``text`` (werkzeug's ``_wsgi_encoding_dance``)."""
    return text.encode().decode("latin1")


def direct_environ(
    method: str, parsed_url: ParseResult, header_items: list[tuple[str, Any]], body: Any
) -> dict[str, Any] | None:
    """The environ ``from_values`` would build for this request, or None if it is not a
    plain one (then the caller asks ``from_values``)."""
    scheme, netloc, path = parsed_url.scheme, parsed_url.netloc, parsed_url.path
    if scheme not in ("http", "https") or not _PLAIN_PATH.fullmatch(path):
        return None
    host, colon, port = netloc.partition(":")
    if not host or not _PLAIN_HOST.fullmatch(host):
        return None
    if colon and not (_PORT.fullmatch(port) and int(port) <= 65535):
        return None
    if body is None:
        body = b""
    elif isinstance(body, str):
        body = body.encode()
    elif not isinstance(body, bytes):
        return None

    content_type = None
    http_headers: dict[str, list[str]] = {}
    for key, value in header_items:
        if (
            not isinstance(key, str)
            or not isinstance(value, str)
            or _LINE_BREAK.search(value)
        ):
            return None
        folded = key.lower()
        if folded == "content-type":
            if content_type is None:
                content_type = value
        elif folded != "content-length":
            http_headers.setdefault(f"HTTP_{key.upper().replace('-', '_')}", []).append(
                value
            )

    content_length: str | None = None
    if body:
        content_length = str(len(body))
    else:
        mimetype = content_type.partition(";")[0].strip() if content_type else None
        if mimetype == "multipart/form-data":
            return None  # werkzeug writes an empty multipart body with a boundary of its own
        if mimetype == "application/x-www-form-urlencoded":
            content_length = "0"

    raw_uri = _latin1(path)
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": _latin1(unquote(path)),
        "QUERY_STRING": _latin1(parsed_url.query),
        "REQUEST_URI": raw_uri,
        "RAW_URI": raw_uri,
        "SERVER_NAME": host,
        "SERVER_PORT": port if colon else ("443" if scheme == "https" else "80"),
        "HTTP_HOST": netloc,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scheme,
        "wsgi.input": BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if content_type is not None:
        environ["CONTENT_TYPE"] = content_type
    if content_length is not None:
        environ["CONTENT_LENGTH"] = content_length
    for key, values in http_headers.items():
        environ[key] = ", ".join(values)
    return environ


def from_primitives(
    cls: type[core_request.Request],
    method: str,
    url: str,
    headers: Any,
    body: Any = None,
) -> core_request.Request:
    """moto's ``Request.from_primitives``, with the environ built by ``direct_environ``."""
    if isinstance(body, core_request.AwsChunkedWrapper):
        body = body.read()
    header_items = [
        (key, value.decode("utf-8") if isinstance(value, bytes) else value)
        for key, value in headers.items()
        if key.lower() not in ["transfer-encoding"]
    ]
    parsed_url = core_request.urlparse(url)
    environ = direct_environ(method, parsed_url, header_items, body)
    if environ is not None:
        request = cls(environ)
    else:
        request = cls.from_values(  # type: ignore[assignment]
            method=method,
            base_url=f"{parsed_url.scheme}://{parsed_url.netloc}",
            path=parsed_url.path,
            query_string=parsed_url.query,
            data=body if body is not None else b"",
            headers=header_items,
        )
    request.environ[core_request.PRESERVED_HEADER_NAMES_ENVIRON_KEY] = {
        core_request.environ_key_for_header(key): key
        for key, _ in header_items
        if core_request.should_preserve_original_header_name(key)
    }
    request.environ.setdefault("CONTENT_LENGTH", "0")
    return request


def apply() -> None:
    current = core_request.Request.__dict__["from_primitives"].__func__
    if getattr(current, _MARK, False):
        return
    setattr(from_primitives, _MARK, True)
    core_request.Request.from_primitives = classmethod(from_primitives)  # type: ignore[assignment]
