"""Service quotas of DRS, enforced with ServiceQuotaExceededException and changeable by tests.

Values and quota codes: AWS General Reference, "Elastic Disaster Recovery endpoints and quotas"
(https://docs.aws.amazon.com/general/latest/gr/drs.html; service code ``drs``). The mock lets
a test change any quota, adjustable or not (``set_quota``), to hit it with three servers
instead of thousands; moto's reset restores the documented values.
"""

from dataclasses import dataclass
from typing import Any

from ..exceptions import ServiceQuotaExceededException, ValidationException
from .base import DrsBackendCore

SERVICE_CODE = "drs"


@dataclass(frozen=True)
class Quota:
    code: str
    default: int
    description: str
    adjustable: bool


QUOTAS: dict[str, Quota] = {
    "source_servers": Quota(
        "L-E28BE5E0", 4000, "Total source servers per account", True
    ),
    "replicating_source_servers": Quota(
        "L-C1D14A2B", 300, "Replicating source servers per account", False
    ),
    "servers_per_job": Quota(
        "L-B827C881", 100, "Source servers in a single job", False
    ),
    "concurrent_jobs": Quota("L-D88FAC3A", 20, "Concurrent jobs in progress", False),
    "servers_in_active_jobs": Quota(
        "L-05AFA8C6", 500, "Source servers in all active jobs", False
    ),
    "concurrent_jobs_per_source_server": Quota(
        "L-DD6D028C", 1, "Concurrent jobs per source server", False
    ),
    "launch_actions_per_resource": Quota(
        "L-0588D03B", 200, "Launch actions per resource", False
    ),
    "launch_configuration_templates": Quota(
        "L-1F3FAE4D", 1, "Launch configuration templates per account", False
    ),
    "source_networks": Quota("L-4B0323BD", 100, "Source networks per account", True),
}
_NAME_BY_CODE = {quota.code: name for name, quota in QUOTAS.items()}


def quota_name(name_or_code: str) -> str:
    """The quota's name, given its name or its Service Quotas code (``L-...``)."""
    name = _NAME_BY_CODE.get(name_or_code, name_or_code)
    if name not in QUOTAS:
        raise ValidationException(
            f"Unknown DRS quota {name_or_code!r}; known: {sorted(QUOTAS)} or their codes {sorted(_NAME_BY_CODE)}.",
            reason="other",
            field_list=[{"name": "name", "message": "Unknown quota"}],
        )
    return name


class QuotaOperations(DrsBackendCore):
    def _init_quotas(self) -> None:
        self.quotas = {name: quota.default for name, quota in QUOTAS.items()}

    def set_quota(self, name_or_code: str, value: int) -> None:
        name = quota_name(name_or_code)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValidationException(
                f"A quota value must be a non-negative integer, not {value!r}.",
                reason="other",
                field_list=[
                    {"name": "value", "message": "Must be a non-negative integer"}
                ],
            )
        self.quotas[name] = value

    def quota_values(self) -> list[dict[str, Any]]:
        """Every quota as Service Quotas would list it, with this backend's current value."""
        return [
            {
                "name": name,
                "quotaCode": quota.code,
                "serviceCode": SERVICE_CODE,
                "description": quota.description,
                "value": self.quotas[name],
                "defaultValue": quota.default,
                "adjustable": quota.adjustable,
            }
            for name, quota in QUOTAS.items()
        ]

    def check_quota(
        self,
        name: str,
        wanted: int,
        resource_id: str | None = None,
        resource_type: str | None = None,
    ) -> None:
        """Raise ServiceQuotaExceededException (402) when ``wanted`` exceeds quota ``name``.

        Call it before changing anything, with the count the change would lead to.
        """
        quota = QUOTAS[name]
        limit = self.quotas[name]
        if wanted > limit:
            raise ServiceQuotaExceededException(
                f"Service quota exceeded: {quota.description} is limited to {limit} "
                f"(service code {SERVICE_CODE}, quota code {quota.code}); this request needs {wanted}.",
                resource_id=resource_id,
                resource_type=resource_type,
                service_code=SERVICE_CODE,
                quota_code=quota.code,
            )

    def quota_limit(self, name: str) -> int:
        return self.quotas[name]
