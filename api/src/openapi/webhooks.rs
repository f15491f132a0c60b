//! The document's `webhooks` section: what Tandem sends to subscribers, and how a receiver
//! proves it came from Tandem.

use serde_json::{Value, json};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityScheme};
use utoipa::openapi::{OpenApi, RefOr, Schema};

use tandem_domain::names::Named;
use tandem_domain::webhook::headers::{DELIVERY, EVENT, ID, SIGNATURE, TIMESTAMP};
use tandem_domain::webhook::{EventType, TEST_EVENT};

/// The tag of the events, apart from the subscription operations' `webhooks`: generators that
/// group by tag would otherwise let the events overwrite the subscription API.
pub const TAG: &str = "webhook-events";

/// The security scheme naming the signature a receiver checks (no bearer token is sent).
const SCHEME: &str = "webhook_signature";

/// How to verify a delivery, said once for the scheme and every event.
const VERIFY: &str = "Verify before trusting: compute hex(HMAC-SHA256(secret, timestamp + \".\" + raw body)) \
with the subscription's secret and the Tandem-Webhook-Timestamp header, compare it in constant time with the v1= \
part of Tandem-Signature, and refuse timestamps older than five minutes.";

/// Each event type with the schema of its `data`.
fn events() -> Vec<(&'static str, &'static str)> {
    let data_schema = |name: &str| match name {
        "reading.recorded" => "ReadingRecorded",
        "goal.status_changed" => "GoalStatusChanged",
        "goal.activated" => "GoalActivated",
        "meeting.scheduled" => "MeetingScheduled",
        "meeting.completed" => "MeetingCompleted",
        "commitment.due" => "CommitmentDue",
        "fit_review.due" => "FitReviewDue",
        "partnership.updated" => "PartnershipUpdated",
        "meeting.upcoming" => "MeetingUpcoming",
        "meeting.cancelled" => "MeetingCancelled",
        "refresh.due" => "RefreshDue",
        "reading.stale" => "ReadingStale",
        "goal.achieved" => "GoalAchieved",
        "milestone.completed" => "MilestoneCompleted",
        "kudos.received" => "KudosReceived",
        TEST_EVENT => "WebhookTest",
        other => unreachable!("event type {other} has no documented data schema"),
    };
    EventType::ALL
        .iter()
        .map(|e| e.as_str())
        .chain([TEST_EVENT])
        .map(|name| (name, data_schema(name)))
        .collect()
}

/// The schema of a whole event of one type: `ReadingRecorded` data makes `ReadingRecordedEvent`.
fn event_schema(data: &str) -> String {
    format!("{data}Event")
}

/// Documents the events: one `webhooks` entry per type (tag [`TAG`], the signature scheme, the
/// headers), one schema per type whose `type` is that type's name, and `WebhookEvent` as their
/// `oneOf` with a discriminator on `type`, so a receiver's generated code narrows `data` by it.
pub fn document(doc: &mut OpenApi) {
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        SCHEME,
        SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
            SIGNATURE,
            &format!(
                "Sent by Tandem to a subscription's URL, not by clients to Tandem: \
                 `t=<timestamp>,v1=<signature>`. {VERIFY}"
            ),
        ))),
    );
    let envelope = components
        .schemas
        .get("WebhookEvent")
        .map(|s| serde_json::to_value(s).expect("a schema is JSON"))
        .expect("WebhookEvent is a component");
    let mut mapping = serde_json::Map::new();
    let mut one_of = Vec::new();
    for (name, data) in events() {
        let mut event = envelope.clone();
        let object = event.as_object_mut().expect("WebhookEvent is an object");
        object.remove("example");
        object.insert("description".into(), format!("A `{name}` event.").into());
        object["properties"]["type"] =
            json!({"type": "string", "enum": [name], "description": "The event type."});
        object["properties"]["data"] = json!({"$ref": format!("#/components/schemas/{data}")});
        // Always sent; null only for a test ping.
        object.insert(
            "required".into(),
            json!(["id", "type", "occurred_at", "partnership_id", "data"]),
        );
        let reference = format!("#/components/schemas/{}", event_schema(data));
        mapping.insert(name.into(), reference.clone().into());
        one_of.push(json!({"$ref": reference}));
        components.schemas.insert(
            event_schema(data),
            serde_json::from_value(event).expect("an event schema is valid"),
        );
    }
    let union = json!({
        "oneOf": one_of,
        "discriminator": {"propertyName": "type", "mapping": mapping},
        "description": envelope["description"],
        "examples": [envelope["example"]],
    });
    let union: RefOr<Schema> = serde_json::from_value(union).expect("the event union is valid");
    components.schemas.insert("WebhookEvent".into(), union);
    components.schemas.remove("EventData");
    doc.webhooks = Some(section());
}

