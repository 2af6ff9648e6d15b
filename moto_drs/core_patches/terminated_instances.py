"""moto core change: EC2 forgets a terminated instance an hour after its termination.

Real EC2 lists a terminated instance for a while, then not at all: "Recently terminated
instances might appear in the returned results. This interval is usually less than one hour."
(EC2 API reference, DescribeInstances). moto keeps every instance ever terminated, with its
reservation, network interfaces, volumes and tags, for as long as the backend lives: a moto
server that runs drills for a day holds every recovery instance and conversion server DRS ever
launched (about 10 kB each), and moto's look-ups that scan reservations slow down with them.

The change: ``terminate_instances`` notes when it terminated each instance, and forgets (drops
from its reservation, the reservation once empty, and the instance's tags) every instance
terminated an hour or more before, by moto's clock (``utcnow``, which freezegun steers). Until
then nothing changes. Instances terminated otherwise (an Auto Scaling group, a fleet) are kept as
before. A forgotten instance lets go of its network (``let_go``), or it would stay in memory. Upstream it belongs in ``InstanceBackend`` (``0031-forget-terminated-instances.diff``).
The plugin applies it when ``moto.ec2.models.instances`` is imported (``ec2_instance_lookup``).
"""

from collections import deque
from datetime import timedelta
from types import ModuleType
from typing import Any

# "usually less than one hour" (EC2 API reference, DescribeInstances)
VISIBLE_FOR = timedelta(hours=1)
_QUEUE = "_moto_drs_terminated"
_MARK = "_moto_drs_forgets_terminated"
# the instance index that ec2_instance_lookup keeps beside the reservations
_INDEX = "_moto_drs_instance_index"


def patch(module: ModuleType) -> None:
    backend = getattr(module, "InstanceBackend", None)
    original = getattr(backend, "terminate_instances", None)
    if original is None or getattr(original, _MARK, False):
        return
    from moto.core.utils import utcnow

    def terminate_instances(self: Any, instance_ids: list[str]) -> Any:
        terminated = original(self, instance_ids)
        moment = utcnow()
        queue: deque[tuple[Any, Any]] = self.__dict__.setdefault(_QUEUE, deque())
        for instance, previous in terminated:
            if previous.name != "terminated":
                queue.append((moment, instance))
        forget_terminated(self, moment - VISIBLE_FOR)
        return terminated

    setattr(terminate_instances, _MARK, True)
    terminate_instances.__doc__ = original.__doc__
    backend.terminate_instances = terminate_instances  # type: ignore[union-attr]


def forget_terminated(backend: Any, horizon: Any) -> None:
    """Forget the instances terminated at ``horizon`` or before (oldest first: one look each)."""
    queue = backend.__dict__.get(_QUEUE)
    while queue and queue[0][0] <= horizon:
        _, instance = queue.popleft()
        if instance.state != "terminated":
            continue
        reservation = _reservation_of(backend, instance)
        if reservation is None:
            continue
        reservation.instances.remove(instance)
        backend.tags.pop(instance.id, None)
        let_go(backend, instance)
        indexed = backend.__dict__.get(_INDEX)
        if indexed is not None:
            indexed[2].pop(instance.id, None)
        if not reservation.instances:
            del backend.reservations[reservation.id]
            if indexed is not None and indexed[0] is backend.reservations:
                # it was counted: keep the index's count in step with the table
                backend.__dict__[_INDEX] = (indexed[0], indexed[1] - 1, indexed[2])


def let_go(backend: Any, instance: Any) -> None:
    """Drop what still points at a forgotten instance, so that it is freed.

    A network interface that was not deleted on termination persists in EC2, detached
    ("available"), and keeps its address; moto left it attached to the terminated instance,
    and the subnet's address table named the instance: both kept it (and its interfaces,
    placement, state) in memory after it was forgotten. The interface now holds its address
    itself; the instance's own addresses list empties, so that moto's ``Instance.__del__``
    does not give the interface's address back to the subnet.
    """
    for nic in list(getattr(instance, "nics", {}).values()):
        if getattr(nic, "instance", None) is not instance:
            continue
        if backend.enis.get(nic.id) is not nic:  # deleted on termination
            continue
        nic.instance = None
        nic.attachment_id = None
        nic.attach_time = None
        nic.status = "available"
        nic.device_index = None
        subnet = getattr(nic, "subnet", None)
        taken = getattr(subnet, "_subnet_ips", None)
        if taken is not None and taken.get(nic.private_ip_address) is instance:
            taken[nic.private_ip_address] = nic
    subnet_id = getattr(instance, "_subnet_id", None)
    try:
        home: Any = backend.get_subnet(subnet_id) if subnet_id else None
    except Exception:  # the subnet is gone: nothing of it to release
        home = None
    taken = getattr(home, "_subnet_ips", None)
    for address in getattr(instance, "_private_ips", ()):
        if taken is not None and taken.get(address) is instance:
            home.del_subnet_ip(address)
    getattr(instance, "_private_ips", set()).clear()


def _reservation_of(backend: Any, instance: Any) -> Any:
    indexed = backend.__dict__.get(_INDEX)
    hit = indexed[2].get(instance.id) if indexed is not None else None
    if hit is not None:
        reservation = backend.reservations.get(hit[0])
        if reservation is not None and instance in reservation.instances:
            return reservation
    for reservation in backend.reservations.values():
        if instance in reservation.instances:
            return reservation
    return None
