//! The OpenAPI document: generated from the handlers, then finished here so that every operation
//! documents the errors it can give. `openapi/openapi.json` is this document, committed; a test
//! fails when the two differ.

use std::borrow::Cow;

use actix_web::App;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr};
use utoipa::{Modify, OpenApi as _, PartialSchema, ToSchema};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};

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
        (name = "readings", description = "The numbers behind goals: recorded, corrected with history, batched, exported as CSV"),
        (name = "progress", description = "Progress, pace and forecasts per goal; scorecards per partnership"),
        (name = "meetings", description = "The bi-weekly meeting: schedule, agenda, notes, commitments, completion with a frozen scorecard, adherence"),
        (name = "check-ins", description = "Short updates between meetings, with the readings behind them"),
        (name = "fit-reviews", description = "Every quarter, does the pairing still work? Answers stay hidden until both are in"),
        (name = "webhooks", description = "Signed event deliveries for integrations: subscriptions, a delivery log with every try, redelivery. \
The `webhooks` section of this document lists each event and its payload; see `create_webhook` for headers and how to verify signatures"),
        (name = "sync", description = "Incremental sync for mirrors: a gap-free feed of creates, updates and tombstones; `updated_since` on every list"),
        (name = "admin", description = "Provisioning for HR systems: upsert people by their id, deactivate, list (admins only; never partnership contents)"),
        (name = "operations", description = "Health probes and the contract itself"),
    ),
    components(
        schemas(Problem, FieldError, crate::events::WebhookEvent),
        responses(BadRequest, Unauthorized, Forbidden, NotFound, Conflict, PreconditionFailed, PreconditionRequired, PayloadTooLarge, TooManyRequests,
            UnsupportedMediaType, ValidationFailed, InvalidTransition, GoalRefused, InternalError, ServiceUnavailable),
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

/// An IANA time zone name; the schema enumerates them so clients can offer a picker.
pub struct TimeZone;

impl PartialSchema for TimeZone {
    fn schema() -> RefOr<Schema> {
        let mut names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
        names.sort_unstable();
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An IANA time zone name"))
            .enum_values(Some(names))
            .examples(["Europe/Berlin"])
            .into()
    }
}

impl ToSchema for TimeZone {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("TimeZone")
    }
}

fn problem_response(description: &str, example: serde_json::Value) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            crate::error::PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .example(Some(example))
                .build(),
        )
        .build()
}

macro_rules! problem_responses {
    ($($name:ident => $status:literal, $slug:literal, $title:literal, $desc:literal, $detail:literal;)*) => {$(
        #[doc = $desc]
        pub struct $name;
        impl<'r> utoipa::ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), problem_response($desc, serde_json::json!({
                    "type": concat!("urn:tandem:problem:", $slug),
                    "title": $title,
                    "status": $status,
                    "detail": $detail,
                    "instance": "/v1/me",
                    "request_id": "0b5c4d0e-8f35-4a57-9d3c-4c1f0f5f6a1e"
                })).into())
            }
        }
    )*};
}

