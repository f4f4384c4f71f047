/* layout.c - prints the size and field offsets of every struct in
 * plaudit.h as JSON, so that the Python tests can check the ctypes layouts
 * against what the C compiler does (bindings/python/tests/test_layout.py). */
#include <stddef.h>
#include <stdio.h>

#include "plaudit.h"

static int first_struct = 1, first_field;

static void begin(const char *name, size_t size)
{
    printf("%s\n  \"%s\": {\"size\": %zu, \"fields\": {", first_struct ? "" : ",", name, size);
    first_struct = 0;
    first_field = 1;
}

static void field(const char *name, size_t off, size_t size)
{
    printf("%s\"%s\": [%zu, %zu]", first_field ? "" : ", ", name, off, size);
    first_field = 0;
}

static void end(void) { printf("}}"); }

#define S(T, ...) do { begin(#T, sizeof(T)); __VA_ARGS__; end(); } while (0)
#define F(T, f) field(#f, offsetof(T, f), sizeof(((T *)0)->f));

int main(void)
{
    printf("{");
    S(plaudit_allocator,
      F(plaudit_allocator, malloc)
      F(plaudit_allocator, realloc)
      F(plaudit_allocator, free)
      F(plaudit_allocator, payload)
    );
    S(plaudit_options,
      F(plaudit_options, version)
      F(plaudit_options, allocator)
      F(plaudit_options, tzdir)
      F(plaudit_options, idempotency_retention_s)
      F(plaudit_options, max_members)
      F(plaudit_options, max_line_bytes)
      F(plaudit_options, max_program_bytes)
      F(plaudit_options, max_json_depth)
      F(plaudit_options, max_rules)
      F(plaudit_options, max_member_bytes)
      F(plaudit_options, history_per_member)
    );
    S(plaudit_action_def,
      F(plaudit_action_def, version)
      F(plaudit_action_def, id)
      F(plaudit_action_def, name)
      F(plaudit_action_def, description)
      F(plaudit_action_def, points)
      F(plaudit_action_def, once)
      F(plaudit_action_def, cooldown_s)
      F(plaudit_action_def, cap_points)
      F(plaudit_action_def, cap_count)
      F(plaudit_action_def, cap_per)
    );
    S(plaudit_tier_def,
      F(plaudit_tier_def, version)
      F(plaudit_tier_def, id)
      F(plaudit_tier_def, name)
      F(plaudit_tier_def, description)
      F(plaudit_tier_def, min_points)
      F(plaudit_tier_def, min_distinct_actions)
      F(plaudit_tier_def, min_tenure_days)
      F(plaudit_tier_def, lifetime)
      F(plaudit_tier_def, window)
      F(plaudit_tier_def, n_benefits)
      F(plaudit_tier_def, benefits)
    );
    S(plaudit_segment_def,
      F(plaudit_segment_def, version)
      F(plaudit_segment_def, id)
      F(plaudit_segment_def, name)
      F(plaudit_segment_def, description)
      F(plaudit_segment_def, n_weights)
      F(plaudit_segment_def, actions)
      F(plaudit_segment_def, weights)
    );
    S(plaudit_leaderboard_def,
      F(plaudit_leaderboard_def, version)
      F(plaudit_leaderboard_def, id)
      F(plaudit_leaderboard_def, name)
      F(plaudit_leaderboard_def, description)
      F(plaudit_leaderboard_def, period)
      F(plaudit_leaderboard_def, segment)
      F(plaudit_leaderboard_def, size)
      F(plaudit_leaderboard_def, by)
      F(plaudit_leaderboard_def, from)
      F(plaudit_leaderboard_def, until)
    );
    S(plaudit_badge_def,
      F(plaudit_badge_def, version)
      F(plaudit_badge_def, id)
      F(plaudit_badge_def, name)
      F(plaudit_badge_def, description)
      F(plaudit_badge_def, image)
      F(plaudit_badge_def, criteria)
      F(plaudit_badge_def, criterion)
      F(plaudit_badge_def, action)
      F(plaudit_badge_def, within)
      F(plaudit_badge_def, per)
      F(plaudit_badge_def, n_thresholds)
      F(plaudit_badge_def, thresholds)
      F(plaudit_badge_def, tier)
      F(plaudit_badge_def, leaderboard)
      F(plaudit_badge_def, top)
      F(plaudit_badge_def, bonus)
      F(plaudit_badge_def, hidden)
      F(plaudit_badge_def, repeatable)
      F(plaudit_badge_def, from)
      F(plaudit_badge_def, until)
      F(plaudit_badge_def, n_all)
      F(plaudit_badge_def, all)
    );
    S(plaudit_kudos_def,
      F(plaudit_kudos_def, version)
      F(plaudit_kudos_def, points)
      F(plaudit_kudos_def, cap_points)
      F(plaudit_kudos_def, cap_count)
      F(plaudit_kudos_def, cap_per)
      F(plaudit_kudos_def, give_cap_count)
      F(plaudit_kudos_def, give_cap_per)
    );
    S(plaudit_reward_def,
      F(plaudit_reward_def, version)
      F(plaudit_reward_def, id)
      F(plaudit_reward_def, name)
      F(plaudit_reward_def, description)
      F(plaudit_reward_def, cost)
      F(plaudit_reward_def, stock)
    );
    S(plaudit_program_info,
      F(plaudit_program_info, name)
      F(plaudit_program_info, timezone)
      F(plaudit_program_info, utc_offset_minutes)
      F(plaudit_program_info, n_actions)
      F(plaudit_program_info, n_tiers)
      F(plaudit_program_info, n_badges)
      F(plaudit_program_info, n_segments)
      F(plaudit_program_info, n_leaderboards)
      F(plaudit_program_info, n_rewards)
      F(plaudit_program_info, has_kudos)
      F(plaudit_program_info, sealed)
      F(plaudit_program_info, format)
      F(plaudit_program_info, n_campaigns)
    );
    S(plaudit_event,
      F(plaudit_event, type)
      F(plaudit_event, ts)
      F(plaudit_event, id)
      F(plaudit_event, member)
      F(plaudit_event, target)
      F(plaudit_event, points)
      F(plaudit_event, reason)
      F(plaudit_event, flag)
      F(plaudit_event, ref)
      F(plaudit_event, document)
    );
    S(plaudit_moment,
      F(plaudit_moment, kind)
      F(plaudit_moment, ts)
      F(plaudit_moment, member)
      F(plaudit_moment, points)
      F(plaudit_moment, source)
      F(plaudit_moment, source_id)
      F(plaudit_moment, badge)
      F(plaudit_moment, level)
      F(plaudit_moment, times)
      F(plaudit_moment, leaderboard)
      F(plaudit_moment, tier_from)
      F(plaudit_moment, tier_to)
      F(plaudit_moment, promoted)
      F(plaudit_moment, reward)
      F(plaudit_moment, cost)
      F(plaudit_moment, to)
      F(plaudit_moment, seq)
      F(plaudit_moment, redelivered)
      F(plaudit_moment, balance)
      F(plaudit_moment, revoked_event)
      F(plaudit_moment, revoked_ref)
      F(plaudit_moment, revoked_type)
      F(plaudit_moment, revoked_ts)
    );
    S(plaudit_outcome,
      F(plaudit_outcome, status)
      F(plaudit_outcome, code)
      F(plaudit_outcome, message)
      F(plaudit_outcome, points)
      F(plaudit_outcome, n_moments)
      F(plaudit_outcome, moments)
      F(plaudit_outcome, n_badges)
      F(plaudit_outcome, n_tier_changes)
      F(plaudit_outcome, arrival)
    );
    S(plaudit_listener,
      F(plaudit_listener, version)
      F(plaudit_listener, on_points)
      F(plaudit_listener, on_badge)
      F(plaudit_listener, on_tier)
      F(plaudit_listener, on_redeem)
      F(plaudit_listener, on_kudos)
      F(plaudit_listener, payload)
      F(plaudit_listener, on_outcome)
      F(plaudit_listener, on_revoke)
    );
    S(plaudit_window_info,
      F(plaudit_window_info, window_s)
      F(plaudit_window_info, held)
      F(plaudit_window_info, high_water)
      F(plaudit_window_info, arrivals)
      F(plaudit_window_info, ready)
      F(plaudit_window_info, oldest_ts)
    );
    S(plaudit_outbox_info,
      F(plaudit_outbox_info, enabled)
      F(plaudit_outbox_info, pending)
      F(plaudit_outbox_info, acked)
      F(plaudit_outbox_info, last_seq)
      F(plaudit_outbox_info, max_pending)
      F(plaudit_outbox_info, redelivered)
      F(plaudit_outbox_info, refused)
      F(plaudit_outbox_info, bytes)
    );
    S(plaudit_member_info,
      F(plaudit_member_info, id)
      F(plaudit_member_info, joined)
      F(plaudit_member_info, last_ts)
      F(plaudit_member_info, points)
      F(plaudit_member_info, balance)
      F(plaudit_member_info, tier)
      F(plaudit_member_info, segment)
      F(plaudit_member_info, segment_pinned)
      F(plaudit_member_info, leaderboards)
      F(plaudit_member_info, kudos_given)
      F(plaudit_member_info, kudos_received)
      F(plaudit_member_info, distinct_actions)
      F(plaudit_member_info, n_badges)
      F(plaudit_member_info, team)
    );
    S(plaudit_history_entry,
      F(plaudit_history_entry, seq)
      F(plaudit_history_entry, ts)
      F(plaudit_history_entry, points)
      F(plaudit_history_entry, balance)
      F(plaudit_history_entry, cause)
      F(plaudit_history_entry, cause_id)
      F(plaudit_history_entry, event_type)
      F(plaudit_history_entry, event_id)
      F(plaudit_history_entry, event_ref)
      F(plaudit_history_entry, reason)
      F(plaudit_history_entry, revoked_event)
      F(plaudit_history_entry, revoked_ref)
    );
    S(plaudit_history_info,
      F(plaudit_history_info, per_member)
      F(plaudit_history_info, entries)
      F(plaudit_history_info, bytes)
    );
    S(plaudit_badge_earned,
      F(plaudit_badge_earned, badge)
      F(plaudit_badge_earned, level)
      F(plaudit_badge_earned, times)
      F(plaudit_badge_earned, first_ts)
      F(plaudit_badge_earned, last_ts)
    );
    S(plaudit_badge_progress,
      F(plaudit_badge_progress, badge)
      F(plaudit_badge_progress, criterion)
      F(plaudit_badge_progress, level)
      F(plaudit_badge_progress, levels)
      F(plaudit_badge_progress, current)
      F(plaudit_badge_progress, next)
      F(plaudit_badge_progress, earned_this_period)
      F(plaudit_badge_progress, from)
      F(plaudit_badge_progress, until)
      F(plaudit_badge_progress, n_parts)
      F(plaudit_badge_progress, parts)
    );
    S(plaudit_progress,
      F(plaudit_progress, tier)
      F(plaudit_progress, next_tier)
      F(plaudit_progress, next_points)
      F(plaudit_progress, next_distinct_actions)
      F(plaudit_progress, next_tenure_days)
      F(plaudit_progress, keep_tier)
      F(plaudit_progress, keep_points)
      F(plaudit_progress, n_badges)
      F(plaudit_progress, badges)
      F(plaudit_progress, n_benefits)
      F(plaudit_progress, benefits)
      F(plaudit_progress, n_next_benefits)
      F(plaudit_progress, next_benefits)
    );
    S(plaudit_part_progress,
      F(plaudit_part_progress, criterion)
      F(plaudit_part_progress, action)
      F(plaudit_part_progress, tier)
      F(plaudit_part_progress, within)
      F(plaudit_part_progress, current)
      F(plaudit_part_progress, target)
      F(plaudit_part_progress, met)
    );
    S(plaudit_criterion_def,
      F(plaudit_criterion_def, criterion)
      F(plaudit_criterion_def, action)
      F(plaudit_criterion_def, within)
      F(plaudit_criterion_def, per)
      F(plaudit_criterion_def, threshold)
      F(plaudit_criterion_def, tier)
    );
    S(plaudit_campaign_def,
      F(plaudit_campaign_def, version)
      F(plaudit_campaign_def, id)
      F(plaudit_campaign_def, name)
      F(plaudit_campaign_def, description)
      F(plaudit_campaign_def, from)
      F(plaudit_campaign_def, until)
      F(plaudit_campaign_def, n_actions)
      F(plaudit_campaign_def, actions)
      F(plaudit_campaign_def, percent)
    );
    S(plaudit_leaderboard_info,
      F(plaudit_leaderboard_info, id)
      F(plaudit_leaderboard_info, name)
      F(plaudit_leaderboard_info, period)
      F(plaudit_leaderboard_info, by)
      F(plaudit_leaderboard_info, segment)
      F(plaudit_leaderboard_info, from)
      F(plaudit_leaderboard_info, until)
      F(plaudit_leaderboard_info, frozen)
      F(plaudit_leaderboard_info, count)
    );
    S(plaudit_rank_entry,
      F(plaudit_rank_entry, member)
      F(plaudit_rank_entry, score)
      F(plaudit_rank_entry, rank)
      F(plaudit_rank_entry, ts)
    );
    S(plaudit_stats,
      F(plaudit_stats, accepted)
      F(plaudit_stats, duplicates)
      F(plaudit_stats, rejected)
    );
    S(plaudit_credential_options,
      F(plaudit_credential_options, version)
      F(plaudit_credential_options, issuer_id)
      F(plaudit_credential_options, issuer_name)
      F(plaudit_credential_options, issuer_url)
      F(plaudit_credential_options, issuer_email)
      F(plaudit_credential_options, issuer_image)
      F(plaudit_credential_options, base_url)
      F(plaudit_credential_options, subject_template)
      F(plaudit_credential_options, subject_id)
      F(plaudit_credential_options, subject_email)
      F(plaudit_credential_options, payload)
    );
    S(plaudit_store,
      F(plaudit_store, version)
      F(plaudit_store, journal_append)
      F(plaudit_store, sync)
      F(plaudit_store, journal_read)
      F(plaudit_store, journal_cut)
      F(plaudit_store, snapshot_write)
      F(plaudit_store, snapshot_read)
      F(plaudit_store, journal_drop)
      F(plaudit_store, errmsg)
      F(plaudit_store, close)
      F(plaudit_store, payload)
      F(plaudit_store, ack_write)
      F(plaudit_store, ack_read)
    );
    S(plaudit_store_options,
      F(plaudit_store_options, version)
      F(plaudit_store_options, sync)
      F(plaudit_store_options, sync_every_n)
      F(plaudit_store_options, sync_every_ms)
      F(plaudit_store_options, keep_journal)
    );
    S(plaudit_recovery,
      F(plaudit_recovery, snapshot)
      F(plaudit_recovery, snapshot_seq)
      F(plaudit_recovery, retroactive)
      F(plaudit_recovery, records)
      F(plaudit_recovery, skipped)
      F(plaudit_recovery, replayed)
      F(plaudit_recovery, accepted)
      F(plaudit_recovery, rejected)
      F(plaudit_recovery, duplicates)
      F(plaudit_recovery, torn_bytes)
      F(plaudit_recovery, last_seq)
      F(plaudit_recovery, torn_records)
      F(plaudit_recovery, damaged_records)
      F(plaudit_recovery, changed_members)
      F(plaudit_recovery, arrivals)
    );
    S(plaudit_analytics_options,
      F(plaudit_analytics_options, version)
      F(plaudit_analytics_options, period)
      F(plaudit_analytics_options, quiet_days)
      F(plaudit_analytics_options, quiet_max)
    );
    S(plaudit_analytics_count,
      F(plaudit_analytics_count, id)
      F(plaudit_analytics_count, members)
    );
    S(plaudit_analytics_period,
      F(plaudit_analytics_period, label)
      F(plaudit_analytics_period, members)
      F(plaudit_analytics_period, new_members)
      F(plaudit_analytics_period, participants)
      F(plaudit_analytics_period, contributions)
      F(plaudit_analytics_period, redemptions)
      F(plaudit_analytics_period, revocations)
    );
    S(plaudit_quiet_contributor,
      F(plaudit_quiet_contributor, member)
      F(plaudit_quiet_contributor, contributions)
      F(plaudit_quiet_contributor, last_recognized)
    );
    S(plaudit_analytics_team,
      F(plaudit_analytics_team, id)
      F(plaudit_analytics_team, members)
      F(plaudit_analytics_team, participants)
      F(plaudit_analytics_team, contributions)
      F(plaudit_analytics_team, participation_rate)
      F(plaudit_analytics_team, points)
      F(plaudit_analytics_team, gini)
      F(plaudit_analytics_team, never_recognized)
      F(plaudit_analytics_team, never_recognized_rate)
    );
    S(plaudit_analytics,
      F(plaudit_analytics, first_period)
      F(plaudit_analytics, last_period)
      F(plaudit_analytics, members)
      F(plaudit_analytics, participants)
      F(plaudit_analytics, contributions)
      F(plaudit_analytics, participation_rate)
      F(plaudit_analytics, repeat_participants)
      F(plaudit_analytics, repeat_rate)
      F(plaudit_analytics, diverse_participants)
      F(plaudit_analytics, diversity_rate)
      F(plaudit_analytics, tenure_avg_days)
      F(plaudit_analytics, tenure_median_days)
      F(plaudit_analytics, n_tiers)
      F(plaudit_analytics, tiers)
      F(plaudit_analytics, n_segments)
      F(plaudit_analytics, segments)
      F(plaudit_analytics, rewards_redeemed)
      F(plaudit_analytics, points_redeemed)
      F(plaudit_analytics, gini)
      F(plaudit_analytics, lorenz)
      F(plaudit_analytics, never_recognized)
      F(plaudit_analytics, never_recognized_rate)
      F(plaudit_analytics, quiet_days)
      F(plaudit_analytics, n_quiet_total)
      F(plaudit_analytics, n_quiet)
      F(plaudit_analytics, quiet)
      F(plaudit_analytics, n_periods)
      F(plaudit_analytics, periods)
      F(plaudit_analytics, revocations)
      F(plaudit_analytics, n_teams)
      F(plaudit_analytics, teams)
    );
    printf("\n}\n");
    return 0;
}
