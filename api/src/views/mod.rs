//! What responses look like: one module per resource, each view built `From` the application's
//! answer. Views are shared by the routes that show the same thing (a goal inside a refresh, a
//! reading inside a check-in); routes never import one another.

pub mod accounts;
pub mod changes;
pub mod check_ins;
pub mod cohort_reports;
pub mod cohorts;
pub mod commitments;
pub mod export;
pub mod fit_reviews;
pub mod goals;
pub mod kudos;
pub mod matching;
pub mod meetings;
pub mod notifications;
pub mod partnerships;
pub mod progress;
pub mod proposals;
pub mod readings;
pub mod refresh;
pub mod tokens;
pub mod webhooks;
