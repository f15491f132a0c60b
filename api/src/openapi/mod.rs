//! The OpenAPI document: generated from the handlers, then finished here so that every operation
//! documents the errors it can give, each named refusal included. `openapi/openapi.json` is this
//! document, committed; a test fails when the two differ. The server serves the committed file
//! ([`COMMITTED`]) rather than building the document at start-up.

mod problems;
mod schemas;
mod webhooks;

pub use problems::{
    BadRequest, InternalError, NotFound, PayloadTooLarge, PreconditionFailed, PreconditionRequired,
    ProblemTable, ServiceUnavailable, TooManyRequests, Unauthorized, UnsupportedMediaType,
    ValidationFailed,
};

use std::borrow::Cow;

use actix_web::App;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{OpenApi, Ref, RefOr};
use utoipa::{Modify, OpenApi as _, PartialSchema, ToSchema};
use utoipa_actix_web::AppExt;

use crate::http::problem::{FieldError, Problem};

/// The document's fixed parts; paths come from the handlers.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Tandem API",
        description = "Tandem is the API behind accountability partnerships: two peer leaders, 3-5 SMART goals each, \
the metrics behind them, and a meeting every other week to keep each other honest.\n\n\
Conventions: JSON with snake_case fields; ids are UUIDs; instants are RFC 3339 UTC; errors are RFC 9457 \
`application/problem+json` with a stable `type` URN, and validation errors list every bad field as a JSON pointer. \
Every response carries `X-Request-Id` (send your own to correlate logs). Single resources carry strong ETags: \
send `If-None-Match` to poll cheaply and `If-Match` to edit safely (412 when stale). A resource you may not see \
answers 404, exactly like one that does not exist.",
        license(name = "MIT OR Apache-2.0"),
    ),
    modifiers(&SecurityAddon),
    tags(
        (name = "auth", description = "Accounts and tokens: register, sign in, refresh, sign out"),
        (name = "me", description = "The signed-in user's own account"),
        (name = "partnerships", description = "Two peers holding each other to account: invitations, settings, lifecycle"),
        (name = "goals", description = "SMART goals: drafts, activation, the 3-5 rule, milestones, and edits that cannot cheat"),
        (name = "readings", description = "The numbers behind goals: recorded, corrected with history, batched"),
        (name = "progress", description = "Progress, pace and forecasts per goal; scorecards per partnership"),
        (name = "meetings", description = "The bi-weekly meeting: schedule, agenda, notes, commitments, completion with a frozen scorecard, adherence"),
        (name = "check-ins", description = "Short updates between meetings, with the readings behind them"),
        (name = "kudos", description = "Celebrating wins: a partner's short note on the other's reading, completed milestone or check-in, \
listed in the wins section of the receiver's block of the next meeting's agenda"),
        (name = "fit-reviews", description = "Every quarter, does the pairing still work? Answers stay hidden until both are in"),
        (name = "webhooks", description = "Signed event deliveries for integrations: subscriptions, a delivery log with every try, redelivery. \
The `webhooks` section of this document lists each event and its payload; see `create_webhook` for headers and how to verify signatures"),
        (name = "webhook-events", description = "What Tandem POSTs to a subscription's URL (the document's `webhooks` section): \
one operation per event type, each body a `WebhookEvent` whose `type` tells its `data`. Signed with HMAC-SHA256, no bearer token"),
        (name = "reports", description = "CSV for spreadsheets, each report at a `.csv` path of its own: RFC 4180 (UTF-8, header row, CRLF), \
instants as in JSON (RFC 3339 UTC with `Z`), decimals with a dot, an empty cell for null, stable documented columns; \
`?columns=a,b` selects and orders them. Text cells that begin with =, +, -, @, a tab or a carriage return get a leading `'` \
so spreadsheets never evaluate them. `Accept: text/csv` on a JSON path answers 406 naming the `.csv` path"),
        (name = "sync", description = "Incremental sync for mirrors: a gap-free feed of creates, updates and tombstones; `updated_since` on every list"),
        (name = "programmes", description = "Programmes of many pairs: each leader's matching profile (values, skills offered and sought, communication style), \
            which only they and programme admins see"),
        (name = "admin", description = "Provisioning for HR systems: upsert people by their id, deactivate, list (admins only; never partnership contents)"),
        (name = "operations", description = "Health probes and the contract itself"),
    ),
    components(
        schemas(Problem, FieldError, tandem_domain::events::WebhookEvent, crate::routes::reports::PartnershipReport),
        responses(BadRequest, Unauthorized, NotFound, PreconditionFailed, PreconditionRequired, PayloadTooLarge, TooManyRequests,
            UnsupportedMediaType, ValidationFailed, InternalError, ServiceUnavailable),
    )
)]
struct ApiDoc;

