"""moto core change: a Content-Type that names a protocol the service does not speak is ignored.

Today ``moto.core.request.determine_request_protocol`` picks the protocol from the Content-Type
header and raises ``NotImplementedError("Unsupported protocol [query] for service drs")`` when
the service does not list it, so a rest-json request sent with ``application/x-www-form-urlencoded``
or ``application/x-amz-json-1.1`` answers an HTML 500. AWS reads such a request in the service's
own protocol whatever the header says (DRS answers rest-json to any Content-Type).

The change: fall back to the service's protocol (``service_model.protocol``) instead of raising.
Upstream it is three lines in ``determine_request_protocol``; here the function is wrapped in
the three modules that imported it by name.
"""

from collections.abc import Callable
from typing import Any

from botocore.model import ServiceModel

MODULES = ("moto.core.request", "moto.core.responses", "moto.core.routing")


def _lenient(
    original: Callable[[ServiceModel, str | None], str],
) -> Callable[[ServiceModel, str | None], str]:
    def determine_request_protocol(
        service_model: ServiceModel, content_type: str | None = None
    ) -> str:
        try:
            return original(service_model, content_type)
        except NotImplementedError:
            return str(service_model.protocol)

    determine_request_protocol.__wrapped__ = original  # type: ignore[attr-defined]
    return determine_request_protocol


def apply() -> None:
    import importlib

    for name in MODULES:
        module: Any = importlib.import_module(name)
        current = module.determine_request_protocol
        if not hasattr(current, "__wrapped__"):
            module.determine_request_protocol = _lenient(current)
