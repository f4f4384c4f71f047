/* record_shortcuts.c - one function per event type (plaudit_record_action,
 * plaudit_record_kudos, ... plaudit_program_update): each fills a
 * plaudit_event and hands it to plaudit_record, which owns every rule. */
#include "internal.h"

#define EV(...) plaudit_event ev = {__VA_ARGS__}

int plaudit_record_action(plaudit_ctx *ctx, int64_t ts, const char *member, const char *action, const char *id,
                          plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_ACTION, .ts = ts, .id = id, .member = member, .target = action);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_join(plaudit_ctx *ctx, int64_t ts, const char *member, const char *id, plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_JOIN, .ts = ts, .id = id, .member = member);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_kudos(plaudit_ctx *ctx, int64_t ts, const char *from, const char *to, const char *id,
                         plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_KUDOS, .ts = ts, .id = id, .member = from, .target = to);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_redeem(plaudit_ctx *ctx, int64_t ts, const char *member, const char *reward, const char *id,
                          plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_REDEEM, .ts = ts, .id = id, .member = member, .target = reward);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_award(plaudit_ctx *ctx, int64_t ts, const char *member, const char *badge, const char *id,
                         plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_AWARD, .ts = ts, .id = id, .member = member, .target = badge);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_adjust(plaudit_ctx *ctx, int64_t ts, const char *member, int64_t points, const char *reason,
                          const char *id, plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_ADJUST, .ts = ts, .id = id, .member = member, .points = points, .reason = reason);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_segment(plaudit_ctx *ctx, int64_t ts, const char *member, const char *segment, const char *id,
                           plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_SEGMENT, .ts = ts, .id = id, .member = member, .target = segment);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_preferences(plaudit_ctx *ctx, int64_t ts, const char *member, int leaderboards, const char *id,
                               plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_PREFERENCES, .ts = ts, .id = id, .member = member, .flag = !!leaderboards);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_action_ref(plaudit_ctx *ctx, int64_t ts, const char *member, const char *action, const char *ref,
                              const char *id, plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_ACTION, .ts = ts, .id = id, .member = member, .target = action, .ref = ref);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_kudos_ref(plaudit_ctx *ctx, int64_t ts, const char *from, const char *to, const char *ref,
                             const char *id, plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_KUDOS, .ts = ts, .id = id, .member = from, .target = to, .ref = ref);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_award_ref(plaudit_ctx *ctx, int64_t ts, const char *member, const char *badge, const char *ref,
                             const char *id, plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_AWARD, .ts = ts, .id = id, .member = member, .target = badge, .ref = ref);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_adjust_ref(plaudit_ctx *ctx, int64_t ts, const char *member, int64_t points, const char *reason,
                              const char *ref, const char *id, plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_ADJUST, .ts = ts, .id = id, .member = member, .points = points, .reason = reason,
       .ref = ref);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_redeem_ref(plaudit_ctx *ctx, int64_t ts, const char *member, const char *reward, const char *ref,
                              const char *id, plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_REDEEM, .ts = ts, .id = id, .member = member, .target = reward, .ref = ref);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_tick(plaudit_ctx *ctx, int64_t ts, const char *id, plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_TICK, .ts = ts, .id = id);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_revoke(plaudit_ctx *ctx, int64_t ts, const char *event, const char *ref, const char *reason,
                          const char *id, plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_REVOKE, .ts = ts, .id = id, .target = event, .reason = reason, .ref = ref);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_record_team(plaudit_ctx *ctx, int64_t ts, const char *member, const char *team, const char *id,
                        plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_TEAM, .ts = ts, .id = id, .member = member, .target = team);
    return plaudit_record(ctx, &ev, out);
}

int plaudit_program_update(plaudit_ctx *ctx, int64_t ts, const char *document, const char *id,
                           plaudit_outcome *out)
{
    EV(.type = PLAUDIT_EVENT_PROGRAM, .ts = ts, .id = id, .document = document);
    return plaudit_record(ctx, &ev, out);
}
