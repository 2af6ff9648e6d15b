"""Replication configuration templates and each source server's replication configuration."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import DrsBackend
    from .source_servers import SourceServer


class ReplicationConfigurationOperations:
    def _init_replication_configuration(self) -> None:
        """State of this family, created with the backend."""

    def _replication_configuration_for_new_server(self: "DrsBackend", server: "SourceServer") -> None:
        """A new source server takes its settings from the account's template."""

    def _replication_configuration_for_deleted_server(self: "DrsBackend", server: "SourceServer") -> None:
        """Forget the deleted server's settings."""
