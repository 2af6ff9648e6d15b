"""Recovery instances backed by moto's EC2 instances, their failback and reverse replication."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import DrsBackend
    from .source_servers import SourceServer


class RecoveryInstanceOperations:
    def _init_recovery_instances(self) -> None:
        """State of this family, created with the backend."""

    def _recovery_instances_before_replication_change(
        self: "DrsBackend", server: "SourceServer", operation: str
    ) -> None:
        """Veto (ConflictException) changes that a server's recovery instance forbids."""

    def _recovery_instances_before_server_deleted(self: "DrsBackend", server: "SourceServer") -> None:
        """Veto deleting a server whose recovery instance still exists, if DRS does."""
