"""Service quotas of DRS, enforced with ServiceQuotaExceededException and changeable by tests.

Values and quota codes: docs/drs-semantics.md. A test can lower a quota (``set_quota``) to hit
it with three servers instead of thousands.
"""

from ..exceptions import ServiceQuotaExceededException
from .base import DrsBackendCore

# name -> (quota code, default value)
DEFAULT_QUOTAS: dict[str, tuple[str, int]] = {
    "source_servers": ("L-E28BE5E0", 4000),
}


class QuotaOperations(DrsBackendCore):
    quotas: dict[str, int]

    def _init_quotas(self) -> None:
        self.quotas = {name: value for name, (_, value) in DEFAULT_QUOTAS.items()}

    def set_quota(self, name: str, value: int) -> None:
        if name not in DEFAULT_QUOTAS:
            raise ValueError(f"Unknown DRS quota {name!r}; known: {sorted(DEFAULT_QUOTAS)}")
        self.quotas[name] = value

    def check_quota(self, name: str, wanted: int) -> None:
        limit = self.quotas.get(name)
        if limit is not None and wanted > limit:
            raise ServiceQuotaExceededException(
                f"Service quota exceeded: {name} is limited to {limit}.",
                service_code="drs",
                quota_code=DEFAULT_QUOTAS[name][0],
            )
