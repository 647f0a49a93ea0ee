"""One process of the bridge using a SQLite outbox, for the tests that need a real second
process (a SIGKILL, two processes leasing one file). Run as
``python outbox_process.py put PATH REFERENCE`` (puts, prints ``kept``, then waits to be
killed), ``... lease PATH WORKER NOW`` (leases one item at a time until none is left, printing
each reference, after reading a ``go`` line so several processes start together) or
``... lease-and-hang PATH WORKER NOW`` (leases everything due, prints it, waits to be killed)."""

from __future__ import annotations

import asyncio
import sys
import time

from adapters.outbox.sqlite import SqliteOutbox
from application.ports import QueuedHandoff

LEASE = 30.0


async def main(command: str, path: str, name: str, now: float) -> None:
    outbox = SqliteOutbox(path, busy_timeout_seconds=10.0)
    try:
        if command == "put":
            await outbox.put(
                QueuedHandoff(
                    reference=name, problem=b"kept?", dedup_keys=(f"oa:{name}",), queued_at=now
                )
            )
            print("kept", flush=True)
            time.sleep(60)  # noqa: ASYNC251 - nothing else runs here: wait for the SIGKILL
        elif command == "lease":
            sys.stdin.readline()
            while leased := await outbox.lease(name, now, LEASE, 1):
                print(leased[0].reference, flush=True)
        else:
            for item in await outbox.lease(name, now, LEASE, 1000):
                print(item.reference, flush=True)
            print("leased", flush=True)
            time.sleep(60)  # noqa: ASYNC251 - holding the leases until the SIGKILL
    finally:
        await outbox.aclose()


if __name__ == "__main__":
    command, path, name = sys.argv[1:4]
    asyncio.run(main(command, path, name, float(sys.argv[4]) if len(sys.argv) > 4 else 0.0))
