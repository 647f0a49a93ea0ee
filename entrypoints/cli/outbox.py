"""``helpdesk-bridge outbox list|retry|drop``: the operator's view of queued hand-offs.

The same outbox the service uses (the SQLite file, or Redis with STORE_BACKEND=redis), so an
operator can see what waits for the helpdesk, send a dead item round again once its cause is
fixed, or remove one that must never be filed. Nothing here prints a note or a phone number:
an item is shown by its reference, state, attempts, last error and times.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

import anyio

from application.ports import Outbox, OutboxState, QueuedHandoff
from entrypoints.config.command_line import settings_or_exit
from entrypoints.config.settings import Settings

LIST_LIMIT = 1_000
_COLUMNS = ("reference", "state", "attempts", "queued at", "delivered at", "ticket", "last error")


def add_arguments(outbox: argparse.ArgumentParser) -> None:
    """``outbox list [--state S]``, ``outbox retry REF``, ``outbox drop REF --yes``."""
    outbox.add_argument("--tenant", default=None, help="with TENANTS_FILE: whose outbox")
    outbox.set_defaults(run=run)
    actions = outbox.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", help="queued, delivered and dead hand-offs, oldest first")
    listing.add_argument("--state", choices=[s.value for s in OutboxState], default=None)
    retry = actions.add_parser("retry", help="deliver a queued or dead hand-off again, now")
    retry.add_argument("reference")
    drop = actions.add_parser("drop", help="delete a hand-off from the outbox (never filed)")
    drop.add_argument("reference")
    drop.add_argument("--yes", action="store_true", help="confirm: the hand-off is lost")


def run(args: argparse.Namespace) -> int:
    """Run one ``outbox`` action against the configured outbox; the exit code."""
    settings = settings_or_exit(require_auth=False, tenant=args.tenant)
    if args.action == "drop" and not args.yes:
        print(
            f"helpdesk-bridge: outbox drop {args.reference} deletes the hand-off for good; "
            "repeat with --yes to confirm",
            file=sys.stderr,
        )
        return 2
    return int(anyio.run(_run, args, settings))


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    from entrypoints.bootstrap.container import close_container, open_container

    container = await open_container(settings)
    try:
        outbox: Outbox = container.outbox()
        clock = container.clock()
        if args.action == "list":
            state = OutboxState(args.state) if args.state else None
            _print_items(await outbox.items(state, LIST_LIMIT))
            return 0
        reference = args.reference.strip().upper()
        if args.action == "retry":
            done = await outbox.retry(reference, clock.now())
            verb = "queued for delivery now"
        else:
            item = await outbox.get(reference)
            if item is not None:  # with Redis, its queued marker stops answering the fleet
                await container.ticket_filing().forget(item)
            done = await outbox.drop(reference)
            verb = "dropped"
        if not done:
            print(
                f"helpdesk-bridge: no such hand-off to {args.action}: {reference}", file=sys.stderr
            )
            return 1
        print(f"{reference} {verb}")
        return 0
    finally:
        await close_container(container)


def _when(epoch: float | None) -> str:
    if epoch is None:
        return "-"
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _print_items(items: list[QueuedHandoff]) -> None:
    rows = [
        (
            item.reference,
            item.state.value,
            str(item.attempts),
            _when(item.queued_at),
            _when(item.delivered_at),
            item.ticket_id or "-",
            item.last_error or "-",
        )
        for item in items
    ]
    widths = [max(len(row[i]) for row in [_COLUMNS, *rows]) for i in range(len(_COLUMNS))]
    for row in [_COLUMNS, *rows]:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