problem_responses! {
    BadRequest => 400, "bad-request", "Bad request",
        "Malformed JSON, or a bad path or query parameter", "malformed JSON: EOF while parsing an object at line 1 column 9";
    Unauthorized => 401, "unauthorized", "Authentication required",
        "Missing, invalid or expired credentials (with `WWW-Authenticate: Bearer`)", "the token is invalid or expired";
    Forbidden => 403, "forbidden", "Forbidden",
        "Authenticated, but not allowed to do this", "the current password is not correct";
    NotFound => 404, "not-found", "Not found",
        "No such resource, or one the caller may not see", "no such resource";
    Conflict => 409, "conflict", "Conflict",
        "The request conflicts with existing data", "an account with this email already exists";
    PreconditionFailed => 412, "precondition-failed", "Precondition failed",
        "`If-Match` is stale: the resource changed since it was read; nothing was changed",
        "the resource changed since you read it (If-Match is stale); fetch it again and retry";
    PreconditionRequired => 428, "precondition-required", "Precondition required",
        "The write would replace existing content: `If-Match` with the version read is required",
        "this write would replace existing content: send If-Match with the version you read";
    PayloadTooLarge => 413, "payload-too-large", "Payload too large",
        "The body is larger than this endpoint accepts", "the request body exceeds the limit of 65536 bytes";
    UnsupportedMediaType => 415, "unsupported-media-type", "Unsupported media type",
        "The body is not JSON", "the request body must be JSON (Content-Type: application/json)";
    ValidationFailed => 422, "validation", "Validation failed",
        "The body is well-formed but invalid; `errors` lists every bad field", "#/email: must be a valid email address";
    InvalidTransition => 409, "conflict", "Conflict",
        "The action does not apply in the resource's current status", "cannot accept a partnership that is active";
    GoalRefused => 422, "goal-not-smart", "The goal is not SMART yet",
        "The goal is not SMART yet: `errors` lists every finding to fix before it can be activated",
        "an active goal must meet all five SMART criteria; see errors";
    TooManyRequests => 429, "rate-limited", "Too many requests",
        "Too many requests from this client address; `Retry-After` says when to try again",
        "too many requests from this address; retry in 12 s";
    InternalError => 500, "internal", "Internal server error",
        "An unexpected failure; the body carries no internals, quote `request_id` when reporting it",
        "an unexpected error occurred; quote the request id when reporting it";
    ServiceUnavailable => 503, "unavailable", "Service unavailable",
        "The database cannot be reached (with `Retry-After`)", "the service cannot reach its database; retry shortly";
}

/// Operations only a sign-in (not a personal access token) may call: managing tokens.
const SIGN_IN_ONLY: [&str; 4] = ["create_token", "list_tokens", "get_token", "revoke_token"];

/// The complete document for the routes in [`crate::handlers::configure`].
pub fn api_doc() -> OpenApi {
    let (_, doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::handlers::configure)
        .split_for_parts();
    finish(doc)
}

/// Adds to every operation the error responses its shape implies, so none can be forgotten:
/// a body can be malformed (400), too large (413), not JSON (415) or invalid (422); parameters can
/// be malformed (400); a protected operation can be refused (401); anything can fail (500).
fn finish(mut doc: OpenApi) -> OpenApi {
    doc.webhooks = Some(webhooks());
    goal_patch_schema(&mut doc);
    batch_reading_schema(&mut doc);
    note_items_schema(&mut doc);
    link_items_schema(&mut doc);
    password_needs_current(&mut doc);
    text_rules(&mut doc);
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
            if protected && !SIGN_IN_ONLY.contains(&op.operation_id.as_deref().unwrap_or("")) {
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
            csv_is_text(op);
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
        }
    }
    doc
}

/// `PATCH /v1/goals/{id}` takes the goal document without `milestones` (they have endpoints of
/// their own): derive that schema from `GoalInput` instead of writing it twice.
fn goal_patch_schema(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let Some(RefOr::T(Schema::Object(input))) = components.schemas.get("GoalInput") else {
        return;
    };
    let mut patch = input.clone();
    patch.properties.shift_remove("milestones");
    patch.description = Some("A JSON merge patch (RFC 7396) of the goal document: send only what changes; `null` clears an optional field.".into());
    patch.examples = vec![
        serde_json::json!({"metric": {"target": 9.0}, "why": "Churn interviews name waiting first"}),
    ];
    components
        .schemas
        .insert("GoalPatch".into(), RefOr::T(Schema::Object(patch)));
    if let Some(op) = doc
        .paths
        .paths
        .get_mut("/v1/goals/{id}")
        .and_then(|item| item.patch.as_mut())
        && let Some(RefOr::T(body)) = op.request_body.as_mut()
    {
        for content in body.content.values_mut() {
            if let RefOr::T(content) = content {
                content.schema = Some(Ref::from_schema_name("GoalPatch").into());
            }
        }
    }
}