/// The bearer scheme every protected operation names.
struct SecurityAddon;

impl Modify for SecurityAddon {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from POST /v1/auth/token, sent as `Authorization: Bearer <token>`. \
                         Tokens from a configured external issuer (RS256/ES256, keys by `kid` from a JWKS or \
                         PEM file) are accepted the same way.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "access_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("tdm_pat_…")
                    .description(Some(
                        "A personal access token from POST /v1/me/tokens, sent as \
                         `Authorization: Bearer tdm_pat_…`. Each operation lists the scope it needs: \
                         `read` (GET), `readings:write` (recording and correcting readings) or `full`; \
                         a token without it gets 403. A token limited to one partnership gets 404 for \
                         every other. Tokens are not accepted for managing tokens.",
                    ))
                    .build(),
            ),
        );
    }
}

/// An IANA time zone name. A plain string, not an enum: the ~600 names collide once generators
/// turn them into identifiers (`GMT+0`, `GMT-0`, `GMT0`); the server validates every one it is
/// sent (422 naming the field).
pub struct TimeZone;

impl PartialSchema for TimeZone {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some(
                "An IANA time zone name, as listed in the tz database \
                 (https://www.iana.org/time-zones; a readable list: \
                 https://en.wikipedia.org/wiki/List_of_tz_database_time_zones). \
                 An unknown name is refused with 422 naming the field.",
            ))
            .min_length(Some(1))
            .max_length(Some(64))
            .examples(["Europe/Berlin", "America/New_York", "Asia/Kolkata", "UTC"])
            .into()
    }
}

impl ToSchema for TimeZone {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("TimeZone")
    }
}

/// What generators and linters look for beyond the operations: where the API is (relative to
/// wherever the document was fetched), who answers for it, and its licence as an SPDX expression.
fn for_clients(doc: &mut OpenApi) {
    use utoipa::openapi::{ContactBuilder, LicenseBuilder, server::Server};
    let mut here = Server::new("/");
    here.description = Some("The server this document was fetched from".into());
    doc.servers = Some(vec![here]);
    doc.info.contact = Some(
        ContactBuilder::new()
            .name(Some("Tandem API maintainers"))
            .build(),
    );
    doc.info.license = Some(
        LicenseBuilder::new()
            .name("MIT OR Apache-2.0")
            .identifier(Some("MIT OR Apache-2.0"))
            .build(),
    );
}

/// The contract as committed (`openapi/openapi.json`), compiled into the binary. The server
/// serves it and routes by it without building the document (whose path and schema objects cost
/// start-up time and resident memory); `the_committed_contract_is_the_one_the_code_generates`
/// holds it to [`api_doc`].
pub const COMMITTED: &str = include_str!("../../../openapi/openapi.json");

/// Operations that answer without the database.
const UNDATABASED: [&str; 2] = ["healthz", "openapi_json"];

/// The complete document for the routes in [`crate::routes::configure`].
pub fn api_doc() -> OpenApi {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    finish(doc)
}

