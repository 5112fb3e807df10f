"""Domain events and S3 upload notifications (issue 17, DESIGN "The cloud at scale").

- ``events``: the event names and the ``Bus`` every publisher and subscriber speaks to;
- ``local``: the in-process bus (the embedded default and the home server);
- ``eventbridge``: PutEvents to EventBridge, whose rules route the events to SQS;
- ``s3_events``: reading S3 ObjectCreated notifications (direct or through EventBridge);
- ``consumer``: the events queue's consumer (app instances' periodic poll, Lambda);
- ``setup``: what ``auroravault migrate`` creates (queue, bus, rules, bucket notification).
"""

from __future__ import annotations

from auroravault.bus.events import Bus
from auroravault.config import Settings


def build_bus(settings: Settings) -> Bus:
    """The bus ``[bus] backend`` names; boto3 is imported only for EventBridge."""
    if settings.bus.backend == "eventbridge":
        from auroravault.bus.eventbridge import EventBridgeBus

        return EventBridgeBus(settings.bus)
    from auroravault.bus.local import LocalBus

    return LocalBus()
