//! Problem types in the contract: the generic ones every API answers with (as reusable responses)
//! and, per operation, the named refusals it can give — each rule its own documented problem type.
//!
//! The document is also the table debug builds check every error response against (see
//! [`ProblemTable`] and [`crate::middleware`]): an operation cannot answer with a problem type its
//! contract does not list.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Value, json};
use tandem_app::Rule;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, RefOr};

use crate::http::problem::{HttpRule, PROBLEM_JSON, rule_status};

/// The namespace of every problem type.
pub const URN: &str = "urn:tandem:problem:";

fn problem_response(description: &str, example: Value) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .example(Some(example))
                .build(),
        )
        .build()
}

/// One problem type as documented: its status, name, title and when it applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProblemType {
    /// HTTP status.
    pub status: u16,
    /// The name after [`URN`].
    pub slug: &'static str,
    /// Its title.
    pub title: &'static str,
    /// When it applies.
    pub when: &'static str,
}

macro_rules! problem_responses {
    ($($name:ident => $status:literal, $slug:literal, $title:literal, $desc:literal, $detail:literal;)*) => {
        $(
            #[doc = $desc]
            #[allow(dead_code, reason = "MethodNotAllowed is in the catalogue only: no operation sends it")]
            pub struct $name;
            impl<'r> utoipa::ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    (stringify!($name), problem_response($desc, json!({
                        "type": concat!("urn:tandem:problem:", $slug),
                        "title": $title,
                        "status": $status,
                        "detail": $detail,
                        "instance": "/v1/me",
                        "request_id": "0b5c4d0e-8f35-4a57-9d3c-4c1f0f5f6a1e"
                    })).into())
                }
            }
        )*

        /// The generic problem types, by the name of their reusable response.
        pub const GENERIC: &[(&str, ProblemType)] = &[$(
            (stringify!($name), ProblemType { status: $status, slug: $slug, title: $title, when: $desc }),
        )*];
    };
}

