"""Loading libplaudit and declaring its C API for ctypes.

This module is the only place that knows the C ABI: it finds the shared
library, declares the struct layouts exactly as ``plaudit.h`` does, and binds
every exported function through one table (``_DECLARATIONS``) that gives its
argument types, result type and error check.

The library is looked for in this order:

1. the file named by the ``PLAUDIT_LIBRARY`` environment variable;
2. ``libplaudit.so*`` inside the package folder (a wheel built by
   ``pip install .`` holds its own copy there);
3. the library ``meson install`` put beside the package (recorded in the
   generated ``_installed`` module: relative to the package, then absolute);
4. ``build*/lib/libplaudit.so`` in the source tree the package sits in
   (``bindings/python/plaudit`` -> the tree's root), newest first;
5. the system's, through :func:`ctypes.util.find_library`.

At load time the library's version number is checked against the range these
bindings support (major version 2).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
from ctypes import (
    CFUNCTYPE,
    POINTER,
    Structure,
    c_char_p,
    c_int,
    c_int64,
    c_size_t,
    c_uint,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any, Callable, Optional

from . import errors as _errors

# Versions these bindings understand: MAJOR * 10000 + MINOR * 100 + PATCH.
MIN_VERSION_NUMBER = 20000
MAX_VERSION_NUMBER = 29999  # any 2.x: the ABI only grows within a major

ENV_LIBRARY = "PLAUDIT_LIBRARY"

# ---------------------------------------------------------------------------
# Constants from plaudit.h
# ---------------------------------------------------------------------------

PLAUDIT_OK = 0
PLAUDIT_DUPLICATE = 1
PLAUDIT_UNSET = -1
PLAUDIT_MAX_LEVELS = 64
PLAUDIT_MAX_VALUE = 1000000000
PLAUDIT_MAX_TS = 137438953472

PLAUDIT_OPTIONS_VERSION = 4
PLAUDIT_ACTION_DEF_VERSION = 1
PLAUDIT_TIER_DEF_VERSION = 2
PLAUDIT_SEGMENT_DEF_VERSION = 1
PLAUDIT_LEADERBOARD_DEF_VERSION = 2
PLAUDIT_BADGE_DEF_VERSION = 2
PLAUDIT_CAMPAIGN_DEF_VERSION = 1
PLAUDIT_KUDOS_DEF_VERSION = 1
PLAUDIT_REWARD_DEF_VERSION = 1
PLAUDIT_LISTENER_VERSION = 3
PLAUDIT_STORE_VERSION = 2
PLAUDIT_STORE_OPTIONS_VERSION = 1
PLAUDIT_FILE_STORE_CREATE = 1
PLAUDIT_FILE_STORE_ARCHIVE = 2

# Enums are C `int`s (every value fits; the ABI passes them as int).
c_enum = c_int

# ---------------------------------------------------------------------------
# Struct layouts (field for field as in plaudit.h)
# ---------------------------------------------------------------------------

MallocFn = CFUNCTYPE(c_void_p, c_size_t, c_void_p)
ReallocFn = CFUNCTYPE(c_void_p, c_void_p, c_size_t, c_void_p)
FreeFn = CFUNCTYPE(None, c_void_p, c_void_p)


class plaudit_allocator(Structure):
    _fields_ = [
        ("malloc", MallocFn),
        ("realloc", ReallocFn),
        ("free", FreeFn),
        ("payload", c_void_p),
    ]


class plaudit_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("allocator", plaudit_allocator),
        ("tzdir", c_char_p),
        ("idempotency_retention_s", c_int64),
        ("max_members", c_uint64),
        # version 2: input limits (0 = the library's default)
        ("max_line_bytes", c_size_t),
        ("max_program_bytes", c_size_t),
        ("max_json_depth", c_uint),
        ("max_rules", c_uint),
        # version 3: what a program may cost per member
        ("max_member_bytes", c_size_t),
        # version 4: the points history
        ("history_per_member", c_size_t),
    ]


class plaudit_action_def(Structure):
    _fields_ = [
        ("version", c_uint),
        ("id", c_char_p),
        ("name", c_char_p),
        ("description", c_char_p),
        ("points", c_int64),
        ("once", c_int),
        ("cooldown_s", c_int64),
        ("cap_points", c_int64),
        ("cap_count", c_int64),
        ("cap_per", c_enum),
    ]


class plaudit_tier_def(Structure):
    _fields_ = [
        ("version", c_uint),
        ("id", c_char_p),
        ("name", c_char_p),
        ("description", c_char_p),
        ("min_points", c_int64),
        ("min_distinct_actions", c_int64),
        ("min_tenure_days", c_int64),
        ("lifetime", c_int),
        ("window", c_enum),
        # version 2
        ("n_benefits", c_size_t),
        ("benefits", POINTER(c_char_p)),
    ]


class plaudit_segment_def(Structure):
    _fields_ = [
        ("version", c_uint),
        ("id", c_char_p),
        ("name", c_char_p),
        ("description", c_char_p),
        ("n_weights", c_size_t),
        ("actions", POINTER(c_char_p)),
        ("weights", POINTER(c_int64)),
    ]


class plaudit_leaderboard_def(Structure):
    _fields_ = [
        ("version", c_uint),
        ("id", c_char_p),
        ("name", c_char_p),
        ("description", c_char_p),
        ("period", c_enum),
        ("segment", c_char_p),
        ("size", c_int64),
        # version 2
        ("by", c_enum),
        ("from", c_int64),
        ("until", c_int64),
    ]


class plaudit_criterion_def(Structure):
    _fields_ = [
        ("criterion", c_enum),
        ("action", c_char_p),
        ("within", c_enum),
        ("per", c_enum),
        ("threshold", c_int64),
        ("tier", c_char_p),
    ]


class plaudit_badge_def(Structure):
    _fields_ = [
        ("version", c_uint),
        ("id", c_char_p),
        ("name", c_char_p),
        ("description", c_char_p),
        ("image", c_char_p),
        ("criteria", c_char_p),
        ("criterion", c_enum),
        ("action", c_char_p),
        ("within", c_enum),
        ("per", c_enum),
        ("n_thresholds", c_size_t),
        ("thresholds", POINTER(c_int64)),
        ("tier", c_char_p),
        ("leaderboard", c_char_p),
        ("top", c_int64),
        ("bonus", c_int64),
        ("hidden", c_int),
        ("repeatable", c_int),
        # version 2
        ("from", c_int64),
        ("until", c_int64),
        ("n_all", c_size_t),
        ("all", POINTER(plaudit_criterion_def)),
    ]


class plaudit_campaign_def(Structure):
    _fields_ = [
        ("version", c_uint),
        ("id", c_char_p),
        ("name", c_char_p),
        ("description", c_char_p),
        ("from", c_int64),
        ("until", c_int64),
        ("n_actions", c_size_t),
        ("actions", POINTER(c_char_p)),
        ("percent", c_int64),
    ]


class plaudit_kudos_def(Structure):
    _fields_ = [
        ("version", c_uint),
        ("points", c_int64),
        ("cap_points", c_int64),
        ("cap_count", c_int64),
        ("cap_per", c_enum),
        ("give_cap_count", c_int64),
        ("give_cap_per", c_enum),
    ]


class plaudit_reward_def(Structure):
    _fields_ = [
        ("version", c_uint),
        ("id", c_char_p),
        ("name", c_char_p),
        ("description", c_char_p),
        ("cost", c_int64),
        ("stock", c_int64),
    ]


class plaudit_program_info(Structure):
    _fields_ = [
        ("name", c_char_p),
        ("timezone", c_char_p),
        ("utc_offset_minutes", c_int),
        ("n_actions", c_size_t),
        ("n_tiers", c_size_t),
        ("n_badges", c_size_t),
        ("n_segments", c_size_t),
        ("n_leaderboards", c_size_t),
        ("n_rewards", c_size_t),
        ("has_kudos", c_int),
        ("sealed", c_int),
        ("format", c_int),
        ("n_campaigns", c_size_t),
    ]


class plaudit_event(Structure):
    _fields_ = [
        ("type", c_enum),
        ("ts", c_int64),
        ("id", c_char_p),
        ("member", c_char_p),
        ("target", c_char_p),
        ("points", c_int64),
        ("reason", c_char_p),
        ("flag", c_int),
        # format 2
        ("ref", c_char_p),
        ("document", c_char_p),
    ]


class plaudit_moment(Structure):
    _fields_ = [
        ("kind", c_enum),
        ("ts", c_int64),
        ("member", c_char_p),
        ("points", c_int64),
        ("source", c_enum),
        ("source_id", c_char_p),
        ("badge", c_char_p),
        ("level", c_uint32),
        ("times", c_uint32),
        ("leaderboard", c_char_p),
        ("tier_from", c_char_p),
        ("tier_to", c_char_p),
        ("promoted", c_int),
        ("reward", c_char_p),
        ("cost", c_int64),
        ("to", c_char_p),
        # library version 2
        ("seq", c_uint64),
        ("redelivered", c_int),
        ("balance", c_int64),
        ("revoked_event", c_char_p),
        ("revoked_ref", c_char_p),
        ("revoked_type", c_enum),
        ("revoked_ts", c_int64),
    ]


class plaudit_history_entry(Structure):
    _fields_ = [
        ("seq", c_uint64),
        ("ts", c_int64),
        ("points", c_int64),
        ("balance", c_int64),
        ("cause", c_enum),
        ("cause_id", c_char_p),
        ("event_type", c_enum),
        ("event_id", c_char_p),
        ("event_ref", c_char_p),
        ("reason", c_char_p),
        ("revoked_event", c_char_p),
        ("revoked_ref", c_char_p),
    ]


class plaudit_history_info(Structure):
    _fields_ = [
        ("per_member", c_size_t),
        ("entries", c_uint64),
        ("bytes", c_uint64),
    ]


class plaudit_outcome(Structure):
    _fields_ = [
        ("status", c_enum),
        ("code", c_int),
        ("message", c_char_p),
        ("points", c_int64),
        ("n_moments", c_size_t),
        ("moments", POINTER(plaudit_moment)),
        ("n_badges", c_size_t),
        ("n_tier_changes", c_size_t),
        # library version 2
        ("arrival", c_uint64),
    ]


MomentFn = CFUNCTYPE(None, POINTER(plaudit_moment), c_void_p)
OutcomeFn = CFUNCTYPE(None, POINTER(plaudit_event), POINTER(plaudit_outcome), c_void_p)


class plaudit_listener(Structure):
    _fields_ = [
        ("version", c_uint),
        ("on_points", MomentFn),
        ("on_badge", MomentFn),
        ("on_tier", MomentFn),
        ("on_redeem", MomentFn),
        ("on_kudos", MomentFn),
        ("payload", c_void_p),
        # version 2
        ("on_outcome", OutcomeFn),
        # version 3
        ("on_revoke", MomentFn),
    ]


class plaudit_window_info(Structure):
    _fields_ = [
        ("window_s", c_int64),
        ("held", c_uint64),
        ("high_water", c_int64),
        ("arrivals", c_uint64),
        ("ready", c_uint64),
        ("oldest_ts", c_int64),
    ]


class plaudit_outbox_info(Structure):
    _fields_ = [
        ("enabled", c_int),
        ("pending", c_uint64),
        ("acked", c_uint64),
        ("last_seq", c_uint64),
        ("max_pending", c_uint64),
        ("redelivered", c_uint64),
        ("refused", c_uint64),
        ("bytes", c_uint64),
    ]


class plaudit_member_info(Structure):
    _fields_ = [
        ("id", c_char_p),
        ("joined", c_int64),
        ("last_ts", c_int64),
        ("points", c_int64),
        ("balance", c_int64),
        ("tier", c_char_p),
        ("segment", c_char_p),
        ("segment_pinned", c_int),
        ("leaderboards", c_int),
        ("kudos_given", c_uint64),
        ("kudos_received", c_uint64),
        ("distinct_actions", c_uint32),
        ("n_badges", c_uint32),
        ("team", c_char_p),
    ]


class plaudit_badge_earned(Structure):
    _fields_ = [
        ("badge", c_char_p),
        ("level", c_uint32),
        ("times", c_uint32),
        ("first_ts", c_int64),
        ("last_ts", c_int64),
    ]


class plaudit_part_progress(Structure):
    _fields_ = [
        ("criterion", c_enum),
        ("action", c_char_p),
        ("tier", c_char_p),
        ("within", c_enum),
        ("current", c_int64),
        ("target", c_int64),
        ("met", c_int),
    ]


class plaudit_badge_progress(Structure):
    _fields_ = [
        ("badge", c_char_p),
        ("criterion", c_enum),
        ("level", c_uint32),
        ("levels", c_uint32),
        ("current", c_int64),
        ("next", c_int64),
        ("earned_this_period", c_int),
        ("from", c_int64),
        ("until", c_int64),
        ("n_parts", c_size_t),
        ("parts", POINTER(plaudit_part_progress)),
    ]


class plaudit_progress(Structure):
    _fields_ = [
        ("tier", c_char_p),
        ("next_tier", c_char_p),
        ("next_points", c_int64),
        ("next_distinct_actions", c_int64),
        ("next_tenure_days", c_int64),
        ("keep_tier", c_char_p),
        ("keep_points", c_int64),
        ("n_badges", c_size_t),
        ("badges", POINTER(plaudit_badge_progress)),
        ("n_benefits", c_size_t),
        ("benefits", POINTER(c_char_p)),
        ("n_next_benefits", c_size_t),
        ("next_benefits", POINTER(c_char_p)),
    ]


class plaudit_leaderboard_info(Structure):
    _fields_ = [
        ("id", c_char_p),
        ("name", c_char_p),
        ("period", c_enum),
        ("by", c_enum),
        ("segment", c_char_p),
        ("from", c_int64),
        ("until", c_int64),
        ("frozen", c_int),
        ("count", c_uint64),
    ]


class plaudit_rank_entry(Structure):
    _fields_ = [
        ("member", c_char_p),
        ("score", c_int64),
        ("rank", c_uint64),
        ("ts", c_int64),
    ]


class plaudit_stats(Structure):
    _fields_ = [
        ("accepted", c_uint64),
        ("duplicates", c_uint64),
        ("rejected", c_uint64),
    ]


SubjectIdFn = CFUNCTYPE(c_void_p, c_char_p, c_void_p)  # returns const char * (kept alive by the caller)
SubjectEmailFn = CFUNCTYPE(c_int, c_char_p, POINTER(c_void_p), POINTER(c_void_p), c_void_p)
PLAUDIT_CREDENTIAL_OPTIONS_VERSION = 1


class plaudit_credential_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("issuer_id", c_char_p),
        ("issuer_name", c_char_p),
        ("issuer_url", c_char_p),
        ("issuer_email", c_char_p),
        ("issuer_image", c_char_p),
        ("base_url", c_char_p),
        ("subject_template", c_char_p),
        ("subject_id", SubjectIdFn),
        ("subject_email", SubjectEmailFn),
        ("payload", c_void_p),
    ]


# plaudit/store.h: the storage interface (a table of callbacks).
StoreChunkFn = CFUNCTYPE(c_int, c_void_p, c_size_t, c_void_p)
StoreJournalAppendFn = CFUNCTYPE(c_int, c_uint64, c_void_p, c_size_t, c_void_p)
StoreSyncFn = CFUNCTYPE(c_int, c_void_p)
StoreJournalReadFn = CFUNCTYPE(c_int, c_uint64, StoreChunkFn, c_void_p, c_void_p)
StoreJournalCutFn = CFUNCTYPE(c_int, c_uint64, c_void_p)
StoreSnapshotWriteFn = CFUNCTYPE(c_int, c_uint64, c_void_p, c_size_t, c_void_p)
StoreSnapshotReadFn = CFUNCTYPE(c_int, StoreChunkFn, c_void_p, c_void_p)
StoreJournalDropFn = CFUNCTYPE(c_int, c_uint64, c_void_p)
StoreErrmsgFn = CFUNCTYPE(c_void_p, c_void_p)  # returns const char * (kept alive by the store)
StoreCloseFn = CFUNCTYPE(None, c_void_p)
StoreAckWriteFn = CFUNCTYPE(c_int, c_uint64, c_void_p)
StoreAckReadFn = CFUNCTYPE(c_int, POINTER(c_uint64), c_void_p)


class plaudit_store(Structure):
    _fields_ = [
        ("version", c_uint),
        ("journal_append", StoreJournalAppendFn),
        ("sync", StoreSyncFn),
        ("journal_read", StoreJournalReadFn),
        ("journal_cut", StoreJournalCutFn),
        ("snapshot_write", StoreSnapshotWriteFn),
        ("snapshot_read", StoreSnapshotReadFn),
        ("journal_drop", StoreJournalDropFn),
        ("errmsg", StoreErrmsgFn),
        ("close", StoreCloseFn),
        ("payload", c_void_p),
        # version 2
        ("ack_write", StoreAckWriteFn),
        ("ack_read", StoreAckReadFn),
    ]


class plaudit_store_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("sync", c_enum),
        ("sync_every_n", c_uint32),
        ("sync_every_ms", c_uint32),
        ("keep_journal", c_int),
    ]


class plaudit_recovery(Structure):
    _fields_ = [
        ("snapshot", c_int),
        ("snapshot_seq", c_uint64),
        ("retroactive", c_int),
        ("records", c_uint64),
        ("skipped", c_uint64),
        ("replayed", c_uint64),
        ("accepted", c_uint64),
        ("rejected", c_uint64),
        ("duplicates", c_uint64),
        ("torn_bytes", c_uint64),
        ("last_seq", c_uint64),
        ("torn_records", c_uint64),
        ("damaged_records", c_uint64),
        ("changed_members", c_uint64),
        ("arrivals", c_uint64),  # struct version 2
    ]


PLAUDIT_ANALYTICS_OPTIONS_VERSION = 1
PLAUDIT_LORENZ_POINTS = 21
PLAUDIT_ANALYTICS_OPEN = -(2**63)


class plaudit_analytics_options(Structure):
    _fields_ = [
        ("version", c_uint),
        ("period", c_int),
        ("quiet_days", c_int64),
        ("quiet_max", c_size_t),
    ]


class plaudit_analytics_count(Structure):
    _fields_ = [
        ("id", c_char_p),
        ("members", c_uint64),
    ]


class plaudit_analytics_period(Structure):
    _fields_ = [
        ("label", ctypes.c_char * 16),
        ("members", c_uint64),
        ("new_members", c_uint64),
        ("participants", c_uint64),
        ("contributions", c_uint64),
        ("redemptions", c_uint64),
        ("revocations", c_uint64),
    ]


class plaudit_quiet_contributor(Structure):
    _fields_ = [
        ("member", c_char_p),
        ("contributions", c_uint64),
        ("last_recognized", c_int64),
    ]


class plaudit_analytics_team(Structure):
    _fields_ = [
        ("id", c_char_p),
        ("members", c_uint64),
        ("participants", c_uint64),
        ("contributions", c_uint64),
        ("participation_rate", ctypes.c_double),
        ("points", c_int64),
        ("gini", ctypes.c_double),
        ("never_recognized", c_uint64),
        ("never_recognized_rate", ctypes.c_double),
    ]


class plaudit_analytics(Structure):
    _fields_ = [
        ("first_period", ctypes.c_char * 16),
        ("last_period", ctypes.c_char * 16),
        ("members", c_uint64),
        ("participants", c_uint64),
        ("contributions", c_uint64),
        ("participation_rate", ctypes.c_double),
        ("repeat_participants", c_uint64),
        ("repeat_rate", ctypes.c_double),
        ("diverse_participants", c_uint64),
        ("diversity_rate", ctypes.c_double),
        ("tenure_avg_days", ctypes.c_double),
        ("tenure_median_days", ctypes.c_double),
        ("n_tiers", c_size_t),
        ("tiers", POINTER(plaudit_analytics_count)),
        ("n_segments", c_size_t),
        ("segments", POINTER(plaudit_analytics_count)),
        ("rewards_redeemed", c_uint64),
        ("points_redeemed", c_int64),
        ("gini", ctypes.c_double),
        ("lorenz", ctypes.c_double * PLAUDIT_LORENZ_POINTS),
        ("never_recognized", c_uint64),
        ("never_recognized_rate", ctypes.c_double),
        ("quiet_days", c_int64),
        ("n_quiet_total", c_uint64),
        ("n_quiet", c_size_t),
        ("quiet", POINTER(plaudit_quiet_contributor)),
        ("n_periods", c_size_t),
        ("periods", POINTER(plaudit_analytics_period)),
        ("revocations", c_uint64),
        ("n_teams", c_size_t),
        ("teams", POINTER(plaudit_analytics_team)),
    ]


# Every struct of the public header, by its C name (the layout test walks it).
STRUCTS = {
    cls.__name__: cls
    for cls in (
        plaudit_allocator,
        plaudit_options,
        plaudit_action_def,
        plaudit_tier_def,
        plaudit_segment_def,
        plaudit_leaderboard_def,
        plaudit_badge_def,
        plaudit_criterion_def,
        plaudit_campaign_def,
        plaudit_kudos_def,
        plaudit_reward_def,
        plaudit_program_info,
        plaudit_event,
        plaudit_moment,
        plaudit_outcome,
        plaudit_listener,
        plaudit_window_info,
        plaudit_outbox_info,
        plaudit_member_info,
        plaudit_badge_earned,
        plaudit_history_entry,
        plaudit_history_info,
        plaudit_badge_progress,
        plaudit_part_progress,
        plaudit_progress,
        plaudit_leaderboard_info,
        plaudit_rank_entry,
        plaudit_stats,
        plaudit_credential_options,
        plaudit_store,
        plaudit_store_options,
        plaudit_recovery,
        plaudit_analytics_options,
        plaudit_analytics_count,
        plaudit_analytics_period,
        plaudit_analytics_team,
        plaudit_quiet_contributor,
        plaudit_analytics,
    )
}

# ---------------------------------------------------------------------------
# Error checks
# ---------------------------------------------------------------------------


def _check(result: int, func: Any, args: tuple) -> int:
    """errcheck for `int` calls whose first argument is the context: a
    negative code raises the exception of that code with the context's
    message; PLAUDIT_OK (and positive values) pass through."""
    if result < 0:
        ctx = args[0] if args else None
        raise _errors.from_code(result, _message(ctx, result))
    return result


def _check_noctx(result: int, func: Any, args: tuple) -> int:
    """errcheck for `int` calls without a context to ask for a message."""
    if result < 0:
        raise _errors.from_code(result, _strerror(result))
    return result


def _message(ctx: Any, code: int) -> str:
    msg = b""
    if ctx:
        msg = _errmsg(ctx) or b""
    text = msg.decode("utf-8", "replace")
    return text or _strerror(code)


def _strerror(code: int) -> str:
    return (_lib.plaudit_strerror(code) or b"").decode("utf-8", "replace")


# ---------------------------------------------------------------------------
# The declaration table
# ---------------------------------------------------------------------------

P = POINTER
ctx_p = c_void_p  # plaudit_ctx * (opaque; never the default int restype)

# (name, restype, argtypes, errcheck, required)
#  errcheck None: the caller looks at the result itself (event calls, whose
#  negative codes are rejections reported in an Outcome; plain values).
#  required False: functions that a library of this major version may lack
#  (features landing later); they are bound to a callable that returns
#  PLAUDIT_EUNSUPPORTED, so calling them raises UnsupportedError.
_DECLARATIONS: list[tuple[str, Any, list, Optional[Callable], bool]] = [
    # version, errors, context
    ("plaudit_version", c_char_p, [], None, True),
    ("plaudit_version_number", c_int, [], None, True),
    ("plaudit_strerror", c_char_p, [c_int], None, True),
    ("plaudit_ctx_new", c_int, [P(c_void_p), P(plaudit_options)], _check_noctx, True),
    ("plaudit_ctx_free", None, [ctx_p], None, True),
    ("plaudit_errmsg", c_char_p, [ctx_p], None, True),
    ("plaudit_errcode", c_int, [ctx_p], None, True),
    ("plaudit_free", None, [ctx_p, c_void_p], None, True),
    # program declaration
    ("plaudit_period_name", c_char_p, [c_enum], None, True),
    ("plaudit_period_parse", c_enum, [c_char_p], None, True),
    ("plaudit_program_set_name", c_int, [ctx_p, c_char_p], _check, True),
    ("plaudit_program_set_format", c_int, [ctx_p, c_int], _check, True),
    ("plaudit_program_set_utc_offset", c_int, [ctx_p, c_int], _check, True),
    ("plaudit_program_set_timezone", c_int, [ctx_p, c_char_p], _check, True),
    ("plaudit_action_declare", c_int, [ctx_p, P(plaudit_action_def)], _check, True),
    ("plaudit_tier_declare", c_int, [ctx_p, P(plaudit_tier_def)], _check, True),
    ("plaudit_segment_declare", c_int, [ctx_p, P(plaudit_segment_def)], _check, True),
    ("plaudit_leaderboard_declare", c_int, [ctx_p, P(plaudit_leaderboard_def)], _check, True),
    ("plaudit_badge_declare", c_int, [ctx_p, P(plaudit_badge_def)], _check, True),
    ("plaudit_kudos_declare", c_int, [ctx_p, P(plaudit_kudos_def)], _check, True),
    ("plaudit_reward_declare", c_int, [ctx_p, P(plaudit_reward_def)], _check, True),
    ("plaudit_campaign_declare", c_int, [ctx_p, P(plaudit_campaign_def)], _check, False),
    ("plaudit_program_info_get", c_int, [ctx_p, P(plaudit_program_info)], _check, True),
    ("plaudit_program_member_bytes", c_int, [ctx_p, P(c_uint64)], _check, True),
    # events (checked by the caller: a rejection is an outcome)
    ("plaudit_event_type_name", c_char_p, [c_enum], None, True),
    ("plaudit_record", c_int, [ctx_p, P(plaudit_event), P(plaudit_outcome)], None, True),
    ("plaudit_record_action", c_int,
     [ctx_p, c_int64, c_char_p, c_char_p, c_char_p, P(plaudit_outcome)], None, True),
    ("plaudit_record_join", c_int, [ctx_p, c_int64, c_char_p, c_char_p, P(plaudit_outcome)], None, True),
    ("plaudit_record_kudos", c_int,
     [ctx_p, c_int64, c_char_p, c_char_p, c_char_p, P(plaudit_outcome)], None, True),
    ("plaudit_record_redeem", c_int,
     [ctx_p, c_int64, c_char_p, c_char_p, c_char_p, P(plaudit_outcome)], None, True),
    ("plaudit_record_award", c_int,
     [ctx_p, c_int64, c_char_p, c_char_p, c_char_p, P(plaudit_outcome)], None, True),
    ("plaudit_record_adjust", c_int,
     [ctx_p, c_int64, c_char_p, c_int64, c_char_p, c_char_p, P(plaudit_outcome)], None, True),
    ("plaudit_record_segment", c_int,
     [ctx_p, c_int64, c_char_p, c_char_p, c_char_p, P(plaudit_outcome)], None, True),
    ("plaudit_record_preferences", c_int,
     [ctx_p, c_int64, c_char_p, c_int, c_char_p, P(plaudit_outcome)], None, True),
    ("plaudit_record_tick", c_int, [ctx_p, c_int64, c_char_p, P(plaudit_outcome)], None, True),
    ("plaudit_record_revoke", c_int,
     [ctx_p, c_int64, c_char_p, c_char_p, c_char_p, c_char_p, P(plaudit_outcome)], None, False),
    ("plaudit_record_team", c_int,
     [ctx_p, c_int64, c_char_p, c_char_p, c_char_p, P(plaudit_outcome)], None, False),
    ("plaudit_program_update", c_int, [ctx_p, c_int64, c_char_p, c_char_p, P(plaudit_outcome)], None, False),
    ("plaudit_record_batch", c_int,
     [ctx_p, P(plaudit_event), c_size_t, P(c_int), P(c_size_t)], _check, True),
    # listeners
    ("plaudit_listener_set", c_int, [ctx_p, P(plaudit_listener)], _check, True),
    # queries
    ("plaudit_clock", c_int64, [ctx_p], None, True),
    ("plaudit_member_get", c_int, [ctx_p, c_char_p, P(plaudit_member_info)], _check, True),
    ("plaudit_member_action_count", c_int, [ctx_p, c_char_p, c_char_p, P(c_uint64)], _check, True),
    ("plaudit_member_affinity", c_int, [ctx_p, c_char_p, c_char_p, P(c_int64)], _check, True),
    ("plaudit_member_badges", c_int,
     [ctx_p, c_char_p, P(P(plaudit_badge_earned)), P(c_size_t)], _check, True),
    ("plaudit_member_progress", c_int, [ctx_p, c_char_p, P(plaudit_progress)], _check, True),
    ("plaudit_member_history", c_int,
     [ctx_p, c_char_p, c_uint64, c_size_t, P(plaudit_history_entry), P(c_size_t), P(c_uint64)], _check, True),
    ("plaudit_member_history_count", c_int, [ctx_p, c_char_p, P(c_uint64), P(c_uint64)], _check, True),
    ("plaudit_history_info_get", c_int, [ctx_p, P(plaudit_history_info)], _check, True),
    ("plaudit_member_count", c_uint64, [ctx_p], None, True),
    ("plaudit_member_list", c_int,
     [ctx_p, c_uint64, c_size_t, P(c_char_p), P(c_size_t), P(c_uint64)], _check, True),
    # leaderboards
    ("plaudit_leaderboard_top", c_int,
     [ctx_p, c_char_p, c_size_t, P(plaudit_rank_entry), P(c_size_t)], _check, True),
    ("plaudit_leaderboard_rank", c_int, [ctx_p, c_char_p, c_char_p, P(c_uint64), P(c_int64)], _check, True),
    ("plaudit_leaderboard_around", c_int,
     [ctx_p, c_char_p, c_char_p, c_size_t, P(plaudit_rank_entry), P(c_size_t)], _check, True),
    ("plaudit_leaderboard_count", c_int, [ctx_p, c_char_p, P(c_uint64)], _check, True),
    ("plaudit_leaderboard_info_get", c_int, [ctx_p, c_char_p, P(plaudit_leaderboard_info)], _check, False),
    ("plaudit_leaderboard_at", c_char_p, [ctx_p, c_size_t], None, False),
    # teams and tier benefits (format 2)
    ("plaudit_team_count", c_uint64, [ctx_p], None, False),
    ("plaudit_team_list", c_int,
     [ctx_p, c_uint64, c_size_t, P(c_char_p), P(c_size_t), P(c_uint64)], _check, False),
    ("plaudit_team_members", c_int, [ctx_p, c_char_p, P(c_uint64)], _check, False),
    ("plaudit_tier_benefits", c_int, [ctx_p, c_char_p, P(P(c_char_p)), P(c_size_t)], _check, False),
    ("plaudit_rule_sentence", c_int, [ctx_p, c_char_p, c_char_p, P(c_void_p), P(c_size_t)], _check, False),
    # rewards
    ("plaudit_reward_stock", c_int, [ctx_p, c_char_p, P(c_int64)], _check, True),
    # state
    ("plaudit_stats_get", c_int, [ctx_p, P(plaudit_stats)], _check, True),
    ("plaudit_state_export", c_int, [ctx_p, P(c_void_p), P(c_size_t)], _check, True),
    ("plaudit_state_digest", c_uint64, [ctx_p], None, True),
    # Open Badges 3.0 credentials
    ("plaudit_credential_export", c_int,
     [ctx_p, c_char_p, c_char_p, c_uint32, P(plaudit_credential_options), P(c_void_p), P(c_size_t)], _check, False),
    # persistence (plaudit/store.h and plaudit.h "Persistence")
    ("plaudit_store_init", c_int, [P(plaudit_store), c_uint], _check_noctx, False),
    ("plaudit_store_close", None, [P(plaudit_store)], None, False),
    ("plaudit_crc32c", c_uint32, [c_uint32, c_void_p, c_size_t], None, False),
    ("plaudit_store_attach", c_int, [ctx_p, P(plaudit_store), P(plaudit_store_options)], _check, False),
    ("plaudit_store_recovery_get", c_int, [ctx_p, P(plaudit_recovery)], _check, False),
    ("plaudit_store_recovery_get_version", c_int, [ctx_p, P(plaudit_recovery), c_uint], _check, False),
    ("plaudit_store_recovery_change", c_int, [ctx_p, c_size_t, P(c_char_p), P(c_uint)], _check, False),
    ("plaudit_store_sync", c_int, [ctx_p], _check, False),
    ("plaudit_store_journal_seq", c_int, [ctx_p, P(c_uint64)], _check_noctx, False),
    ("plaudit_store_durable_seq", c_int, [ctx_p, P(c_uint64)], _check_noctx, False),
    ("plaudit_store_wait_durable", c_int, [ctx_p, c_uint64], _check_noctx, False),
    ("plaudit_store_snapshot", c_int, [ctx_p], _check, False),
    ("plaudit_store_detach", c_int, [ctx_p], _check, False),
    ("plaudit_file_store_open", c_int, [ctx_p, P(plaudit_store), c_char_p, c_uint, c_uint64], _check, False),
    # program analytics
    ("plaudit_analytics_enable", c_int, [ctx_p, P(plaudit_analytics_options)], _check, False),
    ("plaudit_analytics_get", c_int, [ctx_p, P(plaudit_analytics), c_int64, c_int64], _check, False),
    # JSON (the `json` feature)
    ("plaudit_has_json", c_int, [], None, False),
    ("plaudit_program_load_json", c_int, [ctx_p, c_char_p, c_size_t], _check, False),
    ("plaudit_program_load_file", c_int, [ctx_p, c_char_p], _check, False),
    ("plaudit_program_export_json", c_int, [ctx_p, P(c_void_p), P(c_size_t)], _check, False),
    ("plaudit_event_parse", c_int, [ctx_p, c_char_p, c_size_t, P(plaudit_event)], _check, False),
    ("plaudit_record_json", c_int, [ctx_p, c_char_p, c_size_t, P(plaudit_outcome)], None, False),
    ("plaudit_outcome_json", c_int, [ctx_p, P(plaudit_outcome), P(c_void_p), P(c_size_t)], _check, False),
    ("plaudit_moment_json", c_int, [ctx_p, P(plaudit_moment), P(c_void_p), P(c_size_t)], _check, False),
    ("plaudit_program_set_reorder_window", c_int, [ctx_p, c_int64], _check, False),
    ("plaudit_flush", c_int, [ctx_p], _check, False),
    ("plaudit_window_info_get", c_int, [ctx_p, P(plaudit_window_info)], _check_noctx, False),
    ("plaudit_outbox_enable", c_int, [ctx_p, c_size_t], _check, False),
    ("plaudit_outbox_read", c_int, [ctx_p, c_uint64, c_size_t, P(P(plaudit_moment)), P(c_size_t)], _check, False),
    ("plaudit_outbox_ack", c_int, [ctx_p, c_uint64], _check, False),
    ("plaudit_outbox_info_get", c_int, [ctx_p, P(plaudit_outbox_info)], _check_noctx, False),
]


class _Unsupported:
    """Stands in for a function the loaded library does not export."""

    __slots__ = ("__name__", "restype", "argtypes", "errcheck")

    def __init__(self, name: str, restype: Any) -> None:
        self.__name__ = name
        self.restype = restype

    def __call__(self, *args: Any) -> Any:
        if self.__name__ == "plaudit_has_json":
            return 0
        raise _errors.UnsupportedError(
            _errors.EUNSUPPORTED,
            f"{self.__name__}: not exported by the loaded libplaudit ({_lib_path})",
        )


# ---------------------------------------------------------------------------
# Finding and loading the library
# ---------------------------------------------------------------------------


def _candidates() -> list[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    found: list[str] = []
    found += sorted(glob.glob(os.path.join(here, "libplaudit.so*")))
    found += sorted(glob.glob(os.path.join(here, "libplaudit*.dylib")))
    try:
        from . import _installed  # only in a package installed by meson
    except ImportError:
        pass
    else:
        for path in (os.path.normpath(os.path.join(here, _installed.LIBRARY_RELATIVE)),
                     _installed.LIBRARY_ABSOLUTE):
            if os.path.exists(path) and path not in found:
                found.append(path)
    root = os.path.dirname(os.path.dirname(os.path.dirname(here)))  # bindings/python/plaudit -> root
    built = glob.glob(os.path.join(root, "build*", "lib", "libplaudit.so"))
    built += glob.glob(os.path.join(root, "build*", "lib", "libplaudit.dylib"))
    built.sort(key=lambda p: os.path.getmtime(p), reverse=True)  # newest build first
    found += built
    return found


def _load() -> tuple[ctypes.CDLL, str]:
    env = os.environ.get(ENV_LIBRARY)
    if env:
        try:
            return ctypes.CDLL(env), env
        except OSError as e:
            raise ImportError(f"{ENV_LIBRARY}={env!r} cannot be loaded: {e}") from e
    errors = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path), path
        except OSError as e:  # pragma: no cover - a broken build next to us
            errors.append(f"{path}: {e}")
    name = ctypes.util.find_library("plaudit")
    if name:
        try:
            return ctypes.CDLL(name), name
        except OSError as e:  # pragma: no cover
            errors.append(f"{name}: {e}")
    detail = "; ".join(errors) if errors else "no candidate found"
    raise ImportError(
        f"libplaudit not found ({detail}): build it (meson setup build && ninja -C build) "
        f"or set {ENV_LIBRARY} to the library file"
    )


class Lib:
    """The bound functions, as attributes named as in C."""


_cdll, _lib_path = _load()
_lib: Any = Lib()


def _bind() -> None:
    for name, restype, argtypes, errcheck, required in _DECLARATIONS:
        try:
            fn = getattr(_cdll, name)
        except AttributeError:
            if required:
                raise ImportError(f"{_lib_path} does not export {name}: not a libplaudit 1.x") from None
            fn = _Unsupported(name, restype)
            setattr(_lib, name, fn)
            continue
        fn.restype = restype
        fn.argtypes = argtypes
        if errcheck is not None:
            fn.errcheck = errcheck
        setattr(_lib, name, fn)


_bind()
_errmsg = _lib.plaudit_errmsg

VERSION_NUMBER: int = _lib.plaudit_version_number()
VERSION: str = _lib.plaudit_version().decode()
LIBRARY_PATH: str = _lib_path

if not (MIN_VERSION_NUMBER <= VERSION_NUMBER <= MAX_VERSION_NUMBER):
    raise ImportError(
        f"{_lib_path} is libplaudit {VERSION} ({VERSION_NUMBER}); these bindings support "
        f"{MIN_VERSION_NUMBER}..{MAX_VERSION_NUMBER} (1.x)"
    )


def bind_optional(name: str, restype: Any, argtypes: list, errcheck: Optional[Callable] = _check) -> Any:
    """Bind a function the table does not list (used by modules for APIs
    that land later); when the library lacks it, a callable that raises UnsupportedError."""
    try:
        fn = getattr(_cdll, name)
    except AttributeError:
        return _Unsupported(name, restype)
    fn.restype = restype
    fn.argtypes = argtypes
    if errcheck is not None:
        fn.errcheck = errcheck
    return fn


def has(name: str) -> bool:
    """True when the loaded library exports `name`."""
    return not isinstance(getattr(_lib, name, None), _Unsupported) and hasattr(_cdll, name)


__all__ = ["STRUCTS", "VERSION", "VERSION_NUMBER", "LIBRARY_PATH", "has", "bind_optional"]