/// A batch item is a reading body plus the `goal_id` it belongs to: derived from
/// `CreateReadingRequest` so the two cannot drift apart.
fn batch_reading_schema(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let Some(RefOr::T(Schema::Object(reading))) = components.schemas.get("CreateReadingRequest")
    else {
        return;
    };
    let mut item = reading.clone();
    item.properties.insert(
        "goal_id".into(),
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::Uuid,
            )))
            .description(Some("The goal (one of yours)"))
            .into(),
    );
    item.required.insert(0, "goal_id".into());
    item.description = Some("One batch item: a reading and the goal it belongs to.".into());
    item.examples = vec![
        serde_json::json!({"goal_id": "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f59", "value": 10.8, "observed_at": "2026-03-01T09:00:00Z", "external_id": "row-2"}),
    ];
    components
        .schemas
        .insert("BatchReading".into(), RefOr::T(Schema::Object(item)));
    if let Some(RefOr::T(Schema::Object(batch))) = components.schemas.get_mut("BatchRequest")
        && let Some(RefOr::T(Schema::Array(readings))) = batch.properties.get_mut("readings")
    {
        readings.items = utoipa::openapi::schema::ArrayItems::RefOrSchema(Box::new(
            Ref::from_schema_name("BatchReading").into(),
        ));
    }
}

/// The events Tandem sends, in the document's `webhooks` section (OpenAPI 3.1): per event its
/// body (`WebhookEvent` with that type's `data`) and the headers that prove it came from Tandem.
fn webhooks() -> utoipa::openapi::Paths {
    use crate::delivery::{
        DELIVERY_HEADER, EVENT_HEADER, ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER,
    };
    use serde_json::json;
    use tandem_domain::webhook::{EventType, TEST_EVENT};

    let data_schema = |name: &str| match name {
        "reading.recorded" => "ReadingRecorded",
        "goal.status_changed" => "GoalStatusChanged",
        "goal.activated" => "GoalActivated",
        "meeting.scheduled" => "MeetingScheduled",
        "meeting.completed" => "MeetingCompleted",
        "commitment.due" => "CommitmentDue",
        "fit_review.due" => "FitReviewDue",
        "partnership.updated" => "PartnershipUpdated",
        _ => "WebhookTest",
    };
    let header = |name: &str, description: &str, example: &str| {
        json!({"name": name, "in": "header", "required": true, "description": description,
               "schema": {"type": "string"}, "example": example})
    };
    let mut paths = serde_json::Map::new();
    let names = EventType::ALL.iter().map(|e| e.name()).chain([TEST_EVENT]);
    for name in names {
        let data = data_schema(name);
        paths.insert(name.to_owned(), json!({"post": {
            "tags": ["webhooks"],
            "operationId": format!("event_{}", name.replace('.', "_")),
            "summary": format!("`{name}` delivered to a subscription's URL"),
            "description": "Verify before trusting: compute hex(HMAC-SHA256(secret, timestamp + \".\" + raw body)) \
with the subscription's secret and the Tandem-Webhook-Timestamp header, compare it in constant time with the v1= \
part of Tandem-Signature, and refuse timestamps older than five minutes. The same event may arrive more than once \
(retries are at-least-once): de-duplicate on Tandem-Webhook-Id. Events may arrive out of order (order by \
occurred_at, or read GET /v1/changes for the ordered record). Answer any 2xx within 10 seconds; anything else is \
retried with exponential backoff and jitter (30 s doubling, at most 6 h apart, 12 tries) and then marked failed.",
            "parameters": [
                header(ID_HEADER, "The event id (the body's `id`); the same on every try and redelivery", "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f90"),
                header(TIMESTAMP_HEADER, "When this try was signed, Unix seconds", "1795680000"),
                header(SIGNATURE_HEADER, "`t=<timestamp>,v1=<hex HMAC-SHA256 of \"<timestamp>.<body>\">`", "t=1795680000,v1=5f2b1c0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"),
                header(EVENT_HEADER, "The event type", name),
                header(DELIVERY_HEADER, "This delivery (a redelivery has a new one)", "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4fb0"),
            ],
            "requestBody": {"required": true, "content": {"application/json": {"schema": {"allOf": [
                {"$ref": "#/components/schemas/WebhookEvent"},
                {"type": "object", "properties": {
                    "type": {"type": "string", "enum": [name]},
                    "data": {"$ref": format!("#/components/schemas/{data}")}
                }}
            ]}}}},
            "responses": {"2XX": {"description": "Received; any 2xx stops the retries"}}
        }}));
    }
    serde_json::from_value(serde_json::Value::Object(paths)).expect("the webhooks section is valid")
}

