"""Events: what DRS publishes to the account's default EventBridge bus.

"Elastic Disaster Recovery sends service events directly to EventBridge", with ``source``
``aws.drs``, delivery "best effort" (EventBridge events reference, events-ref-drs). The envelope
and the ``detail`` of each event follow the samples of the DRS user guide ("Alarm events and
EventBridge"). The event goes to the default bus of moto's events backend of the same account and
Region: every enabled rule whose pattern matches sends it to its targets through moto's own target
delivery, one target at a time, so that a target moto cannot deliver to (it raises
NotImplementedError for Lambda or Kinesis) or a target that fails costs that target only, and never
the DRS operation that emitted the event. SNS topics, which moto's events cannot deliver to either,
get the event from moto's SNS directly.
"""

import copy
import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

from moto.core.utils import unix_time
from moto.moto_api._internal import mock_random
from moto.utilities.arns import parse_arn

from ..utils import iso, now
from .base import DrsBackendCore

SOURCE = "aws.drs"
# How many times an event may be forwarded from bus to bus (a rule that targets its own bus loops).
MAX_BUS_HOPS = 5

log = logging.getLogger(__name__)


class EventOperations(DrsBackendCore):
    def emit_event(
        self,
        detail_type: str,
        resources: list[str],
        detail: dict[str, Any],
        time: datetime | None = None,
    ) -> None:
        """Publish a DRS event to this account and Region's default bus; best effort, never raises."""
        try:
            bus = default_bus(self.account_id, self.region_name)
            if bus is None or not bus.rules:
                return  # no rule could receive it: nothing to build
            moment = time or now()
            event = {
                "version": "0",
                "id": str(mock_random.uuid4()),
                "detail-type": detail_type,
                "source": SOURCE,
                "account": self.account_id,
                # moto's events keep the time as epoch seconds and write it as ISO-8601 on delivery
                "time": moment.timestamp(),
                "region": self.region_name,
                "resources": list(resources),
                "detail": detail,
            }
            publish(bus, event)
        except Exception:  # best effort, as in AWS: an event never fails the operation
            log.debug("DRS event %s was not published", detail_type, exc_info=True)

    def events_listening(self) -> bool:
        try:
            bus = default_bus(self.account_id, self.region_name)
            return bus is not None and any(
                may_receive_drs_events(rule) for rule in list(bus.rules.values())
            )
        except Exception:
            return False


def default_bus(account_id: str, region_name: str) -> Any | None:
    """The default bus, or None while moto's events were never used in this account and Region
    (then no rule exists; looking it up this way creates no events backend)."""
    return event_bus(account_id, region_name, "default")


def event_bus(account_id: str, region_name: str, name: str) -> Any | None:
    events_models = sys.modules.get("moto.events.models")
    if events_models is None:
        return None  # moto's events were never loaded: no rule exists anywhere
    regions = dict.get(events_models.events_backends, account_id)
    backend = dict.get(regions, region_name) if regions is not None else None
    if backend is None:
        return None
    return backend.event_buses.get(name)


def is_enabled(rule: Any) -> bool:
    """Rules in state DISABLED receive nothing (EventBridge user guide, "Disabling a rule")."""
    return str(rule.state).startswith("ENABLED")


def may_receive_drs_events(rule: Any) -> bool:
    """Whether an enabled rule's pattern can match some event whose source is aws.drs (cheap:
    it runs before every DRS call while rules exist, for the point-in-time schedule)."""
    pattern = rule.event_pattern.get_pattern()
    # a rule without a pattern is a scheduled rule: it receives no events
    if not is_enabled(rule) or not pattern:
        return False
    sources = pattern.get("source")
    if sources is None:
        return True
    if isinstance(sources, list) and all(isinstance(f, str) for f in sources):
        return SOURCE in sources
    source_only = type(rule.event_pattern)(None, {"source": sources})
    return bool(source_only.matches_event({"source": SOURCE, "detail": {}}))


def publish(bus: Any, event: dict[str, Any], hops: int = 0) -> None:
    """Send ``event`` to every target of every enabled rule of ``bus`` whose pattern matches."""
    for rule in list(bus.rules.values()):
        try:
            if not may_receive_drs_events(rule) or not rule.event_pattern.matches_event(
                event
            ):
                continue
        except Exception:
            log.debug("rule %s could not match a DRS event", rule.name, exc_info=True)
            continue
        for target in list(rule.targets):
            try:
                deliver(rule, target, event, hops)
            except Exception:
                log.debug(
                    "rule %s could not deliver a DRS event to %s",
                    rule.name,
                    target.get("Arn"),
                    exc_info=True,
                )


def deliver(
    rule: Any, target: dict[str, Any], event: dict[str, Any], hops: int
) -> None:
    """Deliver to one target as EventBridge does: the whole event, or what the target's ``Input``,
    ``InputPath`` or ``InputTransformer`` makes of it (EventBridge user guide, "Transforming target
    input"); moto's own code delivers it."""
    arn = parse_arn(target["Arn"])
    if arn.service == "events" and arn.resource_type == "event-bus":
        # another bus receives the event itself, envelope and all (moto's forwarding keeps only
        # source, detail-type and detail)
        name = arn.resource_id.split("/")[-1]
        bus = event_bus(arn.account, arn.region, name)
        if bus is not None and hops < MAX_BUS_HOPS:
            publish(bus, event, hops + 1)
        return
    # the rule with this one target: moto's delivery stops at the first target that fails
    single = copy.copy(rule)
    single.targets = [target]
    try:
        if "InputTransformer" in target or (
            arn.service == "events" and not arn.resource_type
        ):
            # moto's input transformer (and an archive's, which is one) works on the event itself
            single.send_to_targets({**event, "ingestion-time": unix_time()})
        else:
            single.event_pattern = type(rule.event_pattern)(None, {})  # already matched
            single.send_to_targets(target_input(target, event), transform_input=False)
    except NotImplementedError:
        if arn.service != "sns":
            raise
        # moto's events cannot deliver to SNS yet: the topic's moto backend publishes the input
        # (the one step that moto's events lack; its subscriptions then deliver as usual)
        from moto.sns.models import sns_backends

        sns_backends[arn.account][arn.region].publish(
            message=json.dumps(sns_message(target, event)), arn=target["Arn"]
        )


def target_input(target: dict[str, Any], event: dict[str, Any]) -> Any:
    """What the target receives without an input transformer."""
    if "Input" in target:
        return json.loads(target["Input"])
    path = target.get("InputPath")
    if path and path != "$":
        from jsonpath_ng.ext import parse

        matches = parse(path).find(readable(event))
        return matches[0].value if matches else None
    return dict(event)


def sns_message(target: dict[str, Any], event: dict[str, Any]) -> Any:
    """The target input, with the event's time written as EventBridge writes it."""
    if "InputTransformer" in target:
        from moto.events.utils import EventTemplateParser

        transformer = target["InputTransformer"]
        return EventTemplateParser.parse(
            input_template=transformer.get("InputTemplate"),
            input_paths_map=transformer.get("InputPathsMap", {}),
            event={**readable(event), "ingestion-time": unix_time()},  # type: ignore[typeddict-item]
        )
    if "Input" in target or target.get("InputPath", "$") != "$":
        return target_input(target, event)
    return readable(event)


def readable(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its time written as EventBridge writes it: ``2016-08-22T20:12:19Z``."""
    moment = datetime.fromtimestamp(event["time"], timezone.utc)
    return {**event, "time": iso(moment)[:-5] + "Z"}
