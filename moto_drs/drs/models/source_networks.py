"""Source networks: protected VPCs, their replication into a CloudFormation template, and recovery.

A source network protects a VPC of moto's EC2 (in the origin account and Region). While its
replication runs (state-manager model ``drs::source-network``: IN_PROGRESS -> PROTECTED) the mock
keeps a copy of the VPC's configuration, refreshed whenever the network is read, as DRS keeps
"synchronized for changes"; recovery works from that copy even once the origin VPC is gone.
Recovery deploys the copy as a stack in moto's CloudFormation of this account and Region, then
points each member server's EC2 launch template at the recovered subnet. The S3 bucket is the
launch configuration template's ``exportBucketArn``. The copy of the VPC and the template built from
it are network_templates.py. Source: the DRS user guide, "Protecting and recovering networks"
(/drs/latest/userguide/recovering-source-network.html), and the API reference of each operation.
"""

import copy
import functools
import json
from typing import TYPE_CHECKING, Any

from moto.core.common_models import BaseModel
from moto.core.exceptions import ServiceException
from moto.moto_api._internal import mock_random
from moto.utilities.utils import get_partition

from ..exceptions import (
    ConflictException,
    ResourceNotFoundException,
    ValidationException,
)
from ..utils import drs_arn, new_id, now
from .base import DrsBackendCore, find_resource
from .configuration_common import register_with_tags
from .ec2_integration import (
    default_version_data,
    ec2_of,
    launch_template_exists,
    set_default_version,
)
from .managed_state import DrsManagedState
from .network_templates import capture_network, cfn_template, drs_stack_tags
from .paging import paginate_list

if TYPE_CHECKING:
    from .jobs import Job
    from .source_servers import SourceServer

SOURCE_NETWORK_MODEL = "drs::source-network"
REPLICATION_PROGRESSION: list[tuple[str | None, str]] = [("IN_PROGRESS", "PROTECTED")]
UPDATED_FOR_NETWORK = "Updated by Elastic Disaster Recovery for source network recovery"


# -- the source network ---------------------------------------------------------------------------


