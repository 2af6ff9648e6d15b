"""Jobs (LAUNCH, TERMINATE, CREATE_CONVERTED_SNAPSHOT), their log items, and StartRecovery."""

from .base import DrsBackendCore


class JobOperations(DrsBackendCore):
    def _init_jobs(self) -> None:
        """State of this family, created with the backend."""
