"""The outbox dispatcher: claims due deliveries, sends them through each person's channel, records what
happened -- exactly once per delivery, with several ``serve`` processes on one database.

Claiming
    A batch of due deliveries is claimed in one short unit of work (``bot.ports.SchedulingStore``):
    status ``claimed``, a lease (``lease_until``) and a claim token.  Sending happens outside any
    transaction.  Every later change is an update guarded by ``status = 'claimed' AND claim_token = <ours>``,
    so a dispatcher that lost its claim (its lease ran out and another took the delivery over) changes
    nothing.  A crash between claim and send leaves the delivery claimable again once its lease has run
    out.  A send is started only while its whole :attr:`Dispatcher.send_timeout` plus
    :attr:`Dispatcher.lease_margin` (to record the outcome) fits in what is left of the lease; otherwise
    the delivery is handed back.

Channels (reachability)
    ``senders`` maps a platform name to its :class:`~bot.sending.ChannelSender` (the composition
    root's ``Runtime.senders``: Slack and Teams register theirs when they mount).  A person is reached on
    the chat platform they used most recently whose sender is configured.  A person with a Slack or Teams
    identity whose sender is *not* configured is reported ``unreachable`` (never silently dropped).
    A person with no identity at all is looked for at send time: every configured sender that can find
    people (a ``locate`` coroutine, e.g. Slack by e-mail) is asked, and one that finds them links them
    (through ``MentorBot.link``) and the message goes out at once.  The console/log channel serves only
    *console people*: those with a ``console`` identity (they used ``mentorbot chat``) whom no chat
    platform knows or finds.  Nothing meant for anyone else is ever printed and recorded as sent.
    E-mail (``senders["email"]``, when it is on) comes after all of them: for a person no chat platform
    finds, at their roster address, asked again at each delivery so that the message after linking
    goes to chat; and first for a person who chose it or whose role the programme sends by e-mail
    (``bot.channels``).

Unreachable is a state, not an end
    A delivery whose person cannot be reached is ``unreachable`` with the reason in ``last_error`` (what
    coordinators see), and comes back on its own: after :attr:`Dispatcher.unreachable_retry` (5 minutes)
    when the person has no identity yet, after :attr:`Dispatcher.refused_retry` (an hour) when their
    platform refused them, and at once when they are linked (``storage.scheduling`` moves the due time of
    their unreachable deliveries forward when an identity is stored).  These returns do not count as
    failed attempts; the misfire policy (``expires_at``) still ends a message that is no longer useful.

Respect, at the moment of sending
    A delivery past its ``expires_at`` (the misfire policy) is ``skipped``.  Nudges to a person who has
    paused, opted out of that kind, or left are ``skipped``; any message that would land in the person's
    quiet hours (or a routine nudge on a weekend day) goes back to ``pending`` with the time it may be sent.

Failures
    ``RetryLater`` with a ``Retry-After`` (HTTP 429: the platform is pacing us) retries exactly that much
    later, pauses the pacing bucket concerned, and does not count as a failed attempt.  Other temporary
    failures (5xx, timeouts) retry with exponential backoff; after :attr:`Dispatcher.max_attempts` the
    delivery is ``dead`` with its last error kept (coordinators see it).  ``PermanentFailure`` is dead at
    once; ``NotReachable`` is ``unreachable``.

Nothing here blocks the event loop: database work runs in a thread (``asyncio.to_thread``), sends are
awaited, pacing sleeps are ``asyncio.sleep``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import KW_ONLY
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta

from bot.channels import chosen_channel
from bot.clock import Clock
from bot.messages import Message
from bot.model import ChatIdentity
from bot.model import DeliveryStatus
from bot.model import Person
from bot.model import Platform
from bot.nudge_kinds import opted_out
from bot.outbox import Claimed
from bot.outbox import Outcome
from bot.ports import SchedulerUnitOfWorkFactory
from bot.programme import ProgrammeConfig
from bot.sending import ChannelSender
from bot.sending import NotReachable
from bot.sending import PermanentFailure
from bot.sending import RetryLater
from bot.serialize import message_from_dict
from scheduler.localtime import local_date
from scheduler.localtime import release
from scheduler.nudges import ROUTINE_KINDS
from scheduler.nudges import is_nudge
from scheduler.pacing import PlatformPacer

log = logging.getLogger(__name__)


@dataclass
class DispatchSummary:
    sent: int = 0
    failed: int = 0  # will be retried
    dead: int = 0
    unreachable: int = 0
    skipped: int = 0
    deferred: int = 0  # quiet hours or weekend: back to pending with a later time
    released: int = 0  # handed back unsent (shutting down, or too little of the lease left)
    lost: int = 0  # our claim had run out and another dispatcher took over
    lateness: float = 0.0  # seconds between due and sent, for the latest message (how far behind we are)
    by_platform: dict[str, int] = field(default_factory=dict)

    def add(self, other: DispatchSummary) -> None:
        for name in ("sent", "failed", "dead", "unreachable", "skipped", "deferred", "released", "lost"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for k, v in other.by_platform.items():
            self.by_platform[k] = self.by_platform.get(k, 0) + v


@dataclass
class _Route:
    platform: str
    sender: ChannelSender
    identity: ChatIdentity


@dataclass(eq=False, repr=False)  # a running thing, not a value: equal only to itself
class Dispatcher:
    """Sends what is due. One per process; :meth:`drain` may be called again and again.

    ``senders`` is live: channels may register after the dispatcher is built. ``pacing_clock`` and
    ``pacing_sleep`` measure and wait out the platforms' rate limits (real seconds); tests may give
    virtual ones. ``on_send_failure(channel, kind)`` is told of every send a platform did not take (kind:
    ``rate_limited``, ``temporary``, ``refused``, ``unreachable`` or ``error``), for a per-channel metric;
    each is also logged, one line without content. ``shared_pacing``: each platform's workspace-wide rate
    is shared, through the database, with every other process that sends for it (``serve`` turns it on:
    two of them keep to one limit)."""

    uow_factory: SchedulerUnitOfWorkFactory
    programme: ProgrammeConfig
    clock: Clock
    senders: Mapping[str, ChannelSender]
    _: KW_ONLY
    lease: timedelta = timedelta(minutes=2)
    lease_margin: timedelta = timedelta(seconds=15)
    max_attempts: int = 6
    batch_size: int = 200
    concurrency: int = 64
    backoff: timedelta = timedelta(seconds=30)
    max_backoff: timedelta = timedelta(hours=1)
    send_timeout: float = 30.0
    flush_every: float = 0.25
    pacing_clock: Callable[[], float] = time.monotonic
    pacing_sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    unreachable_retry: timedelta = timedelta(minutes=5)
    refused_retry: timedelta = timedelta(hours=1)
    on_send_failure: Callable[[str, str], None] | None = None
    shared_pacing: bool = False
    # ``serve`` sets its start: the lateness of a message due earlier counts from there
    lag_since: datetime | None = field(default=None, init=False)
    _pacers: dict[str, PlatformPacer] = field(default_factory=dict, init=False)
    _in_send: set[asyncio.Task[Outcome]] = field(default_factory=set, init=False)  # talking to a platform now
    _stopping: asyncio.Event | None = field(default=None, init=False)
    _stop_requested: bool = field(default=False, init=False)

    # -- the loop -----------------------------------------------------------------------------------------
    async def drain(self, *, idle_wait: float = 0.0) -> DispatchSummary:
        """Send until nothing is due (then wait ``idle_wait`` seconds for more, and stop when none came)
        or until :meth:`stop` is called.  Deliveries in flight are always finished or handed back."""
        summary = DispatchSummary()
        outcomes: list[Outcome] = []
        tasks: dict[asyncio.Task[Outcome], Claimed] = {}
        finished: list[asyncio.Task[Outcome]] = []  # tasks done since the loop last looked
        woken = asyncio.Event()
        flushing: asyncio.Task[None] | None = None
        self._stopping = stopping = asyncio.Event()
        if self._stop_requested:
            stopping.set()

        def on_done(task: asyncio.Task[Outcome]) -> None:
            finished.append(task)
            woken.set()

        async def flush(final: bool = False) -> None:
            """Write the outcomes gathered so far, in a thread. One write at a time; while one is under
            way the next outcomes wait for the following flush, and the loop goes on claiming and
            sending (waiting for the database here would leave the platform's rate unused)."""
            nonlocal flushing
            if flushing is not None:
                if not final and not flushing.done():
                    return
                await flushing
                flushing = None
            if outcomes:
                batch = outcomes[:]
                outcomes.clear()
                job = asyncio.ensure_future(self._record(batch, summary))
                if final:
                    await job
                else:
                    flushing = job

        loop = asyncio.get_running_loop()
        last_flush = loop.time()
        try:
            while not stopping.is_set():
                room = self.concurrency * 4 - len(tasks)
                if room >= max(1, self.batch_size // 4):
                    claimed = await asyncio.to_thread(self._claim, min(self.batch_size, room))
                else:
                    claimed = []
                for item, person in claimed:
                    early = self._precheck(item, person)
                    if early is not None:
                        outcomes.append(early)
                    else:
                        assert person is not None
                        task = asyncio.create_task(self._deliver(item, person))
                        tasks[task] = item
                        task.add_done_callback(on_done)
                if not claimed and not tasks:
                    if idle_wait <= 0:
                        break
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(stopping.wait(), timeout=idle_wait)
                    if await asyncio.to_thread(self._nothing_due):
                        break
                    continue
                if tasks and not finished:
                    # one waiter, however many sends are in flight (asyncio.wait over all of them would
                    # cost the event loop a callback per task on every turn)
                    woken.clear()
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(woken.wait(), timeout=self.flush_every)
                for task in finished:
                    if tasks.pop(task, None) is not None:
                        outcomes.append(task.result())
                finished.clear()
                now = loop.time()
                if len(outcomes) >= self.batch_size or now - last_flush >= self.flush_every:
                    await flush()
                    last_flush = now
        finally:
            # stopping: whatever has not started sending goes back; sends under way finish (each within
            # send_timeout) and are recorded -- cancelling one could leave a message delivered but its
            # delivery still claimed, to be sent again once the lease runs out
            for t in tasks:
                if t not in self._in_send:
                    t.cancel()
            for t, item in tasks.items():
                try:
                    outcomes.append(await t)
                except asyncio.CancelledError:  # cancelled before it ever ran
                    outcomes.append(self._released(item))
            await flush(final=True)
        return summary

    def stop(self) -> None:
        """Stop claiming; :meth:`drain` returns once the deliveries in flight are finished or handed back.
        Call from the event loop that runs :meth:`drain`."""
        self._stop_requested = True
        if self._stopping is not None:
            self._stopping.set()

    def resume(self) -> None:
        """Allow :meth:`drain` to run again after :meth:`stop`."""
        self._stop_requested = False

    async def aclose(self) -> None:
        """Close the senders that hold resources (those with an ``aclose`` coroutine)."""
        for sender in {id(s): s for s in self.senders.values()}.values():
            close = getattr(sender, "aclose", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    await close()

    # -- database work (in a thread) ---------------------------------------------------------------------
    def _claim(self, limit: int) -> list[tuple[Claimed, Person | None]]:
        now = self.clock.now()
        with self.uow_factory() as uow:
            claimed = uow.scheduling.claim_due(now, now + self.lease, uuid.uuid4().hex, limit)
            people = uow.scheduling.recipients(c.person_id for c in claimed)
            uow.commit()
        return [(c, people.get(c.person_id)) for c in claimed]

    def _reserve(self, platform: str, count: int, interval: float) -> float:
        with self.uow_factory() as uow:
            first = uow.scheduling.reserve_slots(platform, count, interval, time.time())
            uow.commit()
        return first

    def _nothing_due(self) -> bool:
        now = self.clock.now()
        with self.uow_factory() as uow:
            return not uow.scheduling.claim_due_exists(now)

    async def _record(self, outcomes: list[Outcome], summary: DispatchSummary) -> None:
        lost = await asyncio.to_thread(self._finish, outcomes)
        summary.lost += lost
        for o in outcomes:
            self._count(o, summary)

    def _finish(self, outcomes: list[Outcome]) -> int:
        with self.uow_factory() as uow:
            lost = uow.scheduling.finish(outcomes)
            uow.commit()
        if lost:
            log.warning("outbox: %d claim(s) had run out before their outcome was recorded", lost)
        return lost

    def _count(self, o: Outcome, summary: DispatchSummary) -> None:
        if o.status == DeliveryStatus.SENT:
            summary.sent += 1
            summary.by_platform[o.channel] = summary.by_platform.get(o.channel, 0) + 1
            if o.sent_at is not None:
                # how far behind *this* dispatcher is: a message due before it started (the backlog a
                # deploy or a day off leaves) counts from the start, so a fresh deploy does not alarm
                due = o.due_at if self.lag_since is None else max(o.due_at, self.lag_since)
                summary.lateness = max(0.0, (o.sent_at - due).total_seconds())
        elif o.status == DeliveryStatus.FAILED:
            summary.failed += 1
        elif o.status == DeliveryStatus.DEAD:
            summary.dead += 1
        elif o.status == DeliveryStatus.UNREACHABLE:
            summary.unreachable += 1
        elif o.status == DeliveryStatus.SKIPPED:
            summary.skipped += 1
        elif o.last_error == _RELEASED:
            summary.released += 1
        else:
            summary.deferred += 1

    # -- deciding and sending ------------------------------------------------------------------------------
    def _precheck(self, item: Claimed, person: Person | None) -> Outcome | None:
        """An outcome decided without sending (skipped, deferred), or None to go ahead."""
        now = self.clock.now()
        if person is None or not person.in_programme:
            return self._outcome(item, DeliveryStatus.SKIPPED, "the person has left the programme")
        if item.expires_at is not None and now >= item.expires_at:
            return self._outcome(item, DeliveryStatus.SKIPPED, f"expired at {item.expires_at.isoformat()}")
        if is_nudge(item.kind):
            if opted_out(person.opt_outs, item.kind):
                return self._outcome(item, DeliveryStatus.SKIPPED, f"{person.name} opted out of {item.kind}")
            if person.is_paused_on(local_date(now, person)):
                return self._outcome(item, DeliveryStatus.SKIPPED, f"{person.name} paused reminders")
        allowed = release(now, person, self.programme, routine=item.kind in ROUTINE_KINDS)
        if allowed > now:
            return self._outcome(item, DeliveryStatus.PENDING, "", due_at=allowed, attempts=item.attempts - 1)
        if "message" not in item.payload:
            return self._outcome(item, DeliveryStatus.DEAD, "nothing to send: the payload has no message")
        return None

    def route(self, person: Person, channel: str = "") -> _Route:
        """The chat channel that reaches ``person`` with what is known now (no look-up); raises
        :class:`_NoIdentity` when they have no chat identity, NotReachable otherwise."""
        if channel and channel != Platform.CONSOLE:
            identity = person.identity(channel)
            sender = self.senders.get(channel)
            if identity is None or sender is None:
                raise NotReachable(f"asked for {channel}, which is not available for {person.name}")
            return _Route(channel, sender, identity)
        chat = sorted(
            (i for i in person.identities if i.platform != Platform.CONSOLE),
            key=lambda i: (i.updated_at is not None, i.updated_at or datetime.min, i.id or 0),
            reverse=True,
        )
        for identity in chat:
            sender = self.senders.get(identity.platform)
            if sender is not None:
                return _Route(identity.platform, sender, identity)
        if chat:
            platforms = ", ".join(sorted({i.platform for i in chat}))
            raise NotReachable(f"{person.name} is on {platforms}, but no sender is configured for it")
        raise _NoIdentity(person)

    async def find_route(self, person: Person, channel: str = "") -> _Route:
        """:meth:`route`, and for a person with no chat identity yet, a look-up on every platform that
        can find people (Slack by e-mail); then the console/log channel, for a console person only;
        then e-mail, when it is on. A person who chose a channel, or whose role the programme sends by
        e-mail (``bot.channels``), is reached there first. Raises NotReachable with the reasons when
        nothing reaches them."""
        if channel == Platform.EMAIL:
            asked = self._email_route(person, required=True)
            assert asked is not None
            return asked
        chosen = "" if channel else chosen_channel(person, self.programme)
        if chosen == Platform.EMAIL and (route := self._email_route(person)) is not None:
            return route
        if chosen and chosen != Platform.EMAIL:
            with contextlib.suppress(NotReachable, _NoIdentity):
                return self.route(person, chosen)
        try:
            return self.route(person, channel)
        except _NoIdentity:
            pass
        except NotReachable:
            # on a chat platform that is not on here: e-mail, when it is on, reaches them instead
            if channel or (route := self._email_route(person)) is None:
                raise
            return route
        reasons: list[str] = []
        for platform, sender in sorted(self.senders.items()):
            locate = getattr(sender, "locate", None)
            if platform in (Platform.CONSOLE, Platform.EMAIL) or locate is None:
                continue
            try:
                identity = await asyncio.wait_for(locate(person), self.send_timeout)
            except NotReachable as exc:
                reasons.append(str(exc))
                continue
            except TimeoutError:
                reasons.append(f"{platform}: still looking for them")
                continue
            return _Route(platform, sender, identity)
        console = person.identity(Platform.CONSOLE)
        console_sender = self.senders.get(Platform.CONSOLE.value)
        if console is not None and console_sender is not None:
            # a console person (they used ``mentorbot chat``) not found elsewhere
            return _Route(Platform.CONSOLE.value, console_sender, console)
        # linking was tried and found them nowhere: e-mail, when it is on (until a chat platform links
        # them -- each delivery asks again, so the next message after linking goes to chat)
        if (route := self._email_route(person)) is not None:
            return route
        if not reasons:
            chat = sorted(p for p in self.senders if p not in (Platform.CONSOLE, Platform.EMAIL))
            reasons.append(
                f"has no chat account linked yet: they have not opened the bot on {' or '.join(chat)}"
                " (is the app installed for them?)"
                if chat
                else "has no chat account linked yet, and no chat platform is on"
            )
        raise NotReachable("; ".join(reasons), no_identity=True)

    def _email_route(self, person: Person, *, required: bool = False) -> _Route | None:
        """E-mail to the person's address, when e-mail is on and they have one; None otherwise (or
        NotReachable with the reason when ``required``)."""
        sender = self.senders.get(Platform.EMAIL.value)
        if sender is None or "@" not in person.email:
            if required:
                raise NotReachable(f"asked for e-mail, which is not available for {person.name}")
            return None
        identity = ChatIdentity(
            platform=Platform.EMAIL.value, external_id=person.email, person_id=person.id
        )  # never stored: the address on the roster is the way in
        return _Route(Platform.EMAIL.value, sender, identity)

    def pacer(self, platform: str, sender: ChannelSender) -> PlatformPacer:
        pacer = self._pacers.get(platform)
        if pacer is None or pacer.limit != sender.rate_limit:
            reserve = None
            if self.shared_pacing:

                async def reserve(count: int, interval: float) -> float:
                    return await asyncio.to_thread(self._reserve, platform, count, interval)

            pacer = self._pacers[platform] = PlatformPacer(
                sender.rate_limit, monotonic=self.pacing_clock, sleep=self.pacing_sleep, reserve=reserve
            )
        return pacer

    async def _deliver(self, item: Claimed, person: Person) -> Outcome:
        sending = False
        route: _Route | None = None
        try:
            try:
                route = await self.find_route(person, item.channel)
            except NotReachable as exc:
                return self._unreachable(item, exc)
            key = route.sender.rate_key(route.identity)
            pacer = self.pacer(route.platform, route.sender)
            await pacer.acquire(key)
            now = self.clock.now()
            # waited too long for its turn: a send may take send_timeout, and must be recorded (within
            # the margin) before the claim runs out, or another dispatcher could send it again meanwhile
            if now >= item.lease_until - self.lease_margin - timedelta(seconds=self.send_timeout):
                later = now + timedelta(seconds=1)
                return self._outcome(
                    item, DeliveryStatus.PENDING, _RELEASED, due_at=later, attempts=item.attempts - 1
                )
            message: Message = message_from_dict(item.payload["message"])
            sending = True
            task = asyncio.current_task()
            if task is not None:
                self._in_send.add(task)
            try:
                await asyncio.wait_for(route.sender.send(person, route.identity, message), self.send_timeout)
            except TimeoutError:
                raise RetryLater(f"{route.platform} did not answer within {self.send_timeout:g}s") from None
            finally:
                self._in_send.discard(task)
            return self._outcome(
                item, DeliveryStatus.SENT, "", channel=route.platform, sent_at=self.clock.now()
            )
        except RetryLater as exc:
            self._send_failed(
                item, route, "temporary" if exc.retry_after is None else "rate_limited", exc.reason
            )
            if exc.retry_after is None:
                return self._retry(item, exc.reason, None)
            # the platform is pacing us, not refusing the message: wait exactly as long as it asked,
            # hold back the sends queued behind it, and do not count this against the attempts
            if route is not None:
                self._pause(route, exc)
            later = self.clock.now() + timedelta(seconds=exc.retry_after)
            return self._outcome(
                item, DeliveryStatus.FAILED, exc.reason, due_at=later, attempts=item.attempts - 1
            )
        except PermanentFailure as exc:
            self._send_failed(item, route, "refused", str(exc))
            return self._outcome(item, DeliveryStatus.DEAD, f"refused: {exc}")
        except NotReachable as exc:
            self._send_failed(item, route, "unreachable", str(exc))
            return self._unreachable(item, exc)
        except asyncio.CancelledError:
            if sending:
                raise
            return self._released(item)
        except Exception as exc:  # a bug in a sender must not stop the outbox; retry, then dead letter
            log.exception("outbox: sending delivery %s failed unexpectedly", item.id)
            if route is not None and self.on_send_failure is not None:
                self.on_send_failure(route.platform, "error")
            return self._retry(item, f"{type(exc).__name__}: {exc}", None)

    def _send_failed(self, item: Claimed, route: _Route | None, kind: str, reason: str) -> None:
        """A platform did not take a send: one log line (channel, kind, delivery id, the platform's reason;
        never the message) and the per-channel count. Nothing when no send was attempted."""
        if route is None:
            return
        log.warning(
            "outbox: %s send failed (%s): delivery %s: %s",
            route.platform,
            kind,
            item.id,
            " ".join(reason.split())[:200],
            extra={"channel": route.platform, "failure": kind, "delivery_id": item.id},
        )
        if self.on_send_failure is not None:
            self.on_send_failure(route.platform, kind)

    def _released(self, item: Claimed) -> Outcome:
        """Handed back unsent (shutting down): pending again at its own time, the attempt not counted."""
        return self._outcome(
            item, DeliveryStatus.PENDING, _RELEASED, due_at=item.due_at, attempts=item.attempts - 1
        )

    def _pause(self, route: _Route, exc: RetryLater) -> None:
        pacer = self.pacer(route.platform, route.sender)
        assert exc.retry_after is not None
        if exc.platform_wide:
            pacer.shared.pause(exc.retry_after)
        else:
            pacer.key(route.sender.rate_key(route.identity)).pause(exc.retry_after)

    def _unreachable(self, item: Claimed, exc: NotReachable) -> Outcome:
        """Unreachable for now, with the reason for coordinators; tried again later (sooner when the
        person has no identity yet, since linking may find them any minute), the attempt not counted."""
        wait = self.unreachable_retry if getattr(exc, "no_identity", False) else self.refused_retry
        return self._outcome(
            item,
            DeliveryStatus.UNREACHABLE,
            str(exc),
            due_at=self.clock.now() + wait,
            attempts=item.attempts - 1,
        )

    def _retry(self, item: Claimed, reason: str, retry_after: float | None) -> Outcome:
        if item.attempts >= self.max_attempts:
            return self._outcome(
                item, DeliveryStatus.DEAD, f"gave up after {item.attempts} attempts: {reason}"
            )
        delay = self.backoff_for(item.attempts, item.id)
        if retry_after is not None:
            delay = max(delay, timedelta(seconds=retry_after))
        return self._outcome(item, DeliveryStatus.FAILED, reason, due_at=self.clock.now() + delay)

    def backoff_for(self, attempts: int, delivery_id: int) -> timedelta:
        """Exponential backoff (30 s, 1 min, 2 min, ... up to an hour) with a little spread per delivery,
        so deliveries that failed together do not all come back at the same second."""
        base = min(self.max_backoff, self.backoff * (1 << max(0, min(attempts - 1, 20))))
        spread = (delivery_id * 7919 % 1000) / 1000 * 0.2
        return min(self.max_backoff, base * (1 + spread))

    def _outcome(
        self,
        item: Claimed,
        status: str,
        error: str,
        *,
        due_at: datetime | None = None,
        attempts: int | None = None,
        channel: str = "",
        sent_at: datetime | None = None,
    ) -> Outcome:
        return Outcome(
            delivery_id=item.id,
            token=item.token,
            status=str(status),
            attempts=item.attempts if attempts is None else attempts,
            due_at=due_at or item.due_at,
            last_error=error,
            channel=channel or item.channel,
            sent_at=sent_at,
        )


_RELEASED = "handed back unsent"


class _NoIdentity(Exception):
    """The person has no identity at all (not even a console one): look them up."""

    def __init__(self, person: Person) -> None:
        super().__init__(f"{person.name} has no chat identity")
