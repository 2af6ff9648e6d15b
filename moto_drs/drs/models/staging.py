"""Extended source servers: servers that replicate in a staging account, managed from this account.

Rules (user guide, "Using multiple staging accounts", /drs/latest/userguide/multi-account.html):
- The staging account trusts this (target) account with the IAM role
  ``DRSStagingAccountRole_<target account ID>``; without it, the staging calls answer AccessDenied.
- An extended source server is a source server of this account that mirrors its staging server:
  data replication state, errors and recovery snapshots are the staging server's, read whenever the
  extended server is read. Replication itself is the staging account's: StopReplication and
  StartReplication refuse an extended server. If the staging server is deleted or the role revoked,
  the extended server stays, with stagingArea.status EXTENSION_ERROR.
- Disconnecting an extended server affects this account only; it then no longer follows its staging
  server and can be deleted.
"""

import copy
import re
from typing import TYPE_CHECKING, Any

from moto.utilities.utils import get_partition

from ..exceptions import (
    AccessDeniedException,
    ConflictException,
    ResourceNotFoundException,
    ThrottlingException,
    ValidationException,
)
from ..utils import now
from .base import DrsBackendCore
from .paging import paginate_list
from .pit_snapshots import delete_ebs_snapshots

if TYPE_CHECKING:
    from .source_servers import SourceServer

STAGING_ROLE = "DRSStagingAccountRole_{target_account_id}"
# How long a read waits for the staging account's backend before keeping the last mirrored state.
STAGING_LOCK_TIMEOUT_SECONDS = 2
MAX_STAGING_ACCOUNTS_PAGE = (
    50  # the Accounts list of ListStagingAccounts holds at most 50
)


def mirror_staging_server(extended: "SourceServer", staging: "SourceServer") -> None:
    """Make ``extended`` show what its staging server replicates (state, error, snapshots)."""
    state = staging.data_replication_state
    extended.status = state
    extended.restart_progression()  # the staging server's state machine moves, not the copy's
    extended.data_replication_error = copy.deepcopy(staging.data_replication_error)
    extended.mirror_health(staging)
    extended.initiation_started_at = staging.initiation_started_at
    extended.first_byte_at = staging.first_byte_at
    # the staging server's schedule, brought up to date and materialised in the staging account
    staging_snapshots = staging.recovery_snapshots()
    # prunes the extended server's own on-demand snapshots by retention
    extended.pit.update(extended, now(), materialize=False)
    mirrored = {}
    for snapshot_id, snapshot in staging_snapshots.items():
        copied = extended.snapshots.get(snapshot_id)
        if (
            copied is None
        ):  # the same point in time, seen as a snapshot of the extended server
            copied = copy.copy(snapshot)
            copied.source_server_id = extended.source_server_id
        mirrored[snapshot_id] = copied
    if staging_snapshots:
        # StartRecovery's on-demand snapshots of the extended server stay (the staging server's scheduled
        # ones are the only others); they go when the staging server's snapshots are deleted (StopReplication)
        since = min(snapshot.taken_at for snapshot in staging_snapshots.values())
        for snapshot_id, snapshot in extended.snapshots.items():
            if (
                snapshot_id not in mirrored
                and snapshot.on_demand
                and snapshot.taken_by == extended.source_server_id
                and snapshot.taken_at >= since
            ):
                mirrored[snapshot_id] = snapshot
    for snapshot_id, snapshot in extended.snapshots.items():
        if (
            snapshot_id not in mirrored
            and snapshot.taken_by == extended.source_server_id
        ):
            delete_ebs_snapshots(snapshot, extended.region_name)
    extended.snapshots = mirrored


def split_source_server_arn(arn: str) -> tuple[str, str, str, str, str]:
    """(partition, service, Region, account, source server ID) of a SourceServerARN."""
    head, _, source_server_id = arn.partition(":source-server/")
    _, partition, service, region, account = head.split(":", 4)
    return partition, service, region, account, source_server_id


