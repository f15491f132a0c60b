//! Diesel table definitions, identical for both backends (see `migrations/`).
#![allow(missing_docs)]

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        display_name -> Text,
        time_zone -> Text,
        password_hash -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        external_id -> Nullable<Text>,
        is_admin -> Bool,
        deactivated_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        session_id -> Text,
        issued_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    server_settings (name) {
        name -> Text,
        value -> Text,
        created_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::allow_tables_to_appear_in_same_query!(users, sessions, refresh_tokens, server_settings);

diesel::table! {
    partnerships (id) {
        id -> Text,
        inviter_id -> Text,
        invitee_id -> Nullable<Text>,
        invitee_email -> Text,
        pair_key -> Text,
        status -> Text,
        message -> Nullable<Text>,
        cadence_days -> Integer,
        meeting_minutes -> Integer,
        time_zone -> Text,
        fit_review_months -> Integer,
        on_track_gap -> Double,
        at_risk_gap -> Double,
        accepted_at -> Nullable<Timestamp>,
        ended_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        grace_days -> Integer,
        last_refreshed_on -> Nullable<Date>,
        fit_review_announced_on -> Nullable<Date>,
        refresh_cycle -> Integer,
        refresh_announced_on -> Nullable<Date>,
    }
}

diesel::table! {
    goals (id) {
        id -> Text,
        partnership_id -> Text,
        owner_id -> Text,
        status -> Text,
        title -> Nullable<Text>,
        what -> Nullable<Text>,
        who -> Nullable<Text>,
        why -> Nullable<Text>,
        metric_name -> Nullable<Text>,
        metric_unit -> Nullable<Text>,
        metric_kind -> Nullable<Text>,
        direction -> Nullable<Text>,
        baseline -> Nullable<Double>,
        target -> Nullable<Double>,
        confidence -> Nullable<Double>,
        alignment -> Nullable<Text>,
        alignment_ref -> Nullable<Text>,
        start_date -> Nullable<Date>,
        due_date -> Nullable<Date>,
        weight -> Double,
        update_every_days -> Integer,
        external_ref -> Nullable<Text>,
        source -> Nullable<Text>,
        activated_at -> Nullable<Timestamp>,
        closed_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        stale_announced_for -> Nullable<Timestamp>,
    }
}

diesel::table! {
    milestones (id) {
        id -> Text,
        goal_id -> Text,
        position -> Integer,
        title -> Text,
        due_date -> Date,
        target -> Nullable<Double>,
        completed_on -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    goal_changes (id) {
        id -> Text,
        goal_id -> Text,
        actor_id -> Text,
        kind -> Text,
        state -> Text,
        milestone_id -> Nullable<Text>,
        meeting_id -> Nullable<Text>,
        changes -> Text,
        decided_by -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    idempotency_keys (user_id, idem_key) {
        user_id -> Text,
        idem_key -> Text,
        request_hash -> Text,
        status_code -> Nullable<Integer>,
        location -> Nullable<Text>,
        body -> Nullable<Text>,
        created_at -> Timestamp,
        etag -> Nullable<Text>,
    }
}

diesel::joinable!(goals -> partnerships (partnership_id));
diesel::joinable!(milestones -> goals (goal_id));
diesel::joinable!(goal_changes -> goals (goal_id));
diesel::allow_tables_to_appear_in_same_query!(partnerships, goals, milestones, goal_changes, users);

diesel::table! {
    readings (id) {
        id -> Text,
        goal_id -> Text,
        value -> Double,
        observed_at -> Timestamp,
        note -> Nullable<Text>,
        source -> Text,
        external_id -> Nullable<Text>,
        recorded_by -> Text,
        deleted_at -> Nullable<Timestamp>,
        delete_reason -> Nullable<Text>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        rolled -> Bool,
    }
}

diesel::table! {
    reading_revisions (id) {
        id -> Text,
        reading_id -> Text,
        actor_id -> Text,
        action -> Text,
        changes -> Text,
        reason -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::joinable!(readings -> goals (goal_id));
diesel::joinable!(reading_revisions -> readings (reading_id));
diesel::allow_tables_to_appear_in_same_query!(readings, reading_revisions, goals, goal_rollups);

diesel::table! {
    goal_rollups (goal_id) {
        goal_id -> Text,
        time_zone -> Text,
        zone_rules -> Text,
        start_s -> BigInt,
        base -> Double,
        direction -> Nullable<Text>,
        target -> Nullable<Double>,
        rolled_until -> Timestamp,
        stale -> Bool,
        n -> BigInt,
        mean_x -> Double,
        mean_y -> Double,
        sxx -> Double,
        sxy -> Double,
        first_second -> BigInt,
        last_second -> BigInt,
        in_period -> BigInt,
        on_target -> BigInt,
        updated_at -> Timestamp,
    }
}
diesel::joinable!(goal_rollups -> goals (goal_id));

diesel::table! {
    meetings (id) {
        id -> Text,
        partnership_id -> Text,
        status -> Text,
        slot_at -> Timestamp,
        scheduled_at -> Timestamp,
        length_minutes -> Integer,
        location -> Nullable<Text>,
        previous_meeting_id -> Nullable<Text>,
        next_meeting_id -> Nullable<Text>,
        reschedule_count -> Integer,
        reschedule_reason -> Nullable<Text>,
        cancel_reason -> Nullable<Text>,
        cancelled_by -> Nullable<Text>,
        cancelled_at -> Nullable<Timestamp>,
        held_at -> Nullable<Timestamp>,
        attendance -> Nullable<Text>,
        snapshot -> Nullable<Text>,
        completed_by -> Nullable<Text>,
        completed_at -> Nullable<Timestamp>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        upcoming_announced_for -> Nullable<Timestamp>,
    }
}

diesel::table! {
    meeting_notes (meeting_id, partner_id) {
        meeting_id -> Text,
        partner_id -> Text,
        wins -> Text,
        obstacles -> Text,
        solutions -> Text,
        updated_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    commitments (id) {
        id -> Text,
        partnership_id -> Text,
        meeting_id -> Text,
        owner_id -> Text,
        goal_id -> Nullable<Text>,
        text -> Text,
        due_on -> Date,
        status -> Text,
        status_note -> Nullable<Text>,
        closed_by -> Nullable<Text>,
        closed_at -> Nullable<Timestamp>,
        created_by -> Text,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        due_announced -> Bool,
    }
}

diesel::joinable!(meeting_notes -> meetings (meeting_id));
diesel::joinable!(commitments -> meetings (meeting_id));
diesel::allow_tables_to_appear_in_same_query!(meetings, meeting_notes, commitments, goal_changes);

diesel::table! {
    access_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        prefix -> Text,
        scopes -> Text,
        partnership_id -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    external_identities (issuer, subject) {
        issuer -> Text,
        subject -> Text,
        user_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    check_ins (id) {
        id -> Text,
        partnership_id -> Text,
        author_id -> Text,
        text -> Text,
        links -> Text,
        reading_ids -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    fit_reviews (id) {
        id -> Text,
        partnership_id -> Text,
        round -> Integer,
        author_id -> Text,
        shared_values -> Integer,
        complementary_skills -> Integer,
        communication -> Integer,
        wants_to_continue -> Bool,
        note -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    changes (seq) {
        seq -> BigInt,
        partnership_id -> Text,
        entity -> Text,
        entity_id -> Text,
        op -> Text,
        at -> Timestamp,
        position -> BigInt,
    }
}

diesel::table! {
    events (id) {
        id -> Text,
        #[sql_name = "type"]
        event_type -> Text,
        partnership_id -> Nullable<Text>,
        payload -> Text,
        occurred_at -> Timestamp,
    }
}

diesel::table! {
    webhooks (id) {
        id -> Text,
        owner_id -> Text,
        url -> Text,
        secret -> Text,
        event_types -> Text,
        partnership_id -> Nullable<Text>,
        description -> Nullable<Text>,
        active -> Bool,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_deliveries (id) {
        id -> Text,
        webhook_id -> Text,
        event_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        leased_until -> Nullable<Timestamp>,
        last_status_code -> Nullable<Integer>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    webhook_attempts (delivery_id, number) {
        delivery_id -> Text,
        number -> Integer,
        attempted_at -> Timestamp,
        status_code -> Nullable<Integer>,
        error -> Nullable<Text>,
        duration_ms -> Integer,
    }
}

diesel::table! {
    emails (id) {
        id -> Text,
        user_id -> Text,
        to_address -> Text,
        kind -> Text,
        occasion -> Text,
        subject -> Text,
        text_body -> Text,
        calendar -> Nullable<Text>,
        message_id -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        leased_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        sent_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        html_body -> Text,
        unsubscribe_token -> Nullable<Text>,
    }
}

diesel::joinable!(emails -> users (user_id));

diesel::table! {
    cohorts (id) {
        id -> Text,
        name -> Text,
        starts_on -> Date,
        allow_same_department -> Bool,
        created_by -> Text,
        matched_at -> Nullable<Timestamp>,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    cohort_members (cohort_id, user_id) {
        cohort_id -> Text,
        user_id -> Text,
        added_at -> Timestamp,
        opted_out_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    cohort_proposals (id) {
        id -> Text,
        cohort_id -> Text,
        status -> Text,
        pairs -> Text,
        unmatched -> Text,
        total_score -> BigInt,
        version -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        confirmed_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(cohort_proposals -> cohorts (cohort_id));
diesel::joinable!(cohort_members -> cohorts (cohort_id));
diesel::joinable!(cohort_members -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(
    cohorts,
    cohort_members,
    cohort_proposals,
    users,
    matching_profiles,
);

diesel::table! {
    matching_profiles (user_id) {
        user_id -> Text,
        held_values -> Text,
        skills_offered -> Text,
        skills_sought -> Text,
        communication_style -> Nullable<Text>,
        department -> Nullable<Text>,
        level -> Nullable<Text>,
        manager_id -> Nullable<Text>,
        version -> BigInt,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    notification_preferences (user_id) {
        user_id -> Text,
        email_off -> Text,
        quiet_from -> Nullable<Text>,
        quiet_until -> Nullable<Text>,
        version -> BigInt,
        updated_at -> Timestamp,
        webhook_off -> Text,
    }
}
diesel::joinable!(webhook_deliveries -> webhooks (webhook_id));
diesel::joinable!(webhook_deliveries -> events (event_id));
diesel::joinable!(webhook_attempts -> webhook_deliveries (delivery_id));
diesel::allow_tables_to_appear_in_same_query!(
    webhooks,
    webhook_deliveries,
    webhook_attempts,
    events,
    partnerships,
    changes,
);
diesel::allow_tables_to_appear_in_same_query!(users, webhooks);
diesel::allow_tables_to_appear_in_same_query!(goals, webhooks);

diesel::table! {
    member_refreshes (partnership_id, user_id, cycle) {
        partnership_id -> Text,
        user_id -> Text,
        cycle -> Integer,
        due_on -> Date,
        refreshed_on -> Date,
        created_at -> Timestamp,
    }
}

diesel::table! {
    kudos (id) {
        id -> Text,
        partnership_id -> Text,
        subject_type -> Text,
        subject_id -> Text,
        goal_id -> Nullable<Text>,
        from_user_id -> Text,
        to_user_id -> Text,
        note -> Text,
        created_at -> Timestamp,
    }
}