/// One `POST` per event type, as the receiver sees it.
fn section() -> utoipa::openapi::Paths {
    let header = |name: &str, description: &str, example: &str| {
        json!({"name": name, "in": "header", "required": true, "description": description,
               "schema": {"type": "string"}, "example": example})
    };
    let mut paths = serde_json::Map::new();
    for (name, data) in events() {
        paths.insert(name.to_owned(), json!({"post": {
            "tags": [TAG],
            "operationId": format!("event_{}", name.replace('.', "_")),
            "summary": format!("`{name}` delivered to a subscription's URL"),
            "description": format!("{VERIFY} The same event may arrive more than once \
(retries are at-least-once): de-duplicate on Tandem-Webhook-Id. Events may arrive out of order (order by \
occurred_at, or read GET /v1/changes for the ordered record). Answer any 2xx within 10 seconds; anything else is \
retried with exponential backoff and jitter (30 s doubling, at most 6 h apart, 12 tries) and then marked failed."),
            "security": [{SCHEME: []}],
            "parameters": [
                header(ID, "The event id (the body's `id`); the same on every try and redelivery", "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f90"),
                header(TIMESTAMP, "When this try was signed, Unix seconds", "1795680000"),
                header(SIGNATURE, "`t=<timestamp>,v1=<hex HMAC-SHA256 of \"<timestamp>.<body>\">`", "t=1795680000,v1=5f2b1c0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"),
                header(EVENT, "The event type", name),
                header(DELIVERY, "This delivery (a redelivery has a new one)", "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4fb0"),
            ],
            "requestBody": {"required": true, "content": {"application/json": {"schema":
                {"$ref": format!("#/components/schemas/{}", event_schema(data))}}}},
            "responses": {
                "2XX": {"description": "Received; any 2xx stops the retries"},
                "4XX": {"description": "Refused (a bad signature, say): retried like any failure, then marked failed"}
            }
        }}));
    }
    serde_json::from_value(Value::Object(paths)).expect("the webhooks section is valid")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_type_has_its_own_schema_in_the_discriminator_mapping() {
        let doc = serde_json::to_value(super::super::api_doc()).unwrap();
        let union = &doc["components"]["schemas"]["WebhookEvent"];
        assert_eq!(union["discriminator"]["propertyName"], "type");
        for (name, data) in events() {
            let reference = union["discriminator"]["mapping"][name]
                .as_str()
                .unwrap_or_else(|| panic!("{name} is not mapped"));
            let schema = &doc["components"]["schemas"][reference.rsplit('/').next().unwrap()];
            assert_eq!(schema["properties"]["type"]["enum"], json!([name]));
            assert_eq!(
                schema["properties"]["data"]["$ref"],
                format!("#/components/schemas/{data}")
            );
            assert!(
                doc["components"]["schemas"][data].is_object(),
                "{data} is a component"
            );
            let post = &doc["webhooks"][name]["post"];
            assert_eq!(post["tags"], json!([TAG]));
            assert_eq!(post["security"], json!([{SCHEME: []}]));
        }
        assert!(doc["components"]["schemas"]["EventData"].is_null());
    }
}
