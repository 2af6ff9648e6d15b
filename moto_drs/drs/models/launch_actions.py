"""Launch actions (post-launch SSM actions) of source servers and launch configuration templates."""

from .base import DrsBackendCore


class LaunchActionOperations(DrsBackendCore):
    def _init_launch_actions(self) -> None:
        """State of this family, created with the backend."""