/// Adds to every operation the error responses its shape implies, so none can be forgotten:
/// a body can be malformed (400), too large (413), not JSON (415) or invalid (422); parameters can
/// be malformed (400); a protected operation can be refused (401); the database can be away
/// (503); anything can fail (500). Then each operation's named refusals (403, 409, 422).
fn finish(mut doc: OpenApi) -> OpenApi {
    webhooks::document(&mut doc);
    for_clients(&mut doc);
    schemas::goal_patch_schema(&mut doc);
    schemas::batch_reading_schema(&mut doc);
    schemas::note_items_schema(&mut doc);
    schemas::link_items_schema(&mut doc);
    schemas::text_rules(&mut doc);
    // After the text rules: their JSON round trip keeps only `x-` extensions.
    schemas::password_needs_current(&mut doc);
    doc.info.description = doc
        .info
        .description
        .map(|d| format!("{d}{}", problems::catalogue()));
    let mut examples = std::collections::BTreeMap::new();
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in [
            ("GET", &mut item.get),
            ("PUT", &mut item.put),
            ("POST", &mut item.post),
            ("DELETE", &mut item.delete),
            ("PATCH", &mut item.patch),
        ]
        .into_iter()
        .filter_map(|(m, op)| op.as_mut().map(|op| (m, op)))
        {
            let protected = op
                .security
                .as_ref()
                .is_some_and(|reqs| reqs.iter().any(|r| r != &Default::default()));
            if !protected {
                // Anonymous: no requirement at all (`[]`); generators read `[{}]` as "authenticated".
                op.security = Some(Vec::new());
            }
            if protected
                && !problems::SIGN_IN_ONLY.contains(&op.operation_id.as_deref().unwrap_or(""))
            {
                let scope = if method == "GET" {
                    "read"
                } else if crate::auth::READINGS_WRITES.contains(&(method, path.as_str())) {
                    "readings:write"
                } else {
                    "full"
                };
                op.security
                    .get_or_insert_with(Vec::new)
                    .push(SecurityRequirement::new("access_token", [scope]));
            }
            let has_params = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Path | ParameterIn::Query)))
            });
            for param in op.parameters.iter_mut().flatten() {
                if let RefOr::T(param) = param {
                    // A header, query or path parameter is absent or a string, never JSON null.
                    if let Some(RefOr::T(Schema::Object(schema))) = param.schema.as_mut() {
                        if let utoipa::openapi::schema::SchemaType::Array(types) =
                            &schema.schema_type
                        {
                            let types: Vec<Type> = types
                                .iter()
                                .filter(|t| **t != Type::Null)
                                .cloned()
                                .collect();
                            if types.len() == 1 {
                                schema.schema_type = types[0].clone().into();
                            }
                        }
                    }
                }
            }
            csv_described(op);
            if op.request_body.is_some() {
                add(op, "400", "BadRequest");
                add(op, "413", "PayloadTooLarge");
                add(op, "415", "UnsupportedMediaType");
                add(op, "422", "ValidationFailed");
            }
            if has_params {
                add(op, "400", "BadRequest");
            }
            if protected {
                add(op, "401", "Unauthorized");
            }
            add(op, "500", "InternalError");
            if !UNDATABASED.contains(&op.operation_id.as_deref().unwrap_or("")) {
                add(op, "503", "ServiceUnavailable");
            }
            let refusals = problems::refusals(op, method, protected);
            problems::document(op, &refusals, &mut examples);
        }
    }
    if let Some(components) = doc.components.as_mut() {
        for (name, example) in examples {
            let example = serde_json::from_value(example).expect("a problem example is valid");
            components.examples.insert(name, RefOr::T(example));
        }
        pages_by_reference(&mut components.schemas);
    }
    // Last: pages must refer to their items first, so the items count as sent.
    schemas::sent_properties_required(&mut doc);
    doc
}

