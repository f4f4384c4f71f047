"""Plain Python values for what the engine reports: enums mirroring the C
enums, and dataclasses copied out of the C structs (so they stay valid after
the call, unlike the context-owned C memory they come from)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Optional, Union


class Period(enum.IntEnum):
    """plaudit_period."""

    NONE = 0
    DAY = 1
    WEEK = 2
    MONTH = 3
    QUARTER = 4
    YEAR = 5
    ALL = 6


class Criterion(enum.IntEnum):
    """plaudit_criterion: what a badge's `when` holds."""

    MANUAL = 0
    ACTION_COUNT = 1
    ACTION_STREAK = 2
    DISTINCT_ACTIONS = 3
    POINTS = 4
    TENURE_DAYS = 5
    KUDOS_RECEIVED = 6
    KUDOS_GIVEN = 7
    TIER = 8
    LEADERBOARD = 9
    ALL = 10  # format 2: a challenge


class EventType(enum.IntEnum):
    """plaudit_event_type."""

    ACTION = 0
    JOIN = 1
    KUDOS = 2
    REDEEM = 3
    AWARD = 4
    ADJUST = 5
    SEGMENT = 6
    PREFERENCES = 7
    TICK = 8
    # format 2
    REVOKE = 9
    TEAM = 10
    PROGRAM = 11


class Status(enum.IntEnum):
    """plaudit_status: what an event did."""

    ACCEPTED = 0
    DUPLICATE = 1
    REJECTED = 2
    HELD = 3  # held by the reorder window: decided when released


class MomentKind(enum.IntEnum):
    """plaudit_moment_kind."""

    POINTS = 0
    BADGE = 1
    TIER = 2
    REDEEM = 3
    KUDOS = 4
    REVOKE = 5  # format 2: an earlier event revoked


class Source(enum.IntEnum):
    """plaudit_source: what a points moment was paid for."""

    ACTION = 0
    BONUS = 1
    KUDOS = 2
    ADJUST = 3
    REVOKE = 4  # source_id: the revoked event's id
    REDEEM = 5  # points history only: source_id is the reward


PeriodLike = Union[Period, str, int, None]


def period_value(p: PeriodLike) -> int:
    """A period given as a Period, its name ("week") or None (NONE)."""
    if p is None:
        return 0
    if isinstance(p, str):
        try:
            return Period[p.upper()].value if p else 0
        except KeyError:
            raise ValueError(f"unknown period {p!r}") from None
    return int(Period(p))


@dataclass(slots=True)
class Moment:
    """A recognition moment (plaudit_moment), copied out of the C struct.

    Fields that do not belong to ``kind`` are ``None`` / 0."""

    kind: MomentKind
    ts: int
    member: str
    points: int = 0
    source: Optional[Source] = None
    source_id: Optional[str] = None
    badge: Optional[str] = None
    level: int = 0
    times: int = 0
    leaderboard: Optional[str] = None
    tier_from: Optional[str] = None
    tier_to: Optional[str] = None
    promoted: bool = False
    reward: Optional[str] = None
    cost: int = 0
    to: Optional[str] = None
    seq: int = 0  # 1, 2, 3, ... over the engine's life, the same after recovery
    redelivered: bool = False  # put back in the outbox by recovery
    # REVOKE (and POINTS moments with source REVOKE: revoked_event/_ref)
    balance: int = 0
    revoked_event: Optional[str] = None
    revoked_ref: Optional[str] = None
    revoked_type: Optional["EventType"] = None
    revoked_ts: int = 0


@dataclass(slots=True)
class Outcome:
    """What one event call did (plaudit_outcome)."""

    status: Status
    code: int
    message: str
    points: int = 0
    moments: tuple[Moment, ...] = ()
    n_badges: int = 0
    n_tier_changes: int = 0
    arrival: int = 0  # with a reorder window: the event's arrival number

    @property
    def held(self) -> bool:
        return self.status is Status.HELD

    @property
    def accepted(self) -> bool:
        return self.status is Status.ACCEPTED

    @property
    def duplicate(self) -> bool:
        return self.status is Status.DUPLICATE

    @property
    def rejected(self) -> bool:
        return self.status is Status.REJECTED


