"""Long polling that tells Telegram an update was received only once it has been handled.

PTB's Updater confirms a batch of updates (by asking for the next offset) as soon as the
batch is queued, before any handler ran: a bot killed while it waits for Rasa loses the
messages it was answering. Here an update's offset is confirmed only when every update
up to it has been handled, so a restarted bot gets the unfinished ones again; and each
handled update is recorded in the store, so the ones that were finished but not yet
confirmed are not answered twice.

Telegram has one cursor per bot: polling with the offset of the oldest unfinished update
fetches the unfinished ones again. Those are skipped, and while any is in flight the next
poll waits for one to finish (or a short tick) instead of long-polling, so a busy bot
polls a few times a second and an idle one long-polls as usual.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session
from telegram import Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application

from bot.services import Services
from shop import handled_updates

log = logging.getLogger(__name__)

READ_TIMEOUT = 10.0  # seconds beyond a long poll's own timeout before the request is given up
TICK = 0.1  # seconds between polls while updates are in flight (at most)
KEEP_HANDLED = timedelta(days=2)  # Telegram keeps an unconfirmed update for 24 hours
PRUNE_EVERY = 1000  # handled updates between prunings of old records


class Writes(list[Callable[[Session], None]]):
    """Store writes that can wait for the record that the update being handled was handled
    (write_with_handled_record); closed once that record is on its way."""

    closed = False


_WRITES: ContextVar[Writes | None] = ContextVar("writes_with_handled_record", default=None)


def write_with_handled_record(work: Callable[[Session], None]) -> bool:
    """Queue `work` into the transaction that records the update being handled as handled:
    one store transaction fewer per message (the bot's answer in the conversation log), and
    the two are written together or not at all. False when no ConfirmingPoller handles this
    update, or its record has left: the caller writes `work` itself."""
    writes = _WRITES.get()
    if writes is None or writes.closed:
        return False
    writes.append(work)
    return True


def fingerprint(update: dict[str, Any]) -> str:
    """The update as Telegram sent it, hashed: the same update delivered again hashes the same."""
    return hashlib.sha256(json.dumps(update, sort_keys=True).encode()).hexdigest()


class ConfirmingPoller:
    """Fetch updates with getUpdates; hand each to the application; confirm when handled."""

    def __init__(self, application: Application, services: Services, *,  # type: ignore[type-arg]
                 timeout: int = 10, grace: float = 15.0) -> None:
        self.application = application
        self.services = services  # where handled updates are recorded
        self.timeout = timeout
        self.grace = grace  # seconds stop() waits for updates in flight
        self._next = 0  # the id after the newest update handed to the application
        self._in_flight: dict[int, asyncio.Task[None]] = {}
        self._finished = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._recorded = 0
        self._stopping = False
        # Updates handled before this start have ids up to this one (None: none recorded); a
        # newer update needs no look-up. Until it is known, every update is looked up.
        self._recorded_before: int | None = -1
        # handled, waiting to be written: (fingerprint, update id, when, writes that go with it)
        self._unrecorded: list[tuple[str, int, datetime, Writes]] = []
        self._recording = asyncio.Lock()

    def offset(self) -> int | None:
        """Confirm everything below the oldest update in flight (or everything fetched)."""
        if self._in_flight:
            return min(self._in_flight)
        return self._next or None

    async def start(self) -> None:
        await self.application.bot.delete_webhook()
        await self._prune()
        try:
            self._recorded_before = await self.services.in_transaction(handled_updates.highest_update_id)
        except Exception as exc:  # noqa: BLE001 - the store is down: look every update up
            log.warning("could not read the handled updates (%s); checking each update", exc)
        self._task = asyncio.create_task(self._run(), name="confirming-poller")
        self._task.add_done_callback(_report_crash)

    async def stop(self) -> None:
        """Stop fetching, let the updates in flight finish (up to `grace`), confirm them."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()  # ends a long poll now (the flag ends the loop in any case)
            await asyncio.wait({self._task}, timeout=self.timeout + 5)
            self._task = None
        if self._in_flight:
            _, pending = await asyncio.wait(list(self._in_flight.values()), timeout=self.grace)
            for task in pending:  # not confirmed: Telegram delivers them again after the restart
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        try:
            await self.application.bot.get_updates(offset=self.offset(), timeout=timedelta(0),
                                                   allowed_updates=Update.ALL_TYPES)
        except TelegramError as exc:
            log.warning("could not confirm the last updates (they will come again): %s", exc)

    async def _run(self) -> None:
        failures = 0
        while not self._stopping:
            timeout = self.timeout
            if self._in_flight:
                # Polling now would fetch what is being handled: wait for one to finish.
                # (asyncio.timeout, not wait_for: Python 3.11's wait_for can swallow a
                # cancellation that arrives as the wait ends, and stop() would wait for ever.)
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(TICK):
                        await self._finished.wait()
                self._finished.clear()
                # Still handling some: a quick look for new ones (a long poll would return at
                # once with those). None left: a long poll, which also returns at once when
                # something new waits; a quick look first would be one more request a message.
                timeout = 0 if self._in_flight else self.timeout
            if self._stopping:
                return
            try:
                raw = await self._fetch(self.offset(), timeout)
            except InvalidToken:
                raise
            except TelegramError as exc:
                failures += 1
                delay = min(0.5 * 2 ** min(failures, 5), 15.0)
                log.warning("getUpdates failed (%s); again in %.1f s", exc, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            fresh = [u for u in raw if u["update_id"] >= self._next]
            if not fresh:
                continue
            self._next = fresh[-1]["update_id"] + 1
            fingerprints = {u["update_id"]: fingerprint(u) for u in fresh}
            done = await self._already_handled([fingerprints[u["update_id"]] for u in fresh
                                                if self._maybe_recorded(u["update_id"])])
            for data in fresh:
                update_id = data["update_id"]
                if fingerprints[update_id] in done:
                    log.info("update %s was handled before a restart; skipping it", update_id)
                    continue
                update = Update.de_json(data, self.application.bot)
                self._in_flight[update_id] = asyncio.create_task(
                    self._handle(update, fingerprints[update_id]), name=f"update-{update_id}")

    async def _fetch(self, offset: int | None, poll_seconds: int) -> list[dict[str, Any]]:
        """getUpdates, unparsed. A busy bot fetches the updates it is still handling again and
        again; Bot.get_updates would parse them all each time (most of the bot's CPU under
        load), so only the new ones are parsed. Bot._post is the call behind every PTB 22
        method and the only way to the raw answer."""
        data = {"offset": offset, "timeout": poll_seconds, "allowed_updates": Update.ALL_TYPES}
        return await self.application.bot._post(  # type: ignore[no-any-return]
            "getUpdates", data, read_timeout=poll_seconds + READ_TIMEOUT)

    async def _handle(self, update: Update, update_fingerprint: str) -> None:
        app = self.application
        writes = Writes()
        _WRITES.set(writes)  # this task's own context: its handlers see it
        try:
            await app.update_processor.process_update(update, app.process_update(update))
            writes.closed = True
            await self._record(update.update_id, update_fingerprint, writes)
        except Exception:  # process_update runs the error handlers; this is a last resort
            log.exception("update %s failed outside its handlers", update.update_id)
        finally:
            del self._in_flight[update.update_id]
            self._finished.set()

    def _maybe_recorded(self, update_id: int) -> bool:
        """Whether a process before this one may have recorded the update as handled. (This one
        never fetches an update it handled again as fresh.) Each look-up was a store
        transaction per poll, most of them for updates newer than every record."""
        return self._recorded_before is not None and (
            self._recorded_before < 0 or update_id <= self._recorded_before)

    async def _already_handled(self, fingerprints: list[str]) -> set[str]:
        if not fingerprints:
            return set()
        try:
            return await self.services.in_transaction(
                lambda s: handled_updates.already_handled(s, fingerprints))
        except Exception as exc:  # noqa: BLE001 - the store is down: answer rather than stall
            log.warning("could not check handled updates (%s); handling them", exc)
            return set()

    async def _record(self, update_id: int, update_fingerprint: str, writes: Writes) -> None:
        """Record the update as handled, with the writes its handlers left for the record; return
        once it is written. Updates handled while a write is on its way are written together by
        the next one: a busy bot finishes many updates a second, and a transaction each cost
        more than the records."""
        entry = (update_fingerprint, update_id, datetime.now(UTC), writes)
        self._unrecorded.append(entry)
        async with self._recording:
            if not any(pending is entry for pending in self._unrecorded):
                return  # the write before took it
            batch, self._unrecorded = self._unrecorded, []
            records = [(digest, uid, when) for digest, uid, when, _ in batch]
            works = [work for *_, left in batch for work in left]

            def write(session: Session) -> None:
                for work in works:
                    work(session)
                handled_updates.record_all_handled(session, records)

            try:
                try:
                    await self.services.in_transaction(write)
                except Exception:
                    if not works:
                        raise
                    # what the handlers left must not cost the records (a duplicate answer)
                    log.exception("could not write what updates %s left for their record",
                                  [uid for _, uid, _ in records])
                    await self.services.in_transaction(
                        lambda s: handled_updates.record_all_handled(s, records))
            except Exception as exc:  # noqa: BLE001 - losing the record risks a duplicate, not a loss
                log.warning("could not record updates %s as handled: %s", [uid for _, uid, _ in records], exc)
                return
            before, self._recorded = self._recorded, self._recorded + len(batch)
            if before // PRUNE_EVERY != self._recorded // PRUNE_EVERY:
                await self._prune()

    async def _prune(self) -> None:
        cutoff = datetime.now(UTC) - KEEP_HANDLED
        try:
            await self.services.in_transaction(lambda s: handled_updates.prune_handled(s, before=cutoff))
        except Exception as exc:  # noqa: BLE001
            log.warning("could not prune handled updates: %s", exc)


def _report_crash(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.critical("polling stopped: %s", task.exception(), exc_info=task.exception())