/// Every `Page_X` holds `$ref: X` items (utoipa inlines a generic's argument, so a generated
/// client would get a look-alike class per page) and always carries `next_cursor` (null on the
/// last page), so clients see `string | null`, never `undefined`.
fn pages_by_reference(schemas: &mut std::collections::BTreeMap<String, RefOr<Schema>>) {
    let pages: Vec<String> = schemas
        .keys()
        .filter(|name| name.starts_with("Page_"))
        .cloned()
        .collect();
    for page in pages {
        let item = page.trim_start_matches("Page_").to_owned();
        if !schemas.contains_key(&item) {
            continue;
        }
        let mut json = serde_json::to_value(&schemas[&page]).expect("a schema is JSON");
        json["properties"]["items"]["items"] =
            serde_json::json!({"$ref": format!("#/components/schemas/{item}")});
        if let Some(required) = json["required"].as_array_mut()
            && !required.iter().any(|r| r == "next_cursor")
        {
            required.push("next_cursor".into());
        }
        let schema = serde_json::from_value(json).expect("a page schema is valid");
        schemas.insert(page, schema);
    }
}

/// Every CSV report's 200 names its columns (from the list the writer uses) and says how text
/// cells are protected against formula injection (the writer in [`crate::http::csv`] does it for
/// all of them).
fn csv_described(op: &mut Operation) {
    let id = op.operation_id.as_deref().unwrap_or("");
    let Some((_, _, columns)) = crate::routes::reports::CSV_REPORTS
        .iter()
        .find(|(op, _, _)| *op == id)
    else {
        return;
    };
    if let Some(RefOr::T(response)) = op.responses.responses.get_mut("200") {
        if let Some(RefOr::T(content)) = response.content.get_mut("text/csv") {
            // The header row every answer starts with.
            content.example = Some(format!("{}\r\n", columns.join(",")).into());
        }
        let said = response.description.trim_end().trim_end_matches('.');
        response.description = format!(
            "{said}. CSV columns, in order: {}. {}",
            columns.join(", "),
            crate::http::csv::NEUTRALISED
        );
    }
}

