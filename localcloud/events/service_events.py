"""Events AWS services send to the default event bus, emitted by the local cloud's services in-process.

```python
from localcloud.events import service_events

service_events.emit(account_id, region, "aws.states", "Step Functions Execution Status Change",
                    [execution_arn], detail)
```

The envelope is AWS's (`version` "0", a new `id`, `detail-type`, `source`, `account`, `time` in ISO 8601,
`region`, `resources`, `detail`); the event is matched against every rule of the account's default bus in
that region and delivered as a PutEvents entry is (`delivery`). Service events need no IAM permission:
AWS puts them on the bus itself. `emit` never raises: a service's own work must not fail because of its
event. `ServiceEvent` holds an event built while a service's state lock is held, to emit after release.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from localcloud.events import delivery, envelope

LOG = logging.getLogger(__name__)

DEFAULT_BUS = "default"


def emit(
    account_id: str,
    region: str,
    source: str,
    detail_type: str,
    resources: Sequence[str],
    detail: Mapping[str, Any],
) -> str:
    """Put one service event on the default bus of `account_id` in `region`; returns the event's id."""
    event = envelope.service_event(account_id, region, source, detail_type, resources, detail)
    try:
        from moto.events.models import events_backends

        bus = events_backends[account_id][region].event_buses.get(DEFAULT_BUS)
        rules = list(bus.rules.values()) if bus is not None else []
    except Exception:
        LOG.exception("could not read the event bus for %s event %s", source, detail_type)
        return str(event["id"])
    for rule in rules:
        try:
            delivery.route(rule, event)
        except Exception:
            LOG.exception("routing %s event %s to rule %s failed", source, detail_type, rule.name)
    return str(event["id"])


@dataclass(frozen=True)
class ServiceEvent:
    account_id: str
    region: str
    source: str
    detail_type: str
    resources: tuple[str, ...]
    detail: Mapping[str, Any] = field(default_factory=dict)

    def emit(self) -> str:
        return emit(self.account_id, self.region, self.source, self.detail_type, self.resources, self.detail)