@dataclass(slots=True)
class Event:
    """One event, for :meth:`Engine.record` and :meth:`Engine.record_batch`.

    ``member`` is the giver for kudos; ``target`` is the action, the kudos
    receiver, the reward, the badge or the segment (``None`` unpins).  Build
    them with the class methods, which name the fields as the spec does."""

    type: EventType
    ts: int
    member: Optional[str] = None
    target: Optional[str] = None
    id: Optional[str] = None
    points: int = 0
    reason: Optional[str] = None
    flag: bool = False
    ref: Optional[str] = None
    document: Optional[str] = None

    @classmethod
    def action(cls, ts: int, member: str, action: str, id: Optional[str] = None, *,
               ref: Optional[str] = None) -> "Event":
        return cls(EventType.ACTION, ts, member, action, id, ref=ref)

    @classmethod
    def join(cls, ts: int, member: str, id: Optional[str] = None) -> "Event":
        return cls(EventType.JOIN, ts, member, None, id)

    @classmethod
    def kudos(cls, ts: int, from_: str, to: str, id: Optional[str] = None, *,
              ref: Optional[str] = None) -> "Event":
        return cls(EventType.KUDOS, ts, from_, to, id, ref=ref)

    @classmethod
    def redeem(cls, ts: int, member: str, reward: str, id: Optional[str] = None, *,
               ref: Optional[str] = None) -> "Event":
        return cls(EventType.REDEEM, ts, member, reward, id, ref=ref)

    @classmethod
    def award(cls, ts: int, member: str, badge: str, id: Optional[str] = None, *,
              ref: Optional[str] = None) -> "Event":
        return cls(EventType.AWARD, ts, member, badge, id, ref=ref)

    @classmethod
    def adjust(cls, ts: int, member: str, points: int, reason: Optional[str] = None,
               id: Optional[str] = None, *, ref: Optional[str] = None) -> "Event":
        return cls(EventType.ADJUST, ts, member, None, id, points, reason, ref=ref)

    @classmethod
    def segment(cls, ts: int, member: str, segment: Optional[str], id: Optional[str] = None) -> "Event":
        return cls(EventType.SEGMENT, ts, member, segment, id)

    @classmethod
    def preferences(cls, ts: int, member: str, leaderboards: bool, id: Optional[str] = None) -> "Event":
        return cls(EventType.PREFERENCES, ts, member, None, id, flag=bool(leaderboards))

    @classmethod
    def tick(cls, ts: int, id: Optional[str] = None) -> "Event":
        return cls(EventType.TICK, ts, None, None, id)

    @classmethod
    def revoke(cls, ts: int, *, event: Optional[str] = None, ref: Optional[str] = None,
               reason: Optional[str] = None, id: Optional[str] = None) -> "Event":
        """Revoke (format 2) the event whose id is `event`, or every event
        with `ref`: exactly one of the two."""
        return cls(EventType.REVOKE, ts, None, event, id, reason=reason, ref=ref)

    @classmethod
    def team(cls, ts: int, member: str, team: Optional[str], id: Optional[str] = None) -> "Event":
        """Format 2: put `member` in `team` (None: out of its team)."""
        return cls(EventType.TEAM, ts, member, team, id)

    @classmethod
    def program(cls, ts: int, document: str, id: Optional[str] = None) -> "Event":
        """A program event: `document` (JSON text) is the program from `ts`
        on (spec section 7)."""
        return cls(EventType.PROGRAM, ts, None, None, id, document=document)


@dataclass(slots=True)
class BatchResult:
    """What :meth:`Engine.record_batch` did: one code per processed event
    (0 accepted, 1 duplicate, 2 held by the reorder window (its outcome
    comes when it is released), negative: the rejection code)."""

    codes: list[int]
    n_done: int

    @property
    def accepted(self) -> int:
        return self.codes.count(0)

    @property
    def duplicates(self) -> int:
        return self.codes.count(1)

    @property
    def rejected(self) -> int:
        return sum(1 for c in self.codes if c < 0)

    @property
    def held(self) -> int:
        """Events the reorder window held (PLAUDIT_HELD): neither accepted
        nor rejected yet."""
        return self.codes.count(2)


@dataclass(slots=True)
class Member:
    """A member snapshot (plaudit_member_info)."""

    id: str
    joined: int
    last_ts: int
    points: int
    balance: int
    tier: Optional[str]
    segment: Optional[str]
    segment_pinned: bool
    leaderboards: bool
    kudos_given: int
    kudos_received: int
    distinct_actions: int
    n_badges: int
    team: Optional[str] = None  # format 2


@dataclass(slots=True)
class BadgeEarned:
    """A badge a member earned (plaudit_badge_earned)."""

    badge: str
    level: int
    times: int
    first_ts: int
    last_ts: int


@dataclass(slots=True)
class BadgeProgress:
    """Progress towards a badge (plaudit_badge_progress)."""

    badge: str
    criterion: Criterion
    level: int
    levels: int
    current: int
    next: int
    earned_this_period: bool
    # format 2: a dated badge's range (None: open) and a challenge's parts
    from_: Optional[int] = None
    until: Optional[int] = None
    parts: list["PartProgress"] = field(default_factory=list)


@dataclass(slots=True)
class PartProgress:
    """One sub-criterion of a challenge (plaudit_part_progress)."""

    criterion: Criterion
    action: Optional[str]
    tier: Optional[str]
    within: Optional[str]
    current: int
    target: int
    met: bool