fn add(op: &mut Operation, status: &str, component: &str) {
    op.responses
        .responses
        .entry(status.to_owned())
        .or_insert_with(|| RefOr::Ref(Ref::from_response_name(component)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_contract_is_the_one_the_code_generates() {
        let generated = serde_json::to_value(api_doc()).unwrap();
        let committed: serde_json::Value =
            serde_json::from_str(COMMITTED).expect("openapi/openapi.json is JSON");
        assert!(
            generated == committed,
            "openapi/openapi.json is out of date; regenerate it with\n  \
             cargo run -q -p tandem-api -- openapi > openapi/openapi.json"
        );
    }

    #[test]
    fn every_operation_has_id_tag_summary_and_error_responses() {
        let doc = api_doc();
        let mut count = 0;
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
            {
                count += 1;
                assert!(op.operation_id.is_some(), "{path}: operationId");
                assert!(
                    op.tags.as_ref().is_some_and(|t| !t.is_empty()),
                    "{path}: tag"
                );
                assert!(op.summary.is_some(), "{path}: summary");
                assert!(
                    op.description
                        .as_ref()
                        .is_some_and(|d| !d.trim().is_empty()),
                    "{path}: a description (a second paragraph in the handler's doc comment)"
                );
                assert!(op.security.is_some(), "{path}: security requirement");
                assert!(op.responses.responses.contains_key("500"), "{path}: 500");
            }
        }
        assert!(
            count >= 8,
            "expected the skeleton's operations, found {count}"
        );
    }

    #[test]
    fn every_declared_refusal_names_a_real_operation_and_every_rule_is_documented() {
        let doc = api_doc();
        let ids: Vec<String> = doc
            .paths
            .paths
            .values()
            .flat_map(|item| [&item.get, &item.put, &item.post, &item.delete, &item.patch])
            .flatten()
            .filter_map(|op| op.operation_id.clone())
            .collect();
        for table in crate::routes::REFUSALS {
            for (op, _) in *table {
                assert!(
                    ids.iter().any(|id| id == op),
                    "refusals! names unknown {op}"
                );
            }
        }
        let json = serde_json::to_string(&doc).unwrap();
        for rule in tandem_app::Rule::ALL {
            let urn = format!("urn:tandem:problem:{}", rule.name());
            assert!(
                json.contains(&format!("\"{urn}\"")),
                "{urn} is documented nowhere"
            );
        }
    }

    #[test]
    fn the_problem_table_allows_what_an_operation_documents_and_nothing_else() {
        let table = ProblemTable::of(&api_doc());
        let urn = |slug: &str| format!("urn:tandem:problem:{slug}");
        let op = ("POST", "/v1/goals/{id}/readings");
        assert!(table.allows(op.0, op.1, 403, &urn("owner-only")));
        assert!(table.allows(op.0, op.1, 409, &urn("goal-closed")));
        assert!(table.allows(op.0, op.1, 404, &urn("not-found")));
        assert!(table.allows(op.0, op.1, 422, &urn("validation")));
        assert!(table.allows(op.0, op.1, 422, &urn("idempotency-key-reused")));
        assert!(!table.allows(op.0, op.1, 409, &urn("goal-limit-reached")));
        assert!(
            !table.allows(op.0, op.1, 403, &urn("goal-closed")),
            "right type, wrong status"
        );
        assert!(
            !table.allows("GET", "/v1/me", 403, &urn("token-scope")),
            "reads need no scope"
        );
        assert!(
            table.allows("GET", "/v1/no-such-route", 418, "anything"),
            "unrouted: not judged"
        );
    }

    #[test]
    fn every_if_match_header_states_the_etags_the_server_accepts() {
        // The server answers 400 to an If-Match that is not one of its ETags or `*`; the
        // contract must say so, or a schema-valid request (an empty header) is refused.
        let doc = serde_json::to_value(api_doc()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for p in op["parameters"].as_array().into_iter().flatten() {
                    if p["name"] == "If-Match" {
                        assert_eq!(
                            p["schema"]["pattern"], r#"^(\*|"?[0-9]+"?)$"#,
                            "{method} {path}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn ci_fuzzing_expects_a_400_from_every_operation_that_takes_a_cursor() {
        // A made-up cursor is schema-valid but refused (400): `.ci/schemathesis` must say so for
        // each such operation, or CI fails on the first new list.
        let ci = include_str!("../../../.ci/schemathesis");
        let block = ci
            .split("A cursor the API did not issue")
            .nth(1)
            .expect("the cursor block in .ci/schemathesis");
        let doc = api_doc();
        for item in doc.paths.paths.values() {
            for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
                .into_iter()
                .flatten()
            {
                let takes_cursor = op.parameters.iter().flatten().any(|p| match p {
                    RefOr::T(p) => p.name == "cursor",
                    RefOr::Ref(_) => false,
                });
                let id = op.operation_id.as_deref().unwrap_or("");
                assert!(
                    !takes_cursor || block.contains(&format!("\"{id}\"")),
                    "{id} takes a cursor: add it to the cursor block of .ci/schemathesis"
                );
            }
        }
    }

    #[test]
    fn what_the_server_sends_is_required_even_when_null_and_requests_stay_optional() {
        let doc = serde_json::to_value(api_doc()).unwrap();
        let required = |schema: &str, property: &str| {
            doc["components"]["schemas"][schema]["required"]
                .as_array()
                .is_some_and(|r| r.iter().any(|p| p == property))
        };
        for (schema, property) in [
            ("GoalView", "due_date"),
            ("ProgressView", "forecast"),
            ("ScorecardRow", "latest_value"),
            ("MeetingView", "next_meeting_id"),
            ("CommitmentView", "closed_at"),
            ("EventReading", "note"),
            ("Page_GoalView", "next_cursor"),
        ] {
            assert!(required(schema, property), "{schema}.{property}");
        }
        for (schema, property) in [
            ("CreateReadingRequest", "note"),
            ("GoalInput", "due_date"),
            ("Problem", "instance"),
            ("Problem", "errors"),
        ] {
            assert!(!required(schema, property), "{schema}.{property}");
        }
    }

    #[test]
    fn csv_reports_declare_csv_only_and_everything_else_json_only() {
        let doc = api_doc();
        let mut reports = 0;
        for (path, item) in &doc.paths.paths {
            for op in [&item.get, &item.post].into_iter().flatten() {
                let id = op.operation_id.as_deref().unwrap_or("");
                let report = crate::routes::reports::CSV_REPORTS
                    .iter()
                    .find(|(op, _, _)| *op == id);
                let Some(RefOr::T(ok)) = op.responses.responses.get("200") else {
                    continue;
                };
                let types: Vec<&String> = ok.content.keys().collect();
                if let Some((_, _, columns)) = report {
                    reports += 1;
                    assert!(path.ends_with(".csv"), "{id}: at a .csv path");
                    assert_eq!(types, ["text/csv"], "{id}: CSV only");
                    assert!(
                        ok.description.contains(&columns.join(", ")),
                        "{id}: columns named"
                    );
                } else if !path.starts_with("/v1/feeds/") {
                    assert!(
                        !types.iter().any(|t| *t == "text/csv"),
                        "{id}: no CSV on a JSON path"
                    );
                }
            }
        }
        assert_eq!(reports, crate::routes::reports::CSV_REPORTS.len());
    }

    #[test]
    fn a_new_password_needs_the_current_one_in_the_contract() {
        let json = serde_json::to_value(api_doc()).unwrap();
        assert_eq!(
            json["components"]["schemas"]["UpdateMeRequest"]["dependentRequired"],
            serde_json::json!({"password": ["current_password"]})
        );
    }

    #[test]
    fn time_zone_is_a_string_whose_examples_the_server_accepts() {
        let json = serde_json::to_value(TimeZone::schema()).unwrap();
        assert_eq!(json["type"], "string");
        assert!(
            json.get("enum").is_none(),
            "no enum: its names collide in generators"
        );
        let examples = json["examples"].as_array().unwrap();
        assert!(!examples.is_empty());
        for name in examples {
            let name = name.as_str().unwrap();
            assert!(
                name.parse::<chrono_tz::Tz>().is_ok(),
                "{name} is a real zone"
            );
        }
    }

    #[test]
    fn every_page_refers_to_its_item_schema_and_always_has_a_next_cursor() {
        let json = serde_json::to_value(api_doc()).unwrap();
        let schemas = json["components"]["schemas"].as_object().unwrap();
        let pages: Vec<_> = schemas
            .iter()
            .filter(|(n, _)| n.starts_with("Page_"))
            .collect();
        assert!(pages.len() >= 13);
        for (name, page) in pages {
            let item = name.trim_start_matches("Page_");
            assert_eq!(
                page["properties"]["items"]["items"]["$ref"],
                format!("#/components/schemas/{item}"),
                "{name}"
            );
            assert!(schemas.contains_key(item), "{name}: {item} is a component");
            let required = page["required"].as_array().unwrap();
            assert!(required.iter().any(|r| r == "next_cursor"), "{name}");
        }
    }

    #[test]
    fn anonymous_operations_declare_no_security_requirement() {
        let json = serde_json::to_value(api_doc()).unwrap();
        for (path, method) in [
            ("/v1/auth/register", "post"),
            ("/healthz", "get"),
            ("/v1/feeds/{token}/{report}", "get"),
        ] {
            assert_eq!(
                json["paths"][path][method]["security"],
                serde_json::json!([]),
                "{path}"
            );
        }
        assert_ne!(
            json["paths"]["/v1/me"]["get"]["security"],
            serde_json::json!([])
        );
    }
}
