"""The embedded mode's broker (kombu's SQLAlchemy transport over a SQLite file, as BROKER_URL
defaults to) under several processes publishing at once while one consumes: every message is
delivered once, no publisher fails with «database is locked».

It holds without settings of ours: the transport's consumer takes its message in a
`BEGIN IMMEDIATE` transaction, and a publisher's transaction begins with its INSERT, so each
waits its turn (pysqlite's 5 s timeout) instead of failing on a stale read snapshot.
"""

from __future__ import annotations

import multiprocessing

from kombu import Connection

PUBLISHERS = 4
EACH = 25


def _publish(url: str, publisher: int, failures) -> None:
    try:
        with Connection(url) as connection:
            producer = connection.Producer()
            for n in range(EACH):
                producer.publish({"n": publisher * EACH + n}, routing_key="celery", exchange="")
    except Exception as error:  # noqa: BLE001 - reported to the test
        failures.put(repr(error))


def test_several_processes_publish_at_once_and_every_message_arrives_once(tmp_path):
    url = f"sqla+sqlite:///{tmp_path / 'broker.sqlite'}"
    with Connection(url) as connection:
        queue = connection.SimpleQueue("celery")
        context = multiprocessing.get_context("spawn")  # fresh processes, as beat and workers
        failures = context.Queue()
        publishers = [
            context.Process(target=_publish, args=(url, p, failures)) for p in range(PUBLISHERS)
        ]
        for process in publishers:
            process.start()
        received = []
        for _ in range(PUBLISHERS * EACH):  # consumed while they publish
            message = queue.get(timeout=60)
            received.append(message.payload["n"])
            message.ack()
        for process in publishers:
            process.join(60)
        queue.close()

    assert failures.empty()
    assert sorted(received) == list(range(PUBLISHERS * EACH))
