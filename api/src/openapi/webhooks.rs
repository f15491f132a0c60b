//! The document's `webhooks` section: what Tandem sends to subscribers.

/// The events Tandem sends, in the document's `webhooks` section (OpenAPI 3.1): per event its
/// body (`WebhookEvent` with that type's `data`) and the headers that prove it came from Tandem.
pub fn webhooks() -> utoipa::openapi::Paths {
    use serde_json::json;
    use tandem_domain::names::Named;
    use tandem_domain::webhook::headers::{DELIVERY, EVENT, ID, SIGNATURE, TIMESTAMP};
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
    let names = EventType::ALL
        .iter()
        .map(|e| e.as_str())
        .chain([TEST_EVENT]);
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
                header(ID, "The event id (the body's `id`); the same on every try and redelivery", "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f90"),
                header(TIMESTAMP, "When this try was signed, Unix seconds", "1795680000"),
                header(SIGNATURE, "`t=<timestamp>,v1=<hex HMAC-SHA256 of \"<timestamp>.<body>\">`", "t=1795680000,v1=5f2b1c0e9d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c"),
                header(EVENT, "The event type", name),
                header(DELIVERY, "This delivery (a redelivery has a new one)", "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4fb0"),
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
