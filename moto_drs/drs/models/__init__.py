"""DrsBackend: the state of Elastic Disaster Recovery for one account and region.

The backend is assembled from one class per resource family, each in its own module and each a
subclass of ``DrsBackendCore`` (base.py), which holds what they share and the hooks between them.
"""

from moto.core.base_backend import BackendDict

from .base import DrsBackendCore, drs_service_model
from .events import EventOperations
from .failback import FailbackOperations
from .jobs import JobOperations
from .launch_actions import LaunchActionOperations
from .launch_configuration import LaunchConfigurationOperations
from .quotas import QuotaOperations
from .recovery_instances import RecoveryInstanceOperations
from .recovery_plans import RecoveryPlanOperations
from .replication_configuration import ReplicationConfigurationOperations
from .source_networks import SourceNetworkOperations
from .source_servers import SourceServerOperations
from .staging import StagingOperations

__all__ = ["DrsBackend", "drs_backends", "drs_service_model"]


class DrsBackend(
    SourceServerOperations,
    ReplicationConfigurationOperations,
    LaunchConfigurationOperations,
    LaunchActionOperations,
    JobOperations,
    RecoveryInstanceOperations,
    FailbackOperations,
    RecoveryPlanOperations,
    SourceNetworkOperations,
    StagingOperations,
    QuotaOperations,
    EventOperations,
    DrsBackendCore,
):
    """Implementation of the Elastic Disaster Recovery APIs."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self._init_source_servers()
        self._init_quotas()
        self._init_replication_configuration()
        self._init_launch_configuration()
        self._init_launch_actions()
        self._init_jobs()
        self._init_recovery_instances()
        self._init_failback()
        self._init_source_networks()
        self._init_staging()
        self._init_recovery_plans()


drs_backends = BackendDict(DrsBackend, "drs")

# the CloudFormation resource types (moto's CloudFormation finds them once they are defined)
from . import cloudformation  # noqa: E402, F401