@dataclass(slots=True)
class LeaderboardInfo:
    """What a board is and ranks (plaudit_leaderboard_info)."""

    id: str
    name: Optional[str]
    period: str
    by: str                  # "member" or "team"
    segment: Optional[str]
    from_: Optional[int]
    until: Optional[int]
    frozen: bool
    count: int


@dataclass(slots=True)
class Progress:
    """A member's progress (plaudit_progress), as of the engine's clock."""

    tier: Optional[str]
    next_tier: Optional[str]
    next_points: int
    next_distinct_actions: int
    next_tenure_days: int
    keep_tier: Optional[str]
    keep_points: int
    badges: list[BadgeProgress] = field(default_factory=list)
    benefits: list[str] = field(default_factory=list)       # of the current tier (format 2)
    next_benefits: list[str] = field(default_factory=list)  # what the next tier unlocks


@dataclass(slots=True)
class RankEntry:
    """One leaderboard entry (plaudit_rank_entry)."""

    member: str
    score: int
    rank: int
    ts: int


@dataclass(slots=True)
class Rank:
    """A member's place on a board: rank 0 when not ranked."""

    rank: int
    score: int


@dataclass(slots=True)
class Stats:
    """Diagnostic counters (plaudit_stats)."""

    accepted: int
    duplicates: int
    rejected: int


@dataclass(slots=True)
class ProgramInfo:
    """What the program declares (plaudit_program_info)."""

    name: Optional[str]
    timezone: Optional[str]
    utc_offset_minutes: int
    n_actions: int
    n_tiers: int
    n_badges: int
    n_segments: int
    n_leaderboards: int
    n_rewards: int
    has_kudos: bool
    sealed: bool


@dataclass(slots=True, frozen=True)
class HistoryEntry:
    """One change of a member's points or balance (plaudit_history_entry):
    what :meth:`Engine.history` returns, newest first."""

    seq: int                       # the member's entry number: 1, 2, 3, ...
    ts: int                        # ts of the event that caused it
    points: int                    # change of points (after the 0 floor)
    balance: int                   # change of balance (after the 0 floor)
    cause: Source                  # what it was for; cause_id says which:
    cause_id: Optional[str]        # action id, badge id (BONUS), the giver
    #                                (KUDOS), the reason (ADJUST), the reward
    #                                (REDEEM), the revoked event's id (REVOKE)
    event_type: EventType          # the event's type (a bonus paid at a
    #                                leaderboard close: often a tick)
    event_id: Optional[str] = None   # the event's idempotency key
    event_ref: Optional[str] = None  # the event's ref
    reason: Optional[str] = None     # adjust and revoke: the event's reason
    revoked_event: Optional[str] = None  # REVOKE: the revoked event's id
    revoked_ref: Optional[str] = None    # REVOKE: its ref


@dataclass(slots=True, frozen=True)
class HistoryPage:
    """A page of a member's points history: `entries` newest first, and
    `next`, the cursor of the next (older) page to pass as ``before=``
    (None when no older entry is kept).  `total` is how many entries the
    member ever had, `kept` how many the engine keeps now."""

    entries: list[HistoryEntry]
    next: Optional[int]
    total: int
    kept: int


class SyncPolicy(enum.IntEnum):
    """plaudit_sync_policy: when an attached store is asked to sync."""

    ALWAYS = 0  # after every accepted event (default)
    BATCH = 1   # every sync_every_n events / sync_every_ms milliseconds
    NEVER = 2   # only on request (sync, snapshot, detach)
    GROUP = 3   # group commit on the file store's sync thread (wait_durable)


@dataclass(slots=True, frozen=True)
class Recovery:
    """What attaching a store found and did (plaudit_recovery)."""

    snapshot: bool        # a snapshot was loaded
    snapshot_seq: int     # last record the snapshot covers (0: none)
    retroactive: bool     # the program changed: the whole journal was replayed
    records: int          # journal records read
    skipped: int          # of them, already covered by the snapshot
    replayed: int         # of them, replayed
    accepted: int         # replayed records accepted
    rejected: int         # replayed records the program rejected (retroactive only)
    duplicates: int       # replayed records that were duplicates
    torn_bytes: int       # bytes dropped at the end, torn or damaged (0: clean end)
    last_seq: int         # seq of the last record; the next is +1
    torn_records: int = 0     # 1: a last record cut short by a crash was dropped
    damaged_records: int = 0  # 1: a whole last record failing its checksum was
    #                           dropped (its event may have been acknowledged)
    # A retroactive replay: the members whose tier, badges, points or balance
    # it changed, as {member: ["tier", "badges", "points", "balance"]}.
    changed: dict = field(default_factory=dict)
    # replayed records that are arrivals of events the reorder window held
    # (decided at release: not in accepted, rejected or duplicates)
    arrivals: int = 0
