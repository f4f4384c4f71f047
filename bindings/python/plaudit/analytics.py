"""Program analytics from Python: plaudit_analytics_enable / _get.

``enable(engine, period="month", quiet_days=30, quiet_max=10)`` switches the
recorder on (before the first event); ``get(engine, start=None, end=None)``
returns an :class:`Analytics` for the window [start, end) rounded out to
whole periods (None: open).  Importing this module also adds them to the
Engine as ``Engine.enable_analytics(...)`` and ``Engine.analytics(...)``.

Contributions are accepted action events; a recognition is a badge moment,
a kudos received or a promotion above the first tier (include/plaudit.h).
The functions are declared in ``_lib._DECLARATIONS`` with the rest of the C
API; with a library that lacks them, calling raises UnsupportedError.
"""

from __future__ import annotations

from ctypes import byref
from dataclasses import dataclass, field
from typing import Optional, Union

from . import _lib as L
from . import errors as E
from . import _conv as C
from .engine import Engine, _period, add_method, serialized
from .model import Period

_HAVE = L.has("plaudit_analytics_get")
OPEN = L.PLAUDIT_ANALYTICS_OPEN


@dataclass(slots=True)
class QuietContributor:
    member: str
    contributions: int
    last_recognized: Optional[int]  # ts of the newest recognition; None: never


@dataclass(slots=True)
class PeriodStats:
    label: str
    members: int
    new_members: int
    participants: int
    contributions: int
    redemptions: int
    revocations: int = 0  # format 2: revoke events in the period


@dataclass(slots=True)
class TeamStats:
    """Format 2: one team's participation and fairness (members count in
    the team they are in now); team None: members in no team."""

    team: Optional[str]
    members: int
    participants: int
    contributions: int
    participation_rate: float
    points: int
    gini: float
    never_recognized: int
    never_recognized_rate: float


@dataclass(slots=True)
class Analytics:
    """plaudit_analytics, copied out of the context's memory."""

    first_period: str
    last_period: str
    members: int
    participants: int
    contributions: int
    participation_rate: float
    repeat_participants: int
    repeat_rate: float
    diverse_participants: int
    diversity_rate: float
    tenure_avg_days: float
    tenure_median_days: float
    tiers: dict[Optional[str], int]      # None: no tier
    segments: dict[Optional[str], int]   # None: no segment
    rewards_redeemed: int
    points_redeemed: int
    gini: float
    lorenz: list[float]
    never_recognized: int
    never_recognized_rate: float
    quiet_days: int
    quiet_total: int
    quiet: list[QuietContributor] = field(default_factory=list)
    periods: list[PeriodStats] = field(default_factory=list)
    revocations: int = 0  # format 2: revoke events in the window
    # format 2: by team, in the order teams were first named, then None
    teams: list[TeamStats] = field(default_factory=list)


def _unsupported() -> E.PlauditError:
    return E.UnsupportedError(E.EUNSUPPORTED, "plaudit_analytics_*: not exported by the loaded libplaudit")


@serialized
def enable(engine: Engine, period: Union[Period, str, int] = Period.MONTH, quiet_days: int = 30,
           quiet_max: int = 10) -> None:
    """Switch the analytics recorder on; before the first event.
    Raises StateError (events already recorded, or enabled twice),
    InvalidArgumentError / RangeError (bad option)."""
    if not _HAVE:
        raise _unsupported()
    o = L.plaudit_analytics_options()
    o.version = L.PLAUDIT_ANALYTICS_OPTIONS_VERSION
    o.period = _period(period)
    o.quiet_days = C.integer(quiet_days, "quiet_days", 0, C.UINT_MAX)
    o.quiet_max = C.integer(quiet_max, "quiet_max", 0, C.UINT_MAX)
    L._lib.plaudit_analytics_enable(engine._h(), byref(o))


@serialized
def get(engine: Engine, start: Optional[int] = None, end: Optional[int] = None) -> Analytics:
    """The analytics of [start, end) (None: open on that side; both None:
    all time).  Raises StateError when the recorder is off, RangeError for
    an empty window, NoMemoryError when the recorder ran out of memory."""
    if not _HAVE:
        raise _unsupported()
    a = L.plaudit_analytics()
    L._lib.plaudit_analytics_get(engine._h(), byref(a), C.opt_ts(start, "start", OPEN),
                                 C.opt_ts(end, "end", OPEN))

    def s(b: Optional[bytes]) -> Optional[str]:
        return None if b is None else b.decode("utf-8")

    return Analytics(
        first_period=a.first_period.decode(), last_period=a.last_period.decode(),
        members=a.members, participants=a.participants, contributions=a.contributions,
        participation_rate=a.participation_rate, repeat_participants=a.repeat_participants,
        repeat_rate=a.repeat_rate, diverse_participants=a.diverse_participants, diversity_rate=a.diversity_rate,
        tenure_avg_days=a.tenure_avg_days, tenure_median_days=a.tenure_median_days,
        tiers={s(a.tiers[i].id): a.tiers[i].members for i in range(a.n_tiers)},
        segments={s(a.segments[i].id): a.segments[i].members for i in range(a.n_segments)},
        rewards_redeemed=a.rewards_redeemed, points_redeemed=a.points_redeemed,
        gini=a.gini, lorenz=list(a.lorenz), never_recognized=a.never_recognized,
        never_recognized_rate=a.never_recognized_rate, quiet_days=a.quiet_days, quiet_total=a.n_quiet_total,
        quiet=[QuietContributor(s(q.member) or "", q.contributions,
                                None if q.last_recognized < 0 else q.last_recognized)
               for q in (a.quiet[i] for i in range(a.n_quiet))],
        periods=[PeriodStats(p.label.decode(), p.members, p.new_members, p.participants, p.contributions,
                             p.redemptions, p.revocations) for p in (a.periods[i] for i in range(a.n_periods))],
        revocations=a.revocations,
        teams=[TeamStats(s(t.id), t.members, t.participants, t.contributions, t.participation_rate, t.points,
                         t.gini, t.never_recognized, t.never_recognized_rate)
               for t in (a.teams[i] for i in range(a.n_teams))],
    )


def _engine_enable(self: Engine, period: Union[Period, str, int] = Period.MONTH, quiet_days: int = 30,
                   quiet_max: int = 10) -> None:
    return enable(self, period, quiet_days, quiet_max)


def _engine_get(self: Engine, start: Optional[int] = None, end: Optional[int] = None) -> Analytics:
    return get(self, start, end)


add_method("enable_analytics", _engine_enable, "Switch the analytics recorder on (plaudit.analytics.enable).\n\n"
           + (enable.__doc__ or ""))
add_method("analytics", _engine_get, "The program's analytics (plaudit.analytics.get).\n\n" + (get.__doc__ or ""))

__all__ = ["Analytics", "PeriodStats", "QuietContributor", "TeamStats", "enable", "get", "OPEN"]