/// Each line of meeting notes is 1 to 1,000 characters; utoipa cannot put
/// constraints on the items of a `Vec<String>`, so they are stated here.
fn note_items_schema(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(notes))) = components.schemas.get_mut("PutNotesRequest") {
        for list in notes.properties.values_mut() {
            if let RefOr::T(Schema::Array(array)) = list {
                array.items = utoipa::openapi::schema::ArrayItems::RefOrSchema(Box::new(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .min_length(Some(1))
                        .max_length(Some(1000))
                        .into(),
                ));
            }
        }
    }
}

/// Check-in links are http(s) URLs of printable ASCII (percent-encode the rest), up to 2,000
/// characters: stated here because utoipa cannot constrain the items of a `Vec<String>`.
fn link_items_schema(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    if let Some(RefOr::T(Schema::Object(check_in))) =
        components.schemas.get_mut("CreateCheckInRequest")
        && let Some(RefOr::T(Schema::Array(links))) = check_in.properties.get_mut("links")
    {
        links.items = utoipa::openapi::schema::ArrayItems::RefOrSchema(Box::new(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::Custom("uri".into())))
                .max_length(Some(2000))
                .pattern(Some(crate::handlers::check_ins::LINK_PATTERN))
                .into(),
        ));
    }
}

/// A new password needs the current one: JSON Schema's `dependentRequired` says so in the contract,
/// which utoipa cannot derive.
fn password_needs_current(doc: &mut OpenApi) {
    if let Some(RefOr::T(Schema::Object(schema))) = doc
        .components
        .as_mut()
        .and_then(|c| c.schemas.get_mut("UpdateMeRequest"))
    {
        schema
            .extensions
            .get_or_insert_with(Default::default)
            .insert(
                "dependentRequired".into(),
                serde_json::json!({"password": ["current_password"]}),
            );
    }
}

/// Text the server accepts, as a pattern: no control characters at all (single-line fields,
/// query and path parameters)...
const SINGLE_LINE: &str = r"^[^\u0000-\u001F\u007F-\u009F]*$";
/// ...or only line feeds and tabs (the fields in [`crate::validation::MULTI_LINE_FIELDS`]).
const MULTI_LINE: &str = r"^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$";

