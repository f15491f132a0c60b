//! The HTTP routes, one module per resource. Each handler extracts the request, calls one use
//! case of [`tandem_app`] and maps its answer to a view ([`crate::views`]); each module declares
//! which named refusals its operations can answer with ([`REFUSALS`]), which the contract
//! documents and debug builds check against every response.

pub mod admin;
pub mod auth;
pub mod calendar;
pub mod changes;
pub mod check_ins;
pub mod cohorts;
pub mod commitments;
pub mod docs;
pub mod export;
pub mod feeds;
pub mod fit_reviews;
pub mod goals;
pub mod health;
pub mod kudos;
pub mod matching;
pub mod me;
pub mod meetings;
pub mod milestones;
pub mod notifications;
pub mod partnerships;
pub mod progress;
pub mod proposals;
pub mod readings;
pub mod refresh;
pub mod reports;
pub mod tokens;
pub mod webhooks;

use tandem_app::Rule;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Declares the named refusals of a resource's operations, by operation id.
macro_rules! refusals {
    ($($op:literal: [$($rule:ident),* $(,)?];)*) => {
        /// The named refusals each operation of this resource can answer with.
        pub const REFUSALS: &[(&str, &[tandem_app::Rule])] =
            &[$(($op, &[$(tandem_app::Rule::$rule),*])),*];
    };
}
pub(crate) use refusals;

/// Every operation's named refusals.
pub const REFUSALS: &[&[(&str, &[Rule])]] = &[
    admin::REFUSALS,
    auth::REFUSALS,
    calendar::REFUSALS,
    check_ins::REFUSALS,
    cohorts::REFUSALS,
    commitments::REFUSALS,
    feeds::REFUSALS,
    fit_reviews::REFUSALS,
    kudos::REFUSALS,
    goals::REFUSALS,
    me::REFUSALS,
    meetings::REFUSALS,
    milestones::REFUSALS,
    partnerships::REFUSALS,
    progress::REFUSALS,
    proposals::REFUSALS,
    readings::REFUSALS,
    refresh::REFUSALS,
    reports::REFUSALS,
    tokens::REFUSALS,
    webhooks::REFUSALS,
];

/// The named refusals of the operation `operation_id`.
pub fn refusals_of(operation_id: &str) -> &'static [Rule] {
    REFUSALS
        .iter()
        .flat_map(|table| table.iter())
        .find(|(op, _)| *op == operation_id)
        .map_or(&[], |(_, rules)| *rules)
}

