"""Recovery instances backed by moto's EC2 instances, their failback and reverse replication."""

from .base import DrsBackendCore


class RecoveryInstanceOperations(DrsBackendCore):
    def _init_recovery_instances(self) -> None:
        """State of this family, created with the backend."""