class StagingOperations(DrsBackendCore):
    def _init_staging(self) -> None:
        # extended servers disconnected here: they no longer follow their staging server
        self.disconnected_extensions: set[str] = set()

    # -- the staging account ------------------------------------------------------------------------

    def _staging_backend(self, staging_account_id: str) -> Any | None:
        """The staging account's DRS in this Region, if it was initialized there."""
        from . import drs_backends

        backend = drs_backends[staging_account_id][self.region_name]
        return backend if backend.initialized else None

    def _trusted_by(self, staging_account_id: str) -> bool:
        from moto.iam.models import iam_backends

        iam = iam_backends[staging_account_id][get_partition(self.region_name)]
        name = STAGING_ROLE.format(target_account_id=self.account_id)
        return any(role.name == name for role in iam.get_roles())

    def _require_trust(self, staging_account_id: str, field: str) -> None:
        if not re.fullmatch(r"[0-9]{12}", staging_account_id):
            raise ValidationException(
                f"{staging_account_id} is not a 12-digit AWS account ID.",
                field_list=[
                    {"name": field, "message": "Must be a 12-digit account ID"}
                ],
            )
        if staging_account_id == self.account_id:
            raise ValidationException(
                f"Account {staging_account_id} is this account; a staging account is another account whose "
                "source servers are extended into this one.",
                field_list=[{"name": field, "message": "Must be another account"}],
            )
        if not self._trusted_by(staging_account_id):
            role = STAGING_ROLE.format(target_account_id=self.account_id)
            raise AccessDeniedException(
                f"Account {staging_account_id} does not trust account {self.account_id}: create the IAM role "
                f"{role} in the staging account (DRS console: Settings, trusted accounts)."
            )

    def _locked(self, backend: Any) -> bool:
        return bool(backend.lock.acquire(timeout=STAGING_LOCK_TIMEOUT_SECONDS))

    def _extended_arns(self) -> set[str]:
        return {
            server.staging_area["stagingSourceServerArn"]
            for server in self.all_source_servers()
            if server.staging_area["status"] != "NOT_EXTENDED"
        }

    # -- hooks ------------------------------------------------------------------------------------

    def _staging_before_server_read(self, server: "SourceServer") -> None:
        area = server.staging_area
        if (
            area["status"] == "NOT_EXTENDED"
            or server.source_server_id in self.disconnected_extensions
        ):
            return
        account_id = area["stagingAccountID"]
        problem = None
        staging = self._staging_backend(account_id)
        if not self._trusted_by(account_id):
            problem = f"Account {account_id} no longer trusts this account (its staging role was removed)."
        elif staging is None:
            problem = f"Elastic Disaster Recovery is not initialized in staging account {account_id}."
        elif not self._locked(staging):
            return  # the staging account is busy: keep showing the last mirrored state
        else:
            try:
                staging_server = self._staging_server_or_none(
                    staging, area["stagingSourceServerArn"]
                )
                if staging_server is None:
                    problem = f"The staging source server {area['stagingSourceServerArn']} was deleted."
                else:
                    mirror_staging_server(server, staging_server)
                    self._replication_configuration_mirror_staging(
                        server, staging, staging_server
                    )
            finally:
                staging.lock.release()
        if problem:
            server.staging_area = {
                **area,
                "status": "EXTENSION_ERROR",
                "errorMessage": problem,
            }
        else:
            server.staging_area = {
                key: value for key, value in area.items() if key != "errorMessage"
            }
            server.staging_area["status"] = "EXTENDED"

    @staticmethod
    def _staging_server_or_none(staging: Any, arn: str) -> "SourceServer | None":
        try:
            server: SourceServer = staging.get_source_server(
                split_source_server_arn(arn)[4]
            )
        except ResourceNotFoundException:
            return None
        return server

    def _staging_before_replication_change(
        self, server: "SourceServer", operation: str
    ) -> None:
        if server.staging_area["status"] == "NOT_EXTENDED":
            return
        if operation == "DisconnectSourceServer":
            self.disconnected_extensions.add(server.source_server_id)
            return
        raise ConflictException(
            f"Cannot {operation} extended source server {server.source_server_id}: it replicates in staging "
            f"account {server.staging_area['stagingAccountID']}, which manages its replication.",
            server.source_server_id,
            "SOURCE_SERVER",
        )

    # -- ListStagingAccounts, ListExtensibleSourceServers, CreateExtendedSourceServer ---------------

    def list_staging_accounts(
        self, max_results: int | None = None, next_token: str | None = None
    ) -> tuple[list[dict[str, str]], str | None]:
        """The staging accounts of this account's extended source servers, by account ID."""
        accounts = sorted(
            {
                server.staging_area["stagingAccountID"]
                for server in self.all_source_servers()
                if server.staging_area["status"] != "NOT_EXTENDED"
            }
        )
        items = [{"accountID": account_id} for account_id in accounts]
        return paginate_list(
            items, "accountID", max_results or MAX_STAGING_ACCOUNTS_PAGE, next_token
        )

    def list_extensible_source_servers(
        self,
        staging_account_id: str,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """API reference: servers "not already extended into this Account" and "not an extension of
        another source server"; a disconnected server is on its way out, so it is not offered either."""
        self._require_trust(staging_account_id, "stagingAccountID")
        staging = self._staging_backend(staging_account_id)
        items: list[dict[str, Any]] = []
        if staging is not None:
            if not self._locked(staging):
                raise ThrottlingException(
                    f"Staging account {staging_account_id} is busy; retry."
                )
            try:
                extended = self._extended_arns()
                for server in staging.all_source_servers():
                    if (
                        server.staging_area["status"] != "NOT_EXTENDED"
                        or server.arn in extended
                    ):
                        continue
                    if server.data_replication_state == "DISCONNECTED":
                        continue
                    hints = server.source_properties.get("identificationHints", {})
                    items.append(
                        {
                            "hostname": hints.get("hostname", ""),
                            "arn": server.arn,
                            "tags": server.tags,
                        }
                    )
            finally:
                staging.lock.release()
        return paginate_list(
            items, "arn", max_results, next_token, staging=staging_account_id
        )

    def create_extended_source_server(
        self, source_server_arn: str, tags: dict[str, str] | None = None
    ) -> "SourceServer":
        partition, service, region, account_id, source_server_id = (
            split_source_server_arn(source_server_arn)
        )
        if (partition, service, region) != (
            get_partition(self.region_name),
            "drs",
            self.region_name,
        ):
            raise ValidationException(
                f"{source_server_arn} is not a DRS source server of Region {self.region_name}; a server is "
                "extended from a staging account in the same Region.",
                field_list=[
                    {
                        "name": "sourceServerArn",
                        "message": "Must be a source server of this Region",
                    }
                ],
            )
        self._require_trust(account_id, "sourceServerArn")
        staging = self._staging_backend(account_id)
        if staging is None:
            raise ResourceNotFoundException(
                source_server_id,
                "SOURCE_SERVER",
                f"Source server {source_server_arn} not found.",
            )
        if not self._locked(staging):
            raise ThrottlingException(f"Staging account {account_id} is busy; retry.")
        try:
            staging_server = self._staging_server_or_none(staging, source_server_arn)
            if staging_server is None:
                raise ResourceNotFoundException(
                    source_server_id,
                    "SOURCE_SERVER",
                    f"Source server {source_server_arn} not found.",
                )
            self._check_extensible(staging_server)
            # registered as not replicating here: it replicates in the staging account (quota L-C1D14A2B)
            server = self.add_source_server(
                source_properties=copy.deepcopy(staging_server.source_properties),
                tags=tags,
                source_cloud_properties=copy.deepcopy(
                    staging_server.source_cloud_properties
                ),
                data_replication_state="STOPPED",
            )
            server.staging_area = {
                "status": "EXTENDED",
                "stagingAccountID": account_id,
                "stagingSourceServerArn": staging_server.arn,
            }
            mirror_staging_server(server, staging_server)
            self._replication_configuration_mirror_staging(
                server, staging, staging_server
            )
        finally:
            staging.lock.release()
        return server

    def _check_extensible(self, staging_server: "SourceServer") -> None:
        arn = staging_server.arn
        problem = None
        if staging_server.staging_area["status"] != "NOT_EXTENDED":
            problem = "it is itself an extension of a source server of another account"
        elif arn in self._extended_arns():
            problem = f"it is already extended into account {self.account_id}"
        elif staging_server.data_replication_state == "DISCONNECTED":
            problem = "it is disconnected"
        if problem:
            raise ValidationException(
                f"Cannot extend source server {arn}: {problem}.",
                reason="other",
                field_list=[{"name": "sourceServerArn", "message": problem}],
            )
