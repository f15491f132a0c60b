//! Schema details utoipa cannot derive, stated once here: derived request schemas, item
//! constraints on lists of strings, and the control-character rule as patterns.

use utoipa::openapi::path::ParameterIn;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{OpenApi, Ref, RefOr};

/// `PATCH /v1/goals/{id}` takes the goal document without `milestones` (they have endpoints of
/// their own): derive that schema from `GoalInput` instead of writing it twice.
pub fn goal_patch_schema(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let Some(RefOr::T(Schema::Object(input))) = components.schemas.get("GoalInput") else {
        return;
    };
    let mut patch = input.clone();
    patch.properties.shift_remove("milestones");
    patch.description = Some("A JSON merge patch (RFC 7396) of the goal document: send only what changes; `null` clears an optional field.".into());
    // The input's own example has `milestones`, which a patch may not carry.
    patch.example = None;
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

/// A batch item (also a check-in's reading) is a reading body plus the `goal_id` it belongs
/// to: derived from `CreateReadingRequest` so the two cannot drift apart.
pub fn batch_reading_schema(doc: &mut OpenApi) {
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
    // The reading's own example lacks `goal_id`, which a batch item requires.
    item.example = None;
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
    // A check-in's readings are batch items too (taken as raw JSON so each bad one is named).
    if let Some(RefOr::T(Schema::Object(check_in))) =
        components.schemas.get_mut("CreateCheckInRequest")
        && let Some(RefOr::T(Schema::Array(readings))) = check_in.properties.get_mut("readings")
    {
        readings.items = utoipa::openapi::schema::ArrayItems::RefOrSchema(Box::new(
            Ref::from_schema_name("BatchReading").into(),
        ));
    }
}

/// Each line of meeting notes is 1 to 1,000 characters; utoipa cannot put
/// constraints on the items of a `Vec<String>`, so they are stated here.
pub fn note_items_schema(doc: &mut OpenApi) {
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
pub fn link_items_schema(doc: &mut OpenApi) {
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
                .pattern(Some(crate::routes::check_ins::LINK_PATTERN))
                .into(),
        ));
    }
}

/// A new password needs the current one: JSON Schema's `dependentRequired` says so in the contract,
/// which utoipa cannot derive.
pub fn password_needs_current(doc: &mut OpenApi) {
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
/// ...or only line feeds and tabs (the fields in [`crate::http::validation::MULTI_LINE_FIELDS`]).
const MULTI_LINE: &str = r"^[^\u0000-\u0008\u000B-\u001F\u007F-\u009F]*$";

/// States the control-character rule of [`crate::http::validation`] in the contract: every free-text
/// string of a request body, and every text query or path parameter, carries the pattern the
/// server enforces (combined with a pattern it already had), so generated clients and fuzzers
/// know what is refused.
pub fn text_rules(doc: &mut OpenApi) {
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
            let rule = if field.is_some_and(crate::http::validation::is_multi_line) {
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
    let request_schemas = reachable(&components.schemas, pending);
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

/// The component schemas named by `$ref` anywhere in `v`.
fn collect_refs(v: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
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

/// The component schemas `roots` use, directly or through other components.
fn reachable(
    schemas: &std::collections::BTreeMap<String, RefOr<Schema>>,
    mut pending: Vec<String>,
) -> std::collections::BTreeSet<String> {
    let mut seen = std::collections::BTreeSet::new();
    while let Some(name) = pending.pop() {
        if seen.insert(name.clone())
            && let Some(schema) = schemas.get(&name)
        {
            collect_refs(
                &serde_json::to_value(schema).unwrap_or_default(),
                &mut pending,
            );
        }
    }
    seen
}

/// Schemas whose properties the server may leave out of a body: `Problem` omits `instance`,
/// `request_id`, `errors` and `allow` when they do not apply (`skip_serializing_if`), the one
/// view that does.
const SOMETIMES_OMITTED: [&str; 1] = ["Problem"];

/// Every property of what the server sends is `required`, `null` where it can be null: views
/// are serialised whole (no view but [`SOMETIMES_OMITTED`] skips a field), so a client should
/// see `T | null`, never `T | null | undefined`. utoipa leaves an `Option` out of `required`,
/// which is right for requests (it may be omitted) and wrong for responses; a schema used in
/// both directions keeps the request's view of it. "Sent" covers responses and the webhook
/// events Tandem posts.
pub fn sent_properties_required(doc: &mut OpenApi) {
    let mut sent = Vec::new();
    let mut received = Vec::new();
    for item in doc.paths.paths.values() {
        for op in [&item.get, &item.put, &item.post, &item.delete, &item.patch]
            .into_iter()
            .flatten()
        {
            let json = |part| serde_json::to_value(part).unwrap_or_default();
            collect_refs(&json(&op.responses), &mut sent);
            if let Some(body) = &op.request_body {
                collect_refs(
                    &serde_json::to_value(body).unwrap_or_default(),
                    &mut received,
                );
            }
            if let Some(params) = &op.parameters {
                collect_refs(
                    &serde_json::to_value(params).unwrap_or_default(),
                    &mut received,
                );
            }
        }
    }
    if let Some(webhooks) = &doc.webhooks {
        collect_refs(
            &serde_json::to_value(webhooks).unwrap_or_default(),
            &mut sent,
        );
    }
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    collect_refs(
        &serde_json::to_value(&components.responses).unwrap_or_default(),
        &mut sent,
    );
    let received = reachable(&components.schemas, received);
    for name in reachable(&components.schemas, sent) {
        if received.contains(&name) || SOMETIMES_OMITTED.contains(&name.as_str()) {
            continue;
        }
        if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(&name) {
            for property in object.properties.keys() {
                if !object.required.contains(property) {
                    object.required.push(property.clone());
                }
            }
        }
    }
}
