"""Replication configuration templates and each source server's replication configuration."""

from .base import DrsBackendCore


class ReplicationConfigurationOperations(DrsBackendCore):
    def _init_replication_configuration(self) -> None:
        """State of this family, created with the backend."""
