//! Request extractors that fail with problem+json naming the field, never actix's text/plain.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::StreamExt;
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::http::problem::{ApiError, FieldError};

/// Largest JSON body an ordinary endpoint accepts (batch endpoints set their own [`BodyLimit`]).
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// Largest body a batch endpoint accepts.
pub const BATCH_BODY_LIMIT: usize = 1024 * 1024;

/// A JSON request body, parsed and validated.
///
/// Syntax errors are 400. Type errors, unknown fields and missing fields are 422 with a JSON pointer
/// to the field (serde stops at the first of these); then `validator` rules are checked and every
/// failure is reported at once. Bodies over the limit are 413, non-JSON content types 415.
#[derive(Debug)]
pub struct Json<T, const LIMIT: usize = DEFAULT_BODY_LIMIT>(pub T);

impl<T: DeserializeOwned + Validate + 'static, const LIMIT: usize> FromRequest for Json<T, LIMIT> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = LIMIT;
        let content_type_ok = is_json(req);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_len.is_some_and(|len| len > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType);
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk =
                    chunk.map_err(|e| ApiError::BadRequest(format!("unreadable body: {e}")))?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            let value: T = parse_json(&body)?;
            value.validate()?;
            Ok(Json(value))
        })
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE) else {
        return false;
    };
    let Ok(value) = value.to_str() else {
        return false;
    };
    let essence = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Parses a JSON document into `T`, mapping serde's failure to a 400 (syntax) or a 422 that
/// points at the field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::BadRequest(
            "the request body is empty; expected a JSON object".into(),
        ));
    }
    // Every request body is a JSON object. serde would also read a struct from an array of its
    // fields in order (`[null, null]`), which the contract does not allow: refuse it here.
    let document = serde_json::from_slice::<serde_json::Value>(body)
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    let mut text_errors = Vec::new();
    check_text(&document, "", None, &mut text_errors);
    if !text_errors.is_empty() {
        return Err(ApiError::Validation(text_errors));
    }
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    if matches!(
        first,
        Some(b'[' | b'"' | b'-' | b'0'..=b'9' | b't' | b'f' | b'n')
    ) {
        return Err(ApiError::Validation(vec![
            crate::http::problem::FieldError::new(
                "",
                "type",
                "the request body must be a JSON object",
            ),
        ]));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let mut pointer = String::new();
        for segment in err.path().iter() {
            use serde_path_to_error::Segment;
            match segment {
                Segment::Seq { index } => pointer.push_str(&format!("/{index}")),
                Segment::Map { key } => pointer.push_str(&format!("/{}", escape_pointer(key))),
                Segment::Enum { variant } => {
                    pointer.push_str(&format!("/{}", escape_pointer(variant)))
                }
                Segment::Unknown => {}
            }
        }
        let inner = err.into_inner();
        serde_error(&inner, pointer)
    })?;
    de.end()
        .map_err(|e| ApiError::BadRequest(format!("malformed JSON: {e}")))?;
    Ok(value)
}

/// Applies the control-character rule ([`crate::http::validation::MULTI_LINE_FIELDS`]) to every string
/// of a request document, member names included; a string's field is the nearest member name
/// above it (array items take their list's name).
fn check_text(
    value: &serde_json::Value,
    pointer: &str,
    field: Option<&str>,
    out: &mut Vec<FieldError>,
) {
    use serde_json::Value;
    match value {
        Value::String(text) => {
            let multi_line = field.is_some_and(crate::http::validation::is_multi_line);
            if let Err((code, detail)) =
                crate::http::validation::control_characters(text, multi_line)
            {
                out.push(FieldError::new(pointer, code, detail));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_text(item, &format!("{pointer}/{i}"), field, out);
            }
        }
        Value::Object(members) => {
            for (name, member) in members {
                let at = format!("{pointer}/{}", escape_pointer(name));
                if let Err((code, detail)) =
                    crate::http::validation::control_characters(name, false)
                {
                    out.push(FieldError::new(&at, code, format!("member name {detail}")));
                }
                check_text(member, &at, Some(name), out);
            }
        }
        _ => {}
    }
}

