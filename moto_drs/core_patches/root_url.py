"""moto core change: ``Request.root_url`` joined directly for a plain host and root path.

Today every request reads ``request.raw_url``, which reads werkzeug's ``url_root``:
``get_current_url`` quotes the root path, then ``uri_to_iri`` splits the URL again, unquotes each
part, decodes the host from Punycode and joins it again, about 8 us a request. For an http(s)
scheme, a lower-case ASCII host without Punycode, a port within range and a root path of
characters that quoting keeps, that round trip gives the text back unchanged.

The change: moto's ``Request`` joins it directly then, and leaves every other request to
werkzeug. Same answers (tests compare both over fixed and random scheme, host and root
combinations, failures included). Upstream it is ``moto/core/request.py``
(``0042-root-url.diff``).
"""

import re

from moto.core import request as core_request
from werkzeug.sansio.utils import get_current_url
from werkzeug.utils import cached_property

_MARK = "_joins_plain_root_url"
# A host werkzeug's uri_to_iri gives back as it is: lower-case ASCII, an optional port without
# leading zeros; and a root path that quoting, then unquoting, leave as it is
_ROOT_HOST = re.compile(r"[a-z0-9_.-]+(?::([1-9][0-9]{0,4}))?")
_ROOT_PATH = re.compile(r"(?:/[A-Za-z0-9_.~!$&'()*+,/:;=@-]*)?")


def root_url(self: core_request.Request) -> str:
    """werkzeug's ``root_url``, joined directly when its IRI round trip would change nothing."""
    scheme, host, root = self.scheme, self.host, self.root_path
    plain = _ROOT_HOST.fullmatch(host)
    if (
        plain is not None
        and scheme in ("http", "https")
        and "xn--" not in host
        and int(plain.group(1) or 0) <= 65535
        and _ROOT_PATH.fullmatch(root) is not None
    ):
        return f"{scheme}://{host}{root.rstrip('/')}/"
    return get_current_url(scheme, host, root)


def apply() -> None:
    if getattr(core_request.Request.__dict__.get("root_url"), _MARK, False):
        return
    joined: cached_property[str] = cached_property(root_url)
    setattr(joined, _MARK, True)
    core_request.Request.root_url = joined  # type: ignore[assignment]
