"""moto-drs: AWS Elastic Disaster Recovery for moto.

Importing this package registers DRS with moto (cheaply: the service itself loads on first use),
so ``mock_aws``, ``ThreadedMotoServer`` and ``moto_drs_server`` all serve ``boto3.client("drs")``.
"""

from typing import Any

from .registration import register

register()

__version__ = "0.1.0"
__all__ = [
    "add_recovery_snapshot",
    "add_source_server",
    "advance_clock",
    "clear_faults",
    "connect_failback_client",
    "get_clock",
    "inject_fault",
    "list_faults",
    "list_quotas",
    "mock_drs",
    "register",
    "set_data_replication_state",
    "set_quota",
]


def __getattr__(name: str) -> Any:
    # lazy, so that `import moto_drs` stays cheap
    if name == "mock_drs":
        from .decorator import mock_drs

        return mock_drs
    if name in (
        "add_source_server",
        "add_recovery_snapshot",
        "connect_failback_client",
        "set_data_replication_state",
        "advance_clock",
        "get_clock",
    ):
        from . import seeding

        return getattr(seeding, name)
    if name in (
        "inject_fault",
        "list_faults",
        "clear_faults",
        "set_quota",
        "list_quotas",
    ):
        from . import faults

        return getattr(faults, name)
    raise AttributeError(f"module 'moto_drs' has no attribute {name!r}")