fn serde_error(err: &serde_json::Error, pointer: String) -> ApiError {
    use serde_json::error::Category;
    if !matches!(err.classify(), Category::Data) {
        return ApiError::BadRequest(format!("malformed JSON: {err}"));
    }
    let full = err.to_string();
    let message = full
        .rfind(" at line ")
        .map_or(full.as_str(), |i| &full[..i])
        .to_owned();
    let quoted = |msg: &str| msg.split('`').nth(1).map(str::to_owned);
    let (code, pointer) = if message.starts_with("unknown field") {
        let name = quoted(&message).unwrap_or_default();
        let pointer = if pointer.ends_with(&format!("/{name}")) {
            pointer
        } else {
            format!("{pointer}/{}", escape_pointer(&name))
        };
        ("unknown_field", pointer)
    } else if message.starts_with("missing field") {
        let name = quoted(&message).unwrap_or_default();
        ("required", format!("{pointer}/{}", escape_pointer(&name)))
    } else if message.starts_with("invalid type") {
        ("invalid_type", pointer)
    } else {
        ("invalid_value", pointer)
    };
    ApiError::Validation(vec![FieldError::new(&pointer, code, message)])
}

fn escape_pointer(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// Deserialises a present field as `Some(value)` and refuses an explicit `null`, for PATCH bodies
/// where a field may be left out but not erased.
pub fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// actix's own path and query extractor errors, as problem+json 400s.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, req| {
        let routes = req.app_data::<web::Data<crate::http::routing::RouteTable>>();
        routes
            .and_then(|r| r.method_not_allowed(req.path(), req.method().as_str()))
            .unwrap_or_else(|| ApiError::BadRequest(format!("invalid path parameter: {err}")))
            .into()
    })
}

/// See [`path_config`]; handlers take [`Query`], which names the failing parameter.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _req| {
        ApiError::BadRequest(format!("invalid query parameter: {err}")).into()
    })
}

/// Query parameters, parsed so that every failure is a 400 whose `errors` name the parameter and
/// the format it expects (never serde's bare "input contains invalid characters"). Every value is a
/// single line (see [`crate::http::validation::MULTI_LINE_FIELDS`]).
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    /// The parsed parameters.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(Query))
    }
}

/// An error about the query parameter `name`.
pub fn parameter_error(name: &str, code: &str, detail: impl Into<String>) -> ApiError {
    ApiError::InvalidParameters(vec![FieldError {
        pointer: name.to_owned(),
        code: code.to_owned(),
        detail: detail.into(),
    }])
}

/// What a query parameter looks like, for error messages.
fn expected_format(name: &str) -> &'static str {
    match name {
        "as_of" | "from" | "to" | "updated_since" => {
            "an RFC 3339 instant such as 2026-03-01T09:00:00Z (percent-encode a + offset as %2B)"
        }
        "since" => "a position from next_since (a whole number), empty, or now",
        "limit" => "a whole number from 1 to 200",
        "cursor" => "the next_cursor of the previous page",
        "owner" | "owner_id" | "author_id" | "goal_id" | "meeting_id" => {
            "a UUID such as 0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56"
        }
        "include_deleted" => "true or false",
        "status" => "one of the documented status names",
        _ => "the documented format",
    }
}