/// States the control-character rule of [`crate::validation`] in the contract: every free-text
/// string of a request body, and every text query or path parameter, carries the pattern the
/// server enforces (combined with a pattern it already had), so generated clients and fuzzers
/// know what is refused.
fn text_rules(doc: &mut OpenApi) {
    use serde_json::Value;
    /// Applies `rule` to a part of the document through its JSON form.
    fn rewrite<T: serde::Serialize + serde::de::DeserializeOwned>(
        part: &mut T,
        rule: impl FnOnce(&mut Value),
    ) {
        let mut json = serde_json::to_value(&*part).expect("document parts serialise");
        rule(&mut json);
        *part = serde_json::from_value(json).expect("a text rule keeps the part valid");
    }
    fn collect_refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(name) = o
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| r.strip_prefix("#/components/schemas/"))
                {
                    out.push(name.to_owned());
                }
                o.values().for_each(|v| collect_refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
            _ => {}
        }
    }
    fn text_rule(schema: &mut Value, field: Option<&str>) {
        let Value::Object(o) = schema else { return };
        let is_string = match &o.get("type") {
            Some(Value::String(t)) => t == "string",
            Some(Value::Array(ts)) => ts.iter().any(|t| t == "string"),
            _ => false,
        };
        let structured = o.contains_key("enum")
            || matches!(
                o.get("format").and_then(Value::as_str),
                Some("date" | "date-time" | "uuid" | "uri")
            );
        if is_string && !structured {
            let rule = if field.is_some_and(crate::validation::is_multi_line) {
                MULTI_LINE
            } else {
                SINGLE_LINE
            };
            let pattern = match o.get("pattern").and_then(Value::as_str) {
                None => rule.to_owned(),
                Some(old) => format!("^(?={}){}", old.trim_start_matches('^'), &rule[1..]),
            };
            o.insert("pattern".into(), Value::String(pattern));
        }
        if let Some(Value::Object(props)) = o.get_mut("properties") {
            for (name, prop) in props.iter_mut() {
                text_rule(prop, Some(name));
            }
        }
        if let Some(items) = o.get_mut("items") {
            text_rule(items, field);
        }
        for key in ["allOf", "oneOf", "anyOf"] {
            if let Some(Value::Array(list)) = o.get_mut(key) {
                list.iter_mut().for_each(|s| text_rule(s, field));
            }
        }
    }

    // Component schemas that request bodies use, directly or through other components.
    let mut pending = Vec::new();
    for item in doc.paths.paths.values() {
        for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
            .into_iter()
            .flatten()
        {
            if let Some(body) = &op.request_body {
                collect_refs(
                    &serde_json::to_value(body).unwrap_or_default(),
                    &mut pending,
                );
            }
        }
    }
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let mut request_schemas = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if request_schemas.insert(name.clone())
            && let Some(schema) = components.schemas.get(&name)
        {
            collect_refs(
                &serde_json::to_value(schema).unwrap_or_default(),
                &mut pending,
            );
        }
    }
    for name in &request_schemas {
        if let Some(schema) = components.schemas.get_mut(name) {
            rewrite(schema, |v| text_rule(v, None));
        }
    }
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            for param in op.parameters.iter_mut().flatten() {
                if let RefOr::T(param) = param
                    && matches!(param.parameter_in, ParameterIn::Query | ParameterIn::Path)
                {
                    rewrite(param, |v| text_rule(&mut v["schema"], None));
                }
            }
            if let Some(body) = op.request_body.as_mut() {
                rewrite(body, |v| {
                    if let Some(content) = v["content"].as_object_mut() {
                        content
                            .values_mut()
                            .for_each(|m| text_rule(&mut m["schema"], None));
                    }
                });
            }
        }
    }
}

/// Every response that can be CSV says how text cells are protected against formula injection
/// (the writer in [`crate::csv_out`] does it for all of them).
fn csv_is_text(op: &mut Operation) {
    for response in op.responses.responses.values_mut() {
        if let RefOr::T(response) = response
            && response.content.contains_key("text/csv")
            && !response.description.contains(crate::csv_out::NEUTRALISED)
        {
            let said = response.description.trim_end().trim_end_matches('.');
            response.description = format!("{said}. {}", crate::csv_out::NEUTRALISED);
        }
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
    fn time_zone_schema_lists_real_zones() {
        let json = serde_json::to_value(TimeZone::schema()).unwrap();
        let names = json["enum"].as_array().unwrap();
        assert!(names.iter().any(|n| n == "America/New_York"));
        assert!(names.len() > 300);
    }
}
