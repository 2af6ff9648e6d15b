"""moto core change: three per-request look-ups of ``BaseResponse.setup_class`` do less work.

Today, for every request:

- iterating ``request.headers`` (moto's ``EnvironHeaders``; ``setup_class`` copies the headers
  into the querystring of a rest-json service) rebuilds each header's environ key to look up a
  preserved name, even when the request preserved none (every request but S3 metadata);
- the ``Date`` response header formats the clock with ``werkzeug.http.http_date``, though the
  text changes once a second;
- ``get_access_key`` runs ``access_key_regex`` (a backtracking ``AWS.*`` search of the whole
  ``Authorization`` header, ~4 us) twice, once for ``access_key`` and once more inside
  ``get_current_account``.

The change: the iteration yields werkzeug's pairs as they are when nothing was preserved; the
Date text is kept for the second it was made in; the access key found in an ``Authorization``
header is remembered for that header (one entry, per pattern). Answers are the same; about
15 us less a request (docs/performance.md, round 8).

Upstream it is ``moto/core/request.py`` and ``moto/core/responses.py``
(``0041-request-lookups.diff``). The plugin applies the Date and access-key parts here; the header
iteration is superseded by 0043 (``header_names``, one pass with remembered names), which the
plugin applies instead.
"""

import datetime
from typing import Any

from moto.core import responses as core_responses
from werkzeug.http import http_date as werkzeug_http_date

_MARK = "_looks_up_less"

_last_date: tuple[datetime.datetime | None, str] = (None, "")


def http_date(timestamp: Any = None) -> str:
    """werkzeug's ``http_date``; for a naive ``datetime`` (moto's clock), the text of its second
    is made once."""
    global _last_date
    if type(timestamp) is not datetime.datetime or timestamp.tzinfo is not None:
        return werkzeug_http_date(timestamp)
    second = timestamp.replace(microsecond=0)
    made_for, text = _last_date
    if made_for != second:
        text = werkzeug_http_date(second)
        _last_date = (second, text)
    return text


_last_key: tuple[Any, str | None, Any] = (None, None, None)


def get_access_key(self: Any) -> str:
    """moto's ``BaseResponse.get_access_key``, the header's search remembered."""
    global _last_key
    if "Authorization" in self.headers:
        authorization = self.headers["Authorization"]
        pattern = self.access_key_regex
        known_pattern, known_header, match = _last_key
        if known_pattern is not pattern or known_header != authorization:
            match = pattern.search(authorization)
            _last_key = (pattern, authorization, match)
        if match:
            return str(match.group(1))

    if self.querystring.get("AWSAccessKeyId"):
        return str(self.querystring["AWSAccessKeyId"][0])
    else:
        return "AKIAEXAMPLE"


def apply() -> None:
    if getattr(core_responses.BaseResponse.get_access_key, _MARK, False):
        return
    for function in (http_date, get_access_key):
        setattr(function, _MARK, True)
    core_responses.http_date = http_date
    core_responses.BaseResponse.get_access_key = get_access_key  # type: ignore[method-assign]
