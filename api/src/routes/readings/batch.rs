//! The batch endpoint's bookkeeping: items parsed one by one (so an error points at the item's
//! field), recorded together, and answered item by item.

use actix_web::HttpResponse;
use serde_json::Value;
use tandem_app::Principal;
use tandem_app::readings::{self, Inserted};

use crate::http::problem::{ApiError, FieldError, HttpRule, PROBLEM_JSON, Problem};
use crate::state::AppState;
use crate::views::readings::{BatchResponse, BatchResult, BatchStatus, ReadingView, reading_item};

/// Records every parsable item; answers each item's outcome, or refuses the whole batch when no
/// item could be stored.
pub async fn record(
    state: &AppState,
    who: Principal,
    items: Vec<Value>,
) -> Result<HttpResponse, ApiError> {
    let mut results: Vec<Option<BatchResult>> = Vec::with_capacity(items.len());
    let mut parsed = Vec::new();
    for (index, item) in items.into_iter().enumerate() {
        match reading_item(item) {
            Ok((goal_id, new)) => {
                parsed.push((index, goal_id, new));
                results.push(None);
            }
            Err(e) => results.push(Some(failed(index, &e))),
        }
    }
    let outcomes = state
        .app
        .write_by(&who, move |tx, actor| {
            readings::record_batch(tx, actor, parsed)
        })
        .await?;
    for (index, outcome) in outcomes {
        results[index] = Some(match outcome {
            Ok(Inserted::Created(r)) => done(index, BatchStatus::Created, &r),
            Ok(Inserted::Existing(r)) => done(index, BatchStatus::Existing, &r),
            Err(e) => failed(index, &e.into()),
        });
    }
    let results: Vec<BatchResult> = results.into_iter().flatten().collect();
    let count = |s: BatchStatus| results.iter().filter(|r| r.status == s).count();
    if count(BatchStatus::Created) + count(BatchStatus::Existing) == 0 {
        return Ok(batch_rejected(&results));
    }
    Ok(HttpResponse::Ok().json(BatchResponse {
        created: count(BatchStatus::Created),
        existing: count(BatchStatus::Existing),
        failed: count(BatchStatus::Error),
        results,
    }))
}

fn done(index: usize, status: BatchStatus, r: &tandem_app::readings::Reading) -> BatchResult {
    BatchResult {
        index,
        status,
        reading: Some(ReadingView::from(r)),
        problem: None,
    }
}

fn failed(index: usize, e: &ApiError) -> BatchResult {
    BatchResult {
        index,
        status: BatchStatus::Error,
        reading: None,
        problem: Some(item_problem(e, index)),
    }
}

/// A batch in which no item could be stored is itself refused, every item's problem listed: 422 if
/// any item was invalid, otherwise the state answer the items got (404, 403 or 409).
fn batch_rejected(results: &[BatchResult]) -> HttpResponse {
    let problems: Vec<(usize, &Problem)> = results
        .iter()
        .filter_map(|r| r.problem.as_ref().map(|p| (r.index, p)))
        .collect();
    let invalid = problems.iter().any(|(_, p)| p.status == 422);
    let status = if invalid {
        422
    } else {
        problems.first().map_or(422, |(_, p)| p.status)
    };
    let errors: Vec<FieldError> = problems
        .iter()
        .flat_map(|(index, p)| match &p.errors {
            Some(errors) => errors.clone(),
            None => vec![FieldError::new(
                format!("/readings/{index}/goal_id"),
                &p.problem_type
                    .rsplit(':')
                    .next()
                    .unwrap_or("error")
                    .replace('-', "_"),
                p.detail.clone(),
            )],
        })
        .collect();
    let problem = Problem {
        problem_type: format!("urn:tandem:problem:{}", HttpRule::BatchRejected.slug()),
        title: HttpRule::BatchRejected.title().into(),
        status,
        detail: "every item failed; see errors (pointers name the item and field)".into(),
        instance: None,
        request_id: None,
        errors: Some(errors),
        allow: None,
    };
    HttpResponse::build(
        actix_web::http::StatusCode::from_u16(status)
            .unwrap_or(actix_web::http::StatusCode::UNPROCESSABLE_ENTITY),
    )
    .content_type(PROBLEM_JSON)
    .json(problem)
}

/// The item's problem, with pointers made relative to the whole request.
fn item_problem(e: &ApiError, index: usize) -> Problem {
    let mut p = e.problem();
    if let Some(errors) = p.errors.as_mut() {
        for FieldError { pointer, .. } in errors.iter_mut() {
            *pointer = format!("#/readings/{index}{}", pointer.trim_start_matches('#'));
        }
    }
    p
}
