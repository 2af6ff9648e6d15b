"""Launch actions (post-launch SSM actions) of source servers and launch configuration templates."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import DrsBackend
    from .source_servers import SourceServer


class LaunchActionOperations:
    def _init_launch_actions(self) -> None:
        """State of this family, created with the backend."""

    def _launch_actions_for_deleted_server(self: "DrsBackend", server: "SourceServer") -> None:
        """Forget the deleted server's launch actions."""