/// Parses a query string into `T` (see [`Query`]).
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let mut errors = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        for text in [&name, &value] {
            if let Err((code, detail)) = crate::http::validation::control_characters(text, false) {
                errors.push(FieldError {
                    pointer: name.clone().into_owned(),
                    code: code.to_owned(),
                    detail,
                });
                break;
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::InvalidParameters(errors));
    }
    let de = serde_urlencoded::Deserializer::new(url::form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        let missing = message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split('`').next())
            .map(str::to_owned);
        let (name, code) = match missing {
            Some(name) => (name, "required"),
            None => (path, "invalid_value"),
        };
        let detail = format!("{message}; expected {}", expected_format(&name));
        parameter_error(&name, code, detail)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Body {
        name: String,
        tags: Vec<u32>,
    }

    fn pointer_of(err: ApiError) -> (String, String) {
        match err {
            ApiError::Validation(fields) => (fields[0].pointer.clone(), fields[0].code.clone()),
            other => panic!("expected validation error, got {other:?}"),
        }
    }

    #[test]
    fn unknown_field_is_named() {
        let err = parse_json::<Body>(br#"{"name":"a","tags":[],"nope":1}"#).unwrap_err();
        assert_eq!(pointer_of(err), ("#/nope".into(), "unknown_field".into()));
    }

    #[test]
    fn missing_field_is_named() {
        let err = parse_json::<Body>(br#"{"tags":[]}"#).unwrap_err();
        assert_eq!(pointer_of(err), ("#/name".into(), "required".into()));
    }

    #[test]
    fn wrong_type_points_into_arrays() {
        let err = parse_json::<Body>(br#"{"name":"a","tags":[1,"x"]}"#).unwrap_err();
        assert_eq!(pointer_of(err), ("#/tags/1".into(), "invalid_type".into()));
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Params {
        as_of: Option<chrono::DateTime<chrono::Utc>>,
        limit: Option<u32>,
    }

    fn parameter_of(err: ApiError) -> (String, String, String) {
        match err {
            ApiError::InvalidParameters(fields) => (
                fields[0].pointer.clone(),
                fields[0].code.clone(),
                fields[0].detail.clone(),
            ),
            other => panic!("expected a parameter error, got {other:?}"),
        }
    }

    #[test]
    fn a_bad_query_parameter_names_itself_and_its_format() {
        let (name, code, detail) =
            parameter_of(parse_query::<Params>("limit=5&as_of=yesterday").unwrap_err());
        assert_eq!((name.as_str(), code.as_str()), ("as_of", "invalid_value"));
        assert!(detail.contains("RFC 3339"), "{detail}");
        let (name, _, _) = parameter_of(parse_query::<Params>("limit=many").unwrap_err());
        assert_eq!(name, "limit");
        let (name, code, _) = parameter_of(parse_query::<Params>("limit=1%00").unwrap_err());
        assert_eq!((name.as_str(), code.as_str()), ("limit", "nul_character"));
        assert!(parse_query::<Params>("as_of=2026-03-01T09:00:00Z").is_ok());
    }

    #[test]
    fn control_characters_in_a_body_are_named() {
        let err = parse_json::<Body>(br#"{"name":"a\u0000","tags":[]}"#).unwrap_err();
        assert_eq!(pointer_of(err), ("#/name".into(), "nul_character".into()));
        let err = parse_json::<Body>(br#"{"name":"a\rb","tags":[]}"#).unwrap_err();
        assert_eq!(
            pointer_of(err),
            ("#/name".into(), "control_character".into())
        );
    }

    #[test]
    fn syntax_errors_are_bad_requests() {
        assert!(matches!(
            parse_json::<Body>(br#"{"name": "#),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse_json::<Body>(b""),
            Err(ApiError::BadRequest(_))
        ));
        assert!(matches!(
            parse_json::<Body>(br#"{"name":"a","tags":[]} trailing"#),
            Err(ApiError::BadRequest(_))
        ));
    }
}

/// Deserialises a present field as `Some(value)`, where `value` may be `null`: PATCH bodies use
/// `Option<Option<T>>` for fields that may be cleared.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}

/// A JSON merge patch (RFC 7396) body: any JSON object, checked against the resource's own
/// document once merged.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct MergePatch(pub serde_json::Map<String, serde_json::Value>);

impl Validate for MergePatch {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}

/// Reads a whole number that JSON may spell `10` or `10.0` (both are integers to JSON Schema).
fn whole<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    use serde::de::Error;
    match <Option<serde_json::Number> as serde::Deserialize>::deserialize(deserializer)? {
        None => Ok(None),
        Some(n) => {
            if let Some(v) = n.as_u64() {
                return u32::try_from(v)
                    .map(Some)
                    .map_err(|_| D::Error::custom("number too large"));
            }
            match n.as_f64() {
                Some(f) if f.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&f) => {
                    Ok(Some(f as u32))
                }
                _ => Err(D::Error::custom(format!(
                    "invalid value: {n}, expected a whole number"
                ))),
            }
        }
    }
}

/// A required whole number (`3` or `3.0`, as JSON Schema's `integer` allows).
pub fn required_whole<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    use serde::de::Error;
    whole(deserializer)?
        .ok_or_else(|| D::Error::custom("invalid type: null, expected a whole number"))
}

/// An optional whole number (`null` allowed).
pub fn optional_whole<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u32>, D::Error> {
    whole(deserializer)
}

/// A whole number that may be left out of a PATCH but not set to `null`.
pub fn non_null_whole<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<u32>, D::Error> {
    use serde::de::Error;
    whole(deserializer)?
        .map(Some)
        .ok_or_else(|| D::Error::custom("invalid type: null, expected a whole number"))
}