/// Every route, written once and expanded twice: with utoipa's scopes for the document
/// ([`configure`]) and with actix's own for the server ([`serve`]), so the two cannot differ and
/// the server does not build the document's path and schema objects in every worker at start-up.
///
/// Routes are nested by path prefix (a scope per resource, then per resource id), so a request is
/// routed by a few prefix tests and mostly literal comparisons instead of trying the pattern of
/// every route in turn (that linear scan was about a tenth of the server's CPU under load). Each
/// handler's attribute holds its path below its scope; the contract shows the whole path. Within a
/// scope, literal paths come before an `{id}` scope that would also match them (`/goals/assess`
/// before `/goals/{id}`).
macro_rules! route_tree {
    ($cfg:expr, $scope:path) => {
        $cfg.service(health::healthz)
            .service(health::readyz)
            .service(docs::openapi_json)
            .service(
                $scope("/v1")
                    .service(
                        $scope("/auth")
                            .service(auth::register)
                            .service(auth::issue_token)
                            .service(auth::refresh_token)
                            .service(auth::logout),
                    )
                    .service(
                        $scope("/me")
                            .service(me::get_me)
                            .service(me::update_me)
                            .service(
                                $scope("/notifications")
                                    .service(notifications::get_notification_preferences)
                                    .service(notifications::put_notification_preferences)
                                    .service(notifications::list_email_deliveries),
                            )
                            .service(matching::get_matching_profile)
                            .service(matching::put_matching_profile)
                            .service(
                                $scope("/tokens")
                                    .service(tokens::create_token)
                                    .service(tokens::list_tokens)
                                    .service(tokens::get_token)
                                    .service(tokens::revoke_token),
                            ),
                    )
                    .service(notifications::unsubscribe)
                    .service(
                        $scope("/admin")
                            .service(
                                $scope("/cohorts")
                                    .service(cohorts::create_cohort)
                                    .service(cohorts::list_cohorts)
                                    .service(cohorts::get_cohort)
                                    .service(cohorts::add_cohort_members)
                                    .service(cohorts::list_cohort_members)
                                    .service(cohorts::get_cohort_report)
                                    .service(cohorts::get_cohort_report_csv)
                                    .service(proposals::create_proposal)
                                    .service(proposals::get_proposal)
                                    .service(proposals::update_proposal)
                                    .service(proposals::confirm_proposal),
                            )
                            .service(
                                $scope("/users")
                                    .service(admin::list_users)
                                    .service(admin::provision_user)
                                    .service(admin::deactivate_user)
                                    .service(admin::get_provisioned_user)
                                    .service(admin::get_provisioned_matching_profile),
                            ),
                    )
                    .service(
                        $scope("/cohorts")
                            .service(cohorts::list_my_cohorts)
                            .service(cohorts::opt_out_of_cohort),
                    )
                    .service(
                        $scope("/webhooks")
                            .service(webhooks::create_webhook)
                            .service(webhooks::list_webhooks)
                            .service(
                                $scope("/{id}")
                                    .service(webhooks::get_webhook)
                                    .service(webhooks::update_webhook)
                                    .service(webhooks::delete_webhook)
                                    .service(webhooks::test_webhook)
                                    .service(webhooks::list_deliveries)
                                    .service(webhooks::get_delivery)
                                    .service(webhooks::redeliver),
                            ),
                    )
                    .service(changes::list_changes)
                    .service(
                        $scope("/partnerships")
                            .service(partnerships::create_partnership)
                            .service(partnerships::list_partnerships)
                            .service(
                                $scope("/{id}")
                                    .service(partnerships::get_partnership)
                                    .service(partnerships::update_partnership)
                                    .service(partnerships::accept_partnership)
                                    .service(partnerships::decline_partnership)
                                    .service(partnerships::pause_partnership)
                                    .service(partnerships::resume_partnership)
                                    .service(partnerships::end_partnership)
                                    .service(goals::create_goal)
                                    .service(goals::upsert_goal_by_external_ref)
                                    .service(goals::list_goals)
                                    .service(progress::partnership_scorecard)
                                    .service(meetings::schedule_meeting)
                                    .service(meetings::list_meetings)
                                    .service(meetings::partnership_adherence)
                                    .service(commitments::list_commitments)
                                    .service(check_ins::create_check_in)
                                    .service(check_ins::list_check_ins)
                                    .service(kudos::list_kudos)
                                    .service(fit_reviews::create_fit_review)
                                    .service(fit_reviews::list_fit_reviews)
                                    .service(refresh::refresh_goals)
                                    .service(calendar::create_feed_token)
                                    .service(calendar::list_feed_tokens)
                                    .service(calendar::revoke_feed_token)
                                    .service(calendar::calendar_feed)
                                    .service(export::export_partnership)
                                    .service(reports::partnership_scorecard_csv)
                                    .service(reports::list_goals_csv)
                                    .service(reports::partnership_readings_csv)
                                    .service(reports::list_meetings_csv)
                                    .service(reports::list_commitments_csv)
                                    .service(reports::list_check_ins_csv)
                                    .service(reports::progress_history_csv)
                                    .service(feeds::create_feed_link)
                                    .service(feeds::list_feed_links),
                            ),
                    )
                    .service(
                        $scope("/goals").service(goals::assess_goal).service(
                            $scope("/{id}")
                                .service(goals::get_goal)
                                .service(goals::update_goal)
                                .service(goals::activate_goal)
                                .service(goals::achieve_goal)
                                .service(goals::drop_goal)
                                .service(goals::archive_goal)
                                .service(goals::goal_history)
                                .service(goals::acknowledge_goal_change)
                                .service(goals::reject_goal_change)
                                .service(milestones::add_milestone)
                                .service(milestones::reorder_milestones)
                                .service(milestones::get_milestone)
                                .service(milestones::update_milestone)
                                .service(milestones::complete_milestone)
                                .service(readings::create_reading)
                                .service(readings::list_readings)
                                .service(progress::goal_progress)
                                .service(reports::list_readings_csv),
                        ),
                    )
                    .service(
                        $scope("/readings")
                            .service(readings::create_readings_batch)
                            .service(
                                $scope("/{id}")
                                    .service(readings::get_reading)
                                    .service(readings::update_reading)
                                    .service(readings::delete_reading)
                                    .service(readings::reading_history),
                            ),
                    )
                    .service(
                        $scope("/meetings").service(
                            $scope("/{id}")
                                .service(meetings::get_meeting)
                                .service(meetings::update_meeting)
                                .service(meetings::reschedule_meeting)
                                .service(meetings::cancel_meeting)
                                .service(meetings::complete_meeting)
                                .service(meetings::meeting_snapshot)
                                .service(meetings::get_meeting_notes)
                                .service(meetings::put_meeting_notes)
                                .service(commitments::create_commitment)
                                .service(reports::meeting_snapshot_csv),
                        ),
                    )
                    .service(commitments::get_commitment)
                    .service(commitments::update_commitment)
                    .service(check_ins::get_check_in)
                    .service(
                        $scope("/kudos")
                            .service(kudos::send_kudos)
                            .service(kudos::get_kudos),
                    )
                    .service(feeds::revoke_feed_link)
                    .service(
                        $scope("/feeds").service(
                            $scope("/{token}")
                                .service(feeds::feed_calendar)
                                .service(feeds::feed_report),
                        ),
                    ),
            );
    };
}

/// Registers every route with utoipa's scopes, which collect each operation for the document
/// ([`crate::openapi::api_doc`]). Only `.service(handler)` inside them reaches it.
pub fn configure(cfg: &mut ServiceConfig) {
    route_tree!(cfg, scope::scope);
}

/// Registers every route for serving: the same tree with actix's scopes, which document nothing.
pub fn serve(cfg: &mut actix_web::web::ServiceConfig) {
    route_tree!(cfg, actix_web::web::scope);
}