class SourceNetwork(BaseModel, DrsManagedState):
    """A protected VPC. ``status`` is its replication's progress, meaningful while ``replicating``."""

    def __init__(
        self,
        backend: DrsBackendCore,
        vpc_id: str,
        origin_account_id: str,
        origin_region: str,
    ) -> None:
        DrsManagedState.__init__(
            self, SOURCE_NETWORK_MODEL, transitions=REPLICATION_PROGRESSION
        )
        self._backend = backend
        self.source_network_id = new_id("sn")
        self.arn = drs_arn(
            backend.region_name,
            backend.account_id,
            f"source-network/{self.source_network_id}",
        )
        self.source_vpc_id = vpc_id
        self.source_account_id = origin_account_id
        self.source_region = origin_region
        self.replicating = False
        self.error: str | None = None
        self.replicated: dict[str, Any] | None = (
            None  # the last copy of the VPC's configuration
        )
        self.cfn_stack_name: str | None = None
        self.launched_vpc_id: str | None = None
        self.last_recovery: dict[str, Any] = {"lastRecoveryResult": "NOT_STARTED"}
        self.job: Job | None = None  # the last recovery or association job
        self.announced_status = (
            "STOPPED"  # the replicationStatus last sent to EventBridge
        )

    @property
    def origin_ec2(self) -> Any | None:
        return ec2_of(self.source_account_id, self.source_region)

    def origin_vpc_exists(self) -> bool:
        ec2 = self.origin_ec2
        return ec2 is not None and self.source_vpc_id in ec2.vpcs

    @property
    def in_active_job(self) -> bool:
        return self.job is not None and self.job.is_active

    def start_replication(self) -> None:
        self.replicating = True
        self.error = None
        self.status = "IN_PROGRESS"
        self.restart_progression()

    def observe(self) -> None:
        """Replication follows the origin VPC: copied while PROTECTED, ERROR once the VPC is gone."""
        if not self.replicating:
            return
        if not self.origin_vpc_exists():
            self.error = (
                f"VPC {self.source_vpc_id} no longer exists in account {self.source_account_id}, "
                f"Region {self.source_region}."
            )
            return
        self.error = None
        if self.status == "PROTECTED":
            self.replicated = capture_network(self.origin_ec2, self.source_vpc_id)

    @property
    def replication_status(self) -> str:
        if not self.replicating:
            return "STOPPED"
        if self.error:
            return "ERROR"
        return self.status or "IN_PROGRESS"

    def placement_of(self, instance_id: str) -> dict[str, Any] | None:
        """Where an origin instance sits (subnet CIDR, group names): as replicated, else as EC2 shows it now."""
        if self.replicated and instance_id in self.replicated["instances"]:
            return dict(self.replicated["instances"][instance_id])
        ec2 = self.origin_ec2
        if ec2 is None or not self.origin_vpc_exists():
            return None
        return capture_network(ec2, self.source_vpc_id)["instances"].get(instance_id)

    def announce_status(self) -> None:
        """EventBridge hears of each replicationStatus change clients can see (events-ref-drs)."""
        if self.replication_status != self.announced_status:
            self.announced_status = self.replication_status
            self._backend.emit_event(
                "DRS Source Network Protection Status Change",
                [self.arn],
                {"state": self.announced_status},
            )

    def finish_recovery(self, result: str) -> None:
        """The recovery (or association) job ended: its lastRecoveryResult, announced to EventBridge."""
        self.last_recovery["lastRecoveryResult"] = result
        self._backend.emit_event(
            "DRS Source Network Recovery Result",
            [self.arn],
            {"state": result, "job-id": self.last_recovery.get("jobID")},
        )

    def describe(self) -> dict[str, Any]:
        self.observe()
        self.announce_status()
        item: dict[str, Any] = {
            "sourceNetworkID": self.source_network_id,
            "arn": self.arn,
            "sourceVpcID": self.source_vpc_id,
            "sourceAccountID": self.source_account_id,
            "sourceRegion": self.source_region,
            "replicationStatus": self.replication_status,
            "lastRecovery": dict(self.last_recovery),
            "tags": self._backend.tagger.get_tag_dict_for_resource(self.arn),
        }
        if self.replicating and self.error:
            item["replicationStatusDetails"] = self.error[:256]
        if self.cfn_stack_name:
            item["cfnStackName"] = self.cfn_stack_name
        if self.launched_vpc_id:
            item["launchedVpcID"] = self.launched_vpc_id
        return item


class NetworkDeployment:
    """One source network of a recovery job: the stack it deploys, and its ParticipatingResource."""

    def __init__(self, network: SourceNetwork, stack_name: str, update: bool) -> None:
        self.network = network
        self.stack_name = stack_name
        self.update = update
        self.resource: dict[str, Any] = {
            "participatingResourceID": {"sourceNetworkID": network.source_network_id},
            "launchStatus": "PENDING",
        }


def network_event(
    network: SourceNetwork, stack_name: str | None = None, target_vpc: str | None = None
) -> dict[str, Any]:
    """The eventResourceData of a job log item about a source network."""
    data = {
        "sourceNetworkID": network.source_network_id,
        "sourceVpc": network.source_vpc_id,
    }
    if target_vpc:
        data["targetVpc"] = target_vpc
    if stack_name:
        data["stackName"] = stack_name
    return {"sourceNetworkData": data}


# -- the operations -------------------------------------------------------------------------------