problem_responses! {
    BadRequest => 400, "bad-request", "Bad request",
        "Malformed JSON, or a bad path or query parameter", "malformed JSON: EOF while parsing an object at line 1 column 9";
    Unauthorized => 401, "unauthorized", "Authentication required",
        "Missing, invalid or expired credentials (with `WWW-Authenticate: Bearer`)", "the token is invalid or expired";
    NotFound => 404, "not-found", "Not found",
        "No such resource, or one the caller may not see", "no such resource";
    MethodNotAllowed => 405, "method-not-allowed", "Method not allowed",
        "The path exists but not with this method (no operation of this document sends it; `allow` and the `Allow` header list the methods it has)",
        "this resource supports GET, PATCH";
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
pub const SIGN_IN_ONLY: [&str; 4] = ["create_token", "list_tokens", "get_token", "revoke_token"];

fn of_rule(rule: Rule) -> ProblemType {
    ProblemType {
        status: rule_status(rule).as_u16(),
        slug: rule.name(),
        title: rule.title(),
        when: rule.when(),
    }
}

fn of_convention(rule: HttpRule, status: u16) -> ProblemType {
    ProblemType {
        status,
        slug: rule.slug(),
        title: rule.title(),
        when: rule.when(),
    }
}

/// Every named refusal an operation can answer with: its own rules (declared next to its
/// handler), token scopes for writes, and the idempotency and batch conventions it takes part in.
pub fn refusals(op: &Operation, method: &str, protected: bool) -> Vec<ProblemType> {
    let id = op.operation_id.as_deref().unwrap_or("");
    let mut found: Vec<ProblemType> = crate::routes::refusals_of(id)
        .iter()
        .map(|r| of_rule(*r))
        .collect();
    if protected && method != "GET" {
        found.push(of_rule(Rule::TokenScope));
    }
    let keyed = op
        .parameters
        .iter()
        .flatten()
        .any(|p| matches!(p, RefOr::T(p) if p.name == crate::http::idempotency::HEADER));
    if keyed {
        for rule in [
            HttpRule::IdempotencyKeyReused,
            HttpRule::IdempotencyKeyInUse,
        ] {
            found.push(of_convention(rule, rule.status().as_u16()));
        }
    }
    for (report, twin, _) in crate::routes::reports::CSV_REPORTS {
        if *twin == Some(id) {
            found.push(of_convention(HttpRule::CsvAtItsOwnPath, 406));
        }
        if *report == id {
            found.push(of_convention(HttpRule::CsvTooLong, 422));
        }
    }
    if id == "create_readings_batch" {
        // The whole batch is refused with the items' own status (422 if any was invalid).
        for status in [403, 404, 409, 422] {
            found.push(of_convention(HttpRule::BatchRejected, status));
        }
    }
    found
}

/// Documents `extra` problem types on `op`: per status one response whose `type` is an enum of
/// every problem type it can carry, with an example of each, merged with the generic response
/// already there (404, 422). The examples live once in `components/examples`; they are added to
/// `examples`.
pub fn document(op: &mut Operation, extra: &[ProblemType], examples: &mut BTreeMap<String, Value>) {
    let mut by_status: BTreeMap<u16, Vec<ProblemType>> = BTreeMap::new();
    for p in extra {
        let list = by_status.entry(p.status).or_default();
        if !list.contains(p) {
            list.push(*p);
        }
    }
    for (status, mut types) in by_status {
        let key = status.to_string();
        let mut description = "Refused by a named rule (`type` says which).".to_owned();
        if let Some(RefOr::Ref(existing)) = op.responses.responses.get(&key) {
            let name = existing.ref_location.rsplit('/').next().unwrap_or("");
            if let Some((_, generic)) = GENERIC.iter().find(|(n, _)| *n == name) {
                description = format!("{}; or refused by a named rule.", generic.when);
                types.insert(0, *generic);
            }
        }
        let rules: Vec<String> = types
            .iter()
            .filter(|t| !GENERIC.iter().any(|(_, g)| g == *t))
            .map(|t| format!("- `{}`: {}", t.slug, t.when))
            .collect();
        let mut refs = serde_json::Map::new();
        for t in &types {
            let name = example_name(t);
            examples.entry(name.clone()).or_insert_with(|| {
                json!({"summary": t.title, "value": {
                    "type": format!("{URN}{}", t.slug),
                    "title": t.title,
                    "status": t.status,
                    "detail": t.when,
                    "request_id": "0b5c4d0e-8f35-4a57-9d3c-4c1f0f5f6a1e"
                }})
            });
            refs.insert(
                t.slug.to_owned(),
                json!({"$ref": format!("#/components/examples/{name}")}),
            );
        }
        let urns: Vec<String> = types.iter().map(|t| format!("{URN}{}", t.slug)).collect();
        let response = json!({
            "description": format!("{description}\n\n{}", rules.join("\n")),
            "content": {PROBLEM_JSON: {
                "schema": {"allOf": [
                    {"$ref": "#/components/schemas/Problem"},
                    {"type": "object", "properties": {"type": {"type": "string", "enum": urns}}}
                ]},
                "examples": refs
            }}
        });
        let response: Response =
            serde_json::from_value(response).expect("a refusal response is valid");
        op.responses.responses.insert(key, RefOr::T(response));
    }
}

/// The example's name: the problem type's, with the status when it has several.
fn example_name(t: &ProblemType) -> String {
    if t.slug == HttpRule::BatchRejected.slug() && t.status != 422 {
        format!("{}-{}", t.slug, t.status)
    } else {
        t.slug.to_owned()
    }
}

/// Adds a section to the document's description listing every problem type, so a client author
/// finds them all in one place.
pub fn catalogue() -> String {
    let mut lines = vec![
        "\n\n## Problem types\n\nEvery error is `application/problem+json`; switch on `type`. \
Each operation lists the ones it can answer with."
            .to_owned(),
    ];
    for (_, g) in GENERIC {
        lines.push(format!("- `{URN}{}` ({}): {}", g.slug, g.status, g.when));
    }
    for rule in Rule::ALL {
        let p = of_rule(*rule);
        lines.push(format!("- `{URN}{}` ({}): {}", p.slug, p.status, p.when));
    }
    for rule in HttpRule::ALL {
        lines.push(format!("- `{URN}{}`: {}", rule.slug(), rule.when()));
    }
    lines.join("\n")
}

/// Which problem types each operation's contract allows, by method, route pattern and status.
/// Release builds do not check responses against it and start with an empty one.
#[derive(Debug, Default)]
pub struct ProblemTable {
    allowed: HashMap<(String, String), HashMap<u16, HashSet<String>>>,
}

impl ProblemTable {
    /// The table of a finished document.
    pub fn of(doc: &OpenApi) -> Self {
        Self::of_json(&serde_json::to_value(doc).unwrap_or_default())
    }

    /// The table of a finished document in its JSON form (the committed contract, as served).
    pub fn of_json(json: &Value) -> Self {
        let responses = &json["components"]["responses"];
        let mut allowed = HashMap::new();
        for (path, item) in json["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                let mut statuses: HashMap<u16, HashSet<String>> = HashMap::new();
                for (status, response) in op["responses"].as_object().into_iter().flatten() {
                    let Ok(status) = status.parse::<u16>() else {
                        continue;
                    };
                    let response = match response["$ref"].as_str() {
                        Some(r) => &responses[r.rsplit('/').next().unwrap_or("")],
                        None => response,
                    };
                    let types = statuses.entry(status).or_default();
                    collect_types(response, types);
                }
                allowed.insert((method.to_ascii_uppercase(), path.clone()), statuses);
            }
        }
        ProblemTable { allowed }
    }

    /// Whether the operation at `method` and route `pattern` may answer `status` with problem
    /// type `problem_type`. Unknown operations (no route matched) are not judged.
    pub fn allows(&self, method: &str, pattern: &str, status: u16, problem_type: &str) -> bool {
        match self.allowed.get(&(method.to_owned(), pattern.to_owned())) {
            None => true,
            Some(statuses) => statuses
                .get(&status)
                .is_some_and(|types| types.contains(problem_type)),
        }
    }
}

fn collect_types(v: &Value, out: &mut HashSet<String>) {
    match v {
        Value::Object(o) => {
            if let Some(t) = o.get("type").and_then(Value::as_str)
                && t.starts_with(URN)
            {
                out.insert(t.to_owned());
            }
            if let Some(Value::Array(list)) = o.get("enum") {
                out.extend(
                    list.iter()
                        .filter_map(Value::as_str)
                        .filter(|t| t.starts_with(URN))
                        .map(str::to_owned),
                );
            }
            o.values().for_each(|v| collect_types(v, out));
        }
        Value::Array(list) => list.iter().for_each(|v| collect_types(v, out)),
        _ => {}
    }
}
