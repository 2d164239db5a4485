"""SNS: delivery to subscriptions as AWS does it, and a log of every message published to a topic.

- `delivery`: each subscription's delivery (queue policy for SQS, function policy and SNS's event
  record for Lambda, email pending, ...), `UnsubscribeURL` naming the subscription;
- `topic_log`: one JSON line per published message in `.localcloud/logs/sns/<topic name>.log`;
- `subscriptions`: email subscriptions stay pending confirmation; a new filter policy scope applies;
- `topic_encryption`: publishing to a topic with a customer managed key needs the publisher's KMS grants.

See the README's "SNS". `PATCHES` lists the changes to moto.
"""

from __future__ import annotations

from localcloud.sns import delivery, subscriptions, topic_encryption, topic_log

PATCHES = (*topic_log.PATCHES, *delivery.PATCHES, *subscriptions.PATCHES, *topic_encryption.PATCHES)