class SourceNetworkOperations(DrsBackendCore):
    def _init_source_networks(self) -> None:
        self.source_networks: dict[str, SourceNetwork] = {}

    def _source_network(self, source_network_id: str) -> SourceNetwork:
        return find_resource(
            self.source_networks, source_network_id, "SOURCE_NETWORK", "Source network"
        )

    @staticmethod
    def _require_idle(network: SourceNetwork, action: str) -> None:
        if network.in_active_job:
            assert network.job is not None
            raise ConflictException(
                f"Cannot {action} source network {network.source_network_id}: its job {network.job.job_id} "
                f"is {network.job.phase}.",
                network.source_network_id,
                "SOURCE_NETWORK",
            )

    # -- source servers in a protected VPC -------------------------------------------------------

    def _origin_instance(self, server: "SourceServer") -> tuple[str, str, str] | None:
        """(account, Region, instance ID) of an in-AWS source server's origin instance."""
        cloud = server.source_cloud_properties or {}
        instance_id = server.source_properties.get("identificationHints", {}).get(
            "awsInstanceID"
        )
        region = cloud.get("originRegion")
        if not instance_id or not region:
            return None
        return cloud.get("originAccountID") or self.account_id, region, instance_id

    def _network_of(
        self, server: "SourceServer", vpc_of: dict[str, str]
    ) -> SourceNetwork | None:
        origin = self._origin_instance(server)
        if origin is None:
            return None
        account, region, instance_id = origin
        for network in self.source_networks.values():
            if (network.source_account_id, network.source_region) != (account, region):
                continue
            if vpc_of.get(instance_id) == network.source_vpc_id:
                return network
        return None

    @staticmethod
    def _instance_vpcs(ec2: Any | None) -> dict[str, str]:
        return (
            {}
            if ec2 is None
            else {instance.id: instance.vpc_id for instance in ec2.all_instances()}
        )

    def _source_networks_for_new_server(self, server: "SourceServer") -> None:
        origin = self._origin_instance(server)
        if origin is None or not self.source_networks:
            return
        network = self._network_of(
            server, self._instance_vpcs(ec2_of(origin[0], origin[1]))
        )
        if network is not None:
            server.source_network_id = network.source_network_id

    def _join_servers(self, network: SourceNetwork) -> None:
        """Existing servers whose origin instance is in the newly protected VPC join the network."""
        vpc_of = self._instance_vpcs(network.origin_ec2)
        for server in self.all_source_servers():
            if (
                server.source_network_id is None
                and self._network_of(server, vpc_of) is network
            ):
                server.source_network_id = network.source_network_id

    # -- Create/Delete/DescribeSourceNetworks ------------------------------------------------------

    def create_source_network(
        self,
        vpc_id: str,
        origin_account_id: str,
        origin_region: str,
        tags: dict[str, str] | None = None,
    ) -> str:
        ec2 = ec2_of(origin_account_id, origin_region)
        if ec2 is None:
            raise ValidationException(
                f"Region {origin_region} has no EC2 VPCs to protect.",
                field_list=[{"name": "originRegion", "message": "Not an EC2 Region"}],
            )
        if vpc_id not in ec2.vpcs:
            raise ResourceNotFoundException(
                vpc_id,
                "VPC",
                f"VPC {vpc_id} not found in account {origin_account_id}, Region {origin_region}.",
            )
        for existing in self.source_networks.values():
            if (
                existing.source_vpc_id,
                existing.source_account_id,
                existing.source_region,
            ) == (
                vpc_id,
                origin_account_id,
                origin_region,
            ):
                raise ConflictException(
                    f"VPC {vpc_id} is already protected by source network {existing.source_network_id}.",
                    existing.source_network_id,
                    "SOURCE_NETWORK",
                )
        self.check_quota("source_networks", len(self.source_networks) + 1)
        network = SourceNetwork(self, vpc_id, origin_account_id, origin_region)
        register_with_tags(self, network.arn, network, tags)
        self.source_networks[network.source_network_id] = network
        self._join_servers(network)
        return network.source_network_id

    def delete_source_network(self, source_network_id: str) -> None:
        """The recovered stack and VPC stay: they belong to the account's CloudFormation."""
        self.settle_jobs()
        network = self._source_network(source_network_id)
        self._require_idle(network, "delete")
        for server in self.all_source_servers():
            if server.source_network_id == source_network_id:
                server.source_network_id = None
        del self.source_networks[source_network_id]
        self.unregister_taggable(network.arn)

    def describe_source_networks(
        self,
        filters: dict[str, Any] | None = None,
        max_results: int | None = None,
        next_token: str | None = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """An unknown ID is left out of the result: the model lists no ResourceNotFoundException here."""
        self.settle_jobs()
        filters = filters or {}
        networks = list(self.source_networks.values())
        ids = filters.get("sourceNetworkIDs")
        if ids:
            networks = [
                self.source_networks[i]
                for i in dict.fromkeys(ids)
                if i in self.source_networks
            ]
        if filters.get("originAccountID"):
            networks = [
                n for n in networks if n.source_account_id == filters["originAccountID"]
            ]
        if filters.get("originRegion"):
            networks = [
                n for n in networks if n.source_region == filters["originRegion"]
            ]
        page, token = paginate_list(
            networks, "source_network_id", max_results, next_token, filters=filters
        )
        for network in page:  # a read by a poller: manual progression counts it
            network.advance()
        return [network.describe() for network in page], token

    # -- replication ------------------------------------------------------------------------------

    def start_source_network_replication(
        self, source_network_id: str
    ) -> dict[str, Any]:
        network = self._source_network(source_network_id)
        if network.replicating:
            raise ConflictException(
                f"Source network {source_network_id} is already replicating ({network.replication_status}).",
                source_network_id,
                "SOURCE_NETWORK",
            )
        if not network.origin_vpc_exists():
            raise ConflictException(
                f"Cannot replicate source network {source_network_id}: VPC {network.source_vpc_id} no longer "
                f"exists in account {network.source_account_id}, Region {network.source_region}.",
                source_network_id,
                "SOURCE_NETWORK",
            )
        # user guide: "You must specify the S3 bucket before you initiate network replication"
        self._export_bucket(network)
        network.start_replication()
        return network.describe()

    def stop_source_network_replication(self, source_network_id: str) -> dict[str, Any]:
        """The last replicated configuration is kept: it can still be exported and recovered."""
        network = self._source_network(source_network_id)
        if not network.replicating:
            raise ConflictException(
                f"Source network {source_network_id} is not replicating.",
                source_network_id,
                "SOURCE_NETWORK",
            )
        network.observe()  # what replication saw last
        network.replicating = False
        network.error = None
        return network.describe()

    def _replicated(self, network: SourceNetwork) -> dict[str, Any]:
        network.observe()
        if network.replicated is None:
            raise ConflictException(
                f"Source network {network.source_network_id} has no replicated network configuration yet: start "
                "its replication and let it reach PROTECTED.",
                network.source_network_id,
                "SOURCE_NETWORK",
            )
        return network.replicated

    # -- the S3 bucket and the CloudFormation template --------------------------------------------

    def _export_bucket(self, network: SourceNetwork) -> tuple[str, str]:
        """(bucket, key prefix) of the launch configuration template's exportBucketArn, which must exist."""
        from moto.s3.exceptions import MissingBucket
        from moto.s3.models import s3_backends

        arn = self.export_bucket_arn()
        if not arn:
            raise ConflictException(
                "No S3 bucket is selected for source network templates: set exportBucketArn on the launch "
                "configuration template.",
                network.source_network_id,
                "SOURCE_NETWORK",
            )
        bucket, _, prefix = arn.split(":::", 1)[1].partition("/")
        try:
            s3_backends[self.account_id][get_partition(self.region_name)].get_bucket(
                bucket
            )
        except MissingBucket:
            raise ConflictException(
                f"The S3 bucket {bucket} of exportBucketArn does not exist.",
                network.source_network_id,
                "SOURCE_NETWORK",
            ) from None
        return bucket, f"{prefix.rstrip('/')}/" if prefix else ""

    def _template(self, network: SourceNetwork) -> dict[str, Any]:
        ec2 = ec2_of(self.account_id, self.region_name)
        zones = (
            [zone.name for zone in ec2.describe_availability_zones()]
            if ec2 is not None
            else []
        )
        return cfn_template(network, zones or [f"{self.region_name}a"])

    def export_source_network_cfn_template(self, source_network_id: str) -> str:
        from moto.s3.models import s3_backends

        network = self._source_network(source_network_id)
        self._replicated(network)
        bucket, prefix = self._export_bucket(network)
        key = f"{prefix}{source_network_id}/{source_network_id}-{now().strftime('%Y%m%dT%H%M%S%fZ')}.json"
        body = json.dumps(self._template(network), indent=2).encode("utf-8")
        s3_backends[self.account_id][get_partition(self.region_name)].put_object(
            bucket, key, body
        )
        return f"s3://{bucket}/{key}"

    # -- CloudFormation stacks --------------------------------------------------------------------

    def _cloudformation(self) -> Any:
        from moto.cloudformation.models import cloudformation_backends

        return cloudformation_backends[self.account_id][self.region_name]

    def _live_stack(self, name: str | None) -> Any | None:
        if not name:
            return None
        return next(
            (
                stack
                for stack in self._cloudformation().stacks.values()
                if stack.name == name
            ),
            None,
        )

    @staticmethod
    def _stack_vpc_id(stack: Any) -> str | None:
        for resource in stack.stack_resources:
            if type(resource).cloudformation_type() == "AWS::EC2::VPC":
                return str(resource.physical_resource_id)
        return None

    def _deployment(
        self, network: SourceNetwork, stack_name: str | None, deploy_as_new: bool
    ) -> NetworkDeployment:
        """Update the network's stack unless asked for a new one; a new stack needs a free name."""
        current = (
            network.cfn_stack_name if self._live_stack(network.cfn_stack_name) else None
        )
        if current and not deploy_as_new and stack_name in (None, current):
            return NetworkDeployment(network, current, update=True)
        name = (
            stack_name
            or f"drs-{network.source_network_id}-{mock_random.get_random_hex(8)}"
        )
        if self._live_stack(name) is not None:
            raise ConflictException(
                f"A CloudFormation stack named {name} already exists; choose another cfnStackName, or use "
                "AssociateSourceNetworkStack to recover into it.",
                network.source_network_id,
                "SOURCE_NETWORK",
            )
        return NetworkDeployment(network, name, update=False)

    # -- StartSourceNetworkRecovery ---------------------------------------------------------------

    def start_source_network_recovery(
        self,
        source_networks: list[dict[str, str]],
        deploy_as_new: bool | None = None,
        tags: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        self.settle_jobs()
        deployments: list[NetworkDeployment] = []
        for index, entry in enumerate(source_networks):
            network = self._source_network(entry["sourceNetworkID"])
            field = f"sourceNetworks[{index}]"
            if any(d.network is network for d in deployments):
                raise ValidationException(
                    f"Source network {network.source_network_id} appears more than once in sourceNetworks.",
                    field_list=[
                        {
                            "name": f"{field}.sourceNetworkID",
                            "message": "Duplicate source network",
                        }
                    ],
                )
            self._require_idle(network, "recover")
            self._replicated(network)
            deployment = self._deployment(
                network, entry.get("cfnStackName"), bool(deploy_as_new)
            )
            if any(d.stack_name == deployment.stack_name for d in deployments):
                raise ValidationException(
                    f"Two source networks cannot be recovered into the same stack {deployment.stack_name}.",
                    field_list=[
                        {
                            "name": f"{field}.cfnStackName",
                            "message": "Duplicate stack name",
                        }
                    ],
                )
            deployments.append(deployment)
        # user guide: the S3 bucket "is required to enable recovery or to initiate a recovery job"
        self._export_bucket(deployments[0].network)
        self.check_job_capacity([], "sourceNetworks")
        updating = all(d.update for d in deployments)
        job = self.create_job(
            "LAUNCH",
            "UPDATE_NETWORK_RECOVERY" if updating else "CREATE_NETWORK_RECOVERY",
            [],
            tags,
            functools.partial(self._network_recovery_started, deployments),
            functools.partial(self._network_recovery_completed, deployments),
        )
        self._begin(job, deployments)
        created = job.describe()
        self.settle_jobs()
        return created

    @staticmethod
    def _begin(job: "Job", deployments: list[NetworkDeployment]) -> None:
        job.participating_resources = [d.resource for d in deployments]
        for deployment in deployments:
            deployment.network.job = job
            deployment.network.last_recovery = {
                "apiCallDateTime": job.created_at,
                "jobID": job.job_id,
                "lastRecoveryResult": "IN_PROGRESS",
            }

    def _network_recovery_started(
        self, deployments: list[NetworkDeployment], job: "Job"
    ) -> None:
        for deployment in deployments:
            deployment.resource["launchStatus"] = "IN_PROGRESS"
            event = (
                "UPDATE_NETWORK_CONFIGURATION_START"
                if deployment.update
                else "DEPLOY_NETWORK_CONFIGURATION_START"
            )
            job.log(
                event,
                eventResourceData=network_event(
                    deployment.network, deployment.stack_name
                ),
            )

    def _network_recovery_completed(
        self, deployments: list[NetworkDeployment], job: "Job"
    ) -> None:
        """Deploy (or update) each stack, then point the network's servers at the recovered VPC."""
        for deployment in deployments:
            network = deployment.network
            kind = "UPDATE" if deployment.update else "DEPLOY"
            vpc_id, error = self._deploy_stack(deployment)
            if vpc_id is None:
                job.log(
                    f"{kind}_NETWORK_CONFIGURATION_FAILED",
                    rawError=error,
                    eventResourceData=network_event(network, deployment.stack_name),
                )
                self._recovery_failed(deployment, job, error, "FAIL")
                continue
            network.cfn_stack_name = deployment.stack_name
            network.launched_vpc_id = vpc_id
            job.log(
                f"{kind}_NETWORK_CONFIGURATION_END",
                eventResourceData=network_event(network, deployment.stack_name, vpc_id),
            )
            configured = self._point_launch_templates(network, vpc_id, job)
            deployment.resource["launchStatus"] = "LAUNCHED"
            # user guide: partial success "meaning the network was deployed, but the source servers were
            # not configured as part of the recovered network"
            network.finish_recovery("SUCCESS" if configured else "PARTIAL_SUCCESS")

    @staticmethod
    def _recovery_failed(
        deployment: NetworkDeployment, job: "Job", error: str | None, result: str
    ) -> None:
        """The network was not recovered: logged, its resource FAILED, its lastRecoveryResult ``result``."""
        job.log(
            "NETWORK_RECOVERY_FAIL",
            rawError=error,
            eventResourceData=network_event(deployment.network),
        )
        deployment.resource["launchStatus"] = "FAILED"
        deployment.network.finish_recovery(result)

    def _deploy_stack(
        self, deployment: NetworkDeployment
    ) -> tuple[str | None, str | None]:
        """(the recovered VPC's ID, None), or (None, why CloudFormation failed)."""
        network = deployment.network
        body = json.dumps(self._template(network))
        tags = drs_stack_tags(network.source_network_id)
        cloudformation = self._cloudformation()
        try:
            if (
                deployment.update
                and self._live_stack(deployment.stack_name) is not None
            ):
                stack = cloudformation.update_stack(
                    deployment.stack_name, body, None, [], tags
                )
            else:
                stack = cloudformation.create_stack(
                    deployment.stack_name, body, {}, tags=tags
                )
        except Exception as failure:  # any CloudFormation refusal fails this network, not the whole job
            return (
                None,
                f"CloudFormation stack {deployment.stack_name}: {type(failure).__name__}: {failure}"[
                    :65536
                ],
            )
        if not str(stack.status).endswith("_COMPLETE") or "ROLLBACK" in str(
            stack.status
        ):
            return (
                None,
                f"CloudFormation stack {deployment.stack_name} is {stack.status}.",
            )
        vpc_id = self._stack_vpc_id(stack)
        if vpc_id is None:
            return (
                None,
                f"CloudFormation stack {deployment.stack_name} has no AWS::EC2::VPC.",
            )
        return vpc_id, None

    # -- AssociateSourceNetworkStack --------------------------------------------------------------

    def associate_source_network_stack(
        self, source_network_id: str, cfn_stack_name: str
    ) -> dict[str, Any]:
        self.settle_jobs()
        network = self._source_network(source_network_id)
        self._require_idle(network, "associate")
        stack = self._live_stack(cfn_stack_name)
        if stack is None:
            raise ResourceNotFoundException(
                cfn_stack_name,
                "CLOUDFORMATION_STACK",
                f"CloudFormation stack {cfn_stack_name} not found.",
            )
        if self._stack_vpc_id(stack) is None:
            raise ValidationException(
                f"CloudFormation stack {cfn_stack_name} deploys no AWS::EC2::VPC for the source network to use.",
                reason="other",
                field_list=[
                    {"name": "cfnStackName", "message": "The stack has no VPC"}
                ],
            )
        self.check_job_capacity([], "sourceNetworkID")
        deployment = NetworkDeployment(network, cfn_stack_name, update=False)
        job = self.create_job(
            "LAUNCH",
            "ASSOCIATE_NETWORK_RECOVERY",
            [],
            None,
            functools.partial(self._association_started, deployment),
            functools.partial(self._association_completed, deployment),
        )
        self._begin(job, [deployment])
        created = job.describe()
        self.settle_jobs()
        return created

    def _association_started(self, deployment: NetworkDeployment, job: "Job") -> None:
        deployment.resource["launchStatus"] = "IN_PROGRESS"

    def _association_completed(self, deployment: NetworkDeployment, job: "Job") -> None:
        network = deployment.network
        stack = self._live_stack(deployment.stack_name)
        vpc_id = self._stack_vpc_id(stack) if stack is not None else None
        if vpc_id is None:
            error = (
                f"CloudFormation stack {deployment.stack_name} no longer deploys a VPC."
            )
            self._recovery_failed(deployment, job, error, "ASSOCIATE_FAIL")
            return
        network.cfn_stack_name = deployment.stack_name
        network.launched_vpc_id = vpc_id
        self._point_launch_templates(network, vpc_id, job)
        deployment.resource["launchStatus"] = "LAUNCHED"
        network.finish_recovery("ASSOCIATE_SUCCESS")

    # -- launch templates of the network's servers ------------------------------------------------

    def _point_launch_templates(
        self, network: SourceNetwork, vpc_id: str, job: "Job"
    ) -> bool:
        """Each server of the network launches into the recovered subnet with its origin subnet's CIDR,
        with the recovered groups of its origin groups' names. True when every server was configured."""
        ec2 = ec2_of(self.account_id, self.region_name)
        assert ec2 is not None
        subnet_by_cidr = {
            subnet.cidr_block: subnet.id
            for subnet in ec2.describe_subnets(filters={"vpc-id": [vpc_id]})
        }
        group_by_name = {
            group.name: group.id
            for group in ec2.describe_security_groups(filters={"vpc-id": [vpc_id]})
        }
        configured = True
        for server in self.all_source_servers():
            if server.source_network_id != network.source_network_id:
                continue
            source_server_id = server.source_server_id
            resource = network_event(network, network.cfn_stack_name, vpc_id)
            job.log(
                "UPDATE_LAUNCH_TEMPLATE_START",
                sourceServerID=source_server_id,
                eventResourceData=resource,
            )
            origin = self._origin_instance(server)
            placement = network.placement_of(origin[2]) if origin else None
            subnet_id = (
                subnet_by_cidr.get(placement["subnetCidr"]) if placement else None
            )
            if placement is None or subnet_id is None:
                configured = False
                job.log(
                    "UPDATE_LAUNCH_TEMPLATE_FAILED",
                    sourceServerID=source_server_id,
                    rawError=f"No subnet of {vpc_id} matches the subnet of the server's origin instance.",
                    eventResourceData=resource,
                )
                continue
            groups = [
                group_by_name[name]
                for name in placement["securityGroupNames"]
                if name in group_by_name
            ]
            problem = self._launch_into_subnet(ec2, server, subnet_id, groups)
            if problem:
                configured = False
                job.log(
                    "UPDATE_LAUNCH_TEMPLATE_FAILED",
                    sourceServerID=source_server_id,
                    rawError=problem,
                    eventResourceData=resource,
                )
                continue
            job.log(
                "UPDATE_LAUNCH_TEMPLATE_END",
                sourceServerID=source_server_id,
                eventResourceData=resource,
            )
        return configured

    def _launch_into_subnet(
        self, ec2: Any, server: "SourceServer", subnet_id: str, group_ids: list[str]
    ) -> str | None:
        """A new default version of the server's launch template, whose primary interface uses the subnet;
        or why the launch template cannot be updated."""
        try:
            template_id = self.launch_settings_for(server)["ec2_launch_template_id"]
        except ServiceException as refusal:
            return f"{refusal.code}: {refusal.message}"
        if not template_id or not launch_template_exists(ec2, template_id):
            return f"The EC2 launch template of source server {server.source_server_id} does not exist."
        data = default_version_data(ec2, template_id)
        interfaces = data.get("NetworkInterfaces") or []
        primary = next(
            (i for i in interfaces if int(i.get("DeviceIndex", 0)) == 0), None
        )
        if primary is None:
            primary = {"DeviceIndex": 0}
            data["NetworkInterfaces"] = [primary, *interfaces]
        primary["SubnetId"] = subnet_id
        if group_ids:
            primary["Groups"] = group_ids
        data.pop(
            "SecurityGroupIds", None
        )  # groups of the old VPC cannot go with the new subnet
        set_default_version(ec2, template_id, copy.deepcopy(data), UPDATED_FOR_NETWORK)
        return None
