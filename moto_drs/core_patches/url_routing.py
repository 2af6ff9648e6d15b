"""moto core change: the decorator's URL routing remembers what it learnt about a URL.

Today ``BotocoreStubber.process_request`` routes every in-process request from scratch: it tries
the URL pattern of each service in ``backend_index.backend_url_patterns`` in turn (about 50 failed
regex matches before DRS, 60 before DSQL), then rebuilds the matched backend's ``urls`` (a
``re.sub`` per URL path and DNS suffix) and looks each of them up in ``re``'s cache. Measured
on one-ID DescribeSourceServers, that is about 30 us of the ~350 us the mock spends on a call
(docs/performance.md).

The change keeps two caches, and routes exactly as before:

- per clean URL (bounded), which service patterns matched it, in order, and where the scan
  stopped: a request to that URL again runs the same passthrough, whitelist and backend-URL
  checks for those services only, and resumes the scan after them if none answered (a
  pattern's match depends only on the URL and the pattern; the cache is dropped when the
  pattern list changes);
- per backend, its URLs compiled, keyed by the url bases, the url paths and the ISO-regions
  switch they are built from. Backends that compute their URLs themselves (S3 reloads its
  ``urls`` module on every request) are not cached.

Upstream it replaces the loop in ``moto/core/botocore_stubber.py`` (``0021-url-routing-cache.diff``).
"""

import re
import sys
import threading
from collections.abc import Callable
from typing import Any

from moto.core import botocore_stubber
from moto.core.base_backend import BackendDict, BaseBackend
from moto.core.botocore_stubber import BotocoreStubber

_MARK = "_caches_url_routing"
_MAX_URLS = 2048
_NOT_IMPLEMENTED = re.compile(r"https?://.+\.amazonaws.com/.*")

Handler = Callable[..., Any]


class _Routes:
    """What the pattern scan found per URL, for one version of the pattern list."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.patterns: tuple[Any, ...] = ()
        self.by_url: dict[str, tuple[tuple[str, ...], int]] = {}
        self.urls: dict[type, tuple[Any, ...]] = {}

    def known(self, clean_url: str, patterns: list[Any]) -> tuple[tuple[str, ...], int]:
        """(services whose pattern matched, index to resume the scan at) for ``clean_url``."""
        if len(patterns) != len(self.patterns) or tuple(patterns) != self.patterns:
            with self.lock:
                self.patterns = tuple(patterns)
                self.by_url = {}
        return self.by_url.get(clean_url, ((), 0))

    def learn(self, clean_url: str, services: tuple[str, ...], resume_at: int) -> None:
        with self.lock:
            if len(self.by_url) >= _MAX_URLS:
                self.by_url = {}
            self.by_url[clean_url] = (services, resume_at)

    def compiled_urls(self, backend: Any) -> list[tuple[re.Pattern[str], Handler]]:
        """``backend.urls`` compiled; cached when built by ``BaseBackend`` from its urls module
        (per backend class, while its urls module, url bases, url paths and the ISO switch are
        unchanged)."""
        cls = type(backend)
        if (
            cls.urls is not BaseBackend.urls
            or cls.url_bases is not BaseBackend.url_bases
            or cls._url_module is not BaseBackend._url_module
        ):
            return [(re.compile(url), handler) for url, handler in backend.urls.items()]
        from moto.settings import enable_iso_regions

        iso = enable_iso_regions()
        cached = self.urls.get(cls)
        if cached is not None:
            name, known, bases, paths, was_iso, compiled = cached
            if (
                was_iso == iso
                and known.url_bases == bases
                and known.url_paths == paths
                and sys.modules.get(name) is known
            ):
                return compiled
        module = backend._url_module
        bases, paths = list(module.url_bases), dict(module.url_paths)
        compiled = [(re.compile(url), handler) for url, handler in backend.urls.items()]
        with self.lock:
            self.urls[cls] = (module.__name__, module, bases, paths, iso, compiled)
        return compiled


_routes = _Routes()


def _any_backend(service: str) -> Any:
    """The backend whose ``urls`` route the service, picked as moto picks it."""
    import moto.backends as backends
    from moto.core import DEFAULT_ACCOUNT_ID

    backend_dict = backends.get_backend(service)  # type: ignore[call-overload]
    if isinstance(backend_dict, BackendDict):
        if "us-east-1" in backend_dict[DEFAULT_ACCOUNT_ID]:
            return backend_dict[DEFAULT_ACCOUNT_ID]["us-east-1"]
        return backend_dict[DEFAULT_ACCOUNT_ID]["aws"]
    return backend_dict["global"]


def process_request(self: BotocoreStubber, request: Any) -> Any:
    """moto's ``process_request``, with the pattern scan and the backend URLs cached."""
    import moto.backend_index as backend_index
    from moto.core.exceptions import HTTPException, ServiceNotWhitelisted
    from moto.moto_api import recorder

    stubber = botocore_stubber  # its names, looked up per call as moto's code does
    parsed_url, _ = stubber.get_equivalent_url_in_aws_domain(request.url)
    clean_url = f"{parsed_url.scheme}://{parsed_url.netloc}{parsed_url.path}"
    if stubber.passthrough_url(clean_url):
        return None

    def answer(service: str) -> Any:
        """None when none of the service's URLs matches: the scan goes on."""
        if stubber.passthrough_service(service):
            return passthrough
        if not stubber.service_whitelisted(service):
            raise ServiceNotWhitelisted(service)
        for pattern, method_to_execute in _routes.compiled_urls(_any_backend(service)):
            if pattern.match(clean_url):
                normalized_request = stubber.normalize_request(request)
                try:
                    recorder._record_request(normalized_request)
                    status, headers, body = method_to_execute(
                        normalized_request,
                        normalized_request.raw_url,
                        normalized_request.headers,
                    )
                except HTTPException as e:
                    status = e.code
                    headers = e.get_headers()
                    body = e.get_body()
                return status, headers, body
        return None

    patterns = backend_index.backend_url_patterns
    matched, resume_at = _routes.known(clean_url, patterns)
    for service in matched:
        response = answer(service)
        if response is not None:
            return None if response is passthrough else response
    found = list(matched)
    for index in range(resume_at, len(patterns)):
        service, pattern = patterns[index]
        if pattern.match(clean_url):
            found.append(service)
            _routes.learn(clean_url, tuple(found), index + 1)
            response = answer(service)
            if response is not None:
                return None if response is passthrough else response
    _routes.learn(clean_url, tuple(found), len(patterns))
    if _NOT_IMPLEMENTED.match(clean_url):
        return 404, {}, "Not yet implemented"
    return None


passthrough = object()  # answer(): the service is passed through to AWS


def apply() -> None:
    if getattr(BotocoreStubber.process_request, _MARK, False):
        return
    setattr(process_request, _MARK, True)
    BotocoreStubber.process_request = process_request  # type: ignore[method-assign]
