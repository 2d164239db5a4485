"""EventBridge: events put on a bus reach the targets of the rules they match, as on AWS (see README.md's
"EventBridge").

moto stores buses, rules and targets; `delivery` routes each event (PutEvents, and the services' own events
through `service_events.emit`) to its rules' targets in the background; `event_patterns` fixes how moto's
matcher reads arrays. `PATCHES` lists the changes to moto; it is loaded on first access, so that the pure
`input_transformer` imports without moto.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name == "PATCHES":
        from localcloud.events import delivery, event_patterns

        return (*event_patterns.PATCHES, *delivery.PATCHES)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
