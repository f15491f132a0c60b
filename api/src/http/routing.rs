//! What happens to requests no handler takes: 405 with `Allow` when the path is one of ours
//! (judged against the OpenAPI document, so the two cannot disagree), else 404.

use std::collections::BTreeMap;

use actix_web::{HttpRequest, web};
use serde::de::IgnoredAny;

use crate::http::problem::ApiError;

/// Every documented path template with the methods it accepts.
pub struct RouteTable(Vec<(Template, Vec<String>)>);

/// A documented path template, matched segment by segment: a `{name}` segment takes any
/// non-empty segment (as actix's router does), any other must be equal. No regular expression:
/// one compiled per template (77 of them) held 2.5 MiB for the life of the process.
struct Template {
    pattern: String,
    segments: Vec<Option<String>>,
}

impl Template {
    fn new(pattern: String) -> Self {
        let segments = pattern
            .split('/')
            .map(|s| (!(s.starts_with('{') && s.ends_with('}'))).then(|| s.to_owned()))
            .collect();
        Template { pattern, segments }
    }

    fn is_match(&self, path: &str) -> bool {
        let mut given = path.split('/');
        self.segments.iter().all(|want| match (want, given.next()) {
            (Some(literal), Some(segment)) => literal == segment,
            (None, Some(segment)) => !segment.is_empty(),
            (_, None) => false,
        }) && given.next().is_none()
    }

    fn parameters(&self) -> usize {
        self.segments.iter().filter(|s| s.is_none()).count()
    }
}

impl RouteTable {
    /// Builds the table from the document the server serves (its JSON text): only the paths and
    /// their methods are read, the rest is skipped unparsed.
    pub fn from_document(json: &str) -> Result<Self, serde_json::Error> {
        #[derive(serde::Deserialize)]
        struct Document {
            paths: BTreeMap<String, BTreeMap<String, IgnoredAny>>,
        }
        let doc: Document = serde_json::from_str(json)?;
        let routes = doc
            .paths
            .into_iter()
            .map(|(path, item)| {
                let methods = ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS"]
                    .into_iter()
                    .filter(|m| item.contains_key(&m.to_ascii_lowercase()))
                    .map(str::to_owned)
                    .collect();
                (Template::new(path), methods)
            })
            .collect();
        Ok(RouteTable(routes))
    }

    /// The methods accepted at `path`, if it is a documented path. When several templates match
    /// (`/v1/goals/assess` and `/v1/goals/{id}`), the one with fewest parameters wins, as in the
    /// router.
    pub fn allowed(&self, path: &str) -> Option<&[String]> {
        self.0
            .iter()
            .filter(|(template, _)| template.is_match(path))
            .min_by_key(|(template, _)| template.parameters())
            .map(|(_, methods)| methods.as_slice())
    }

    /// The documented template `path` matches (`/v1/goals/{id}/readings`), as the router would
    /// choose it; for middleware, which runs before routing.
    pub fn template(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .filter(|(template, _)| template.is_match(path))
            .min_by_key(|(template, _)| template.parameters())
            .map(|(template, _)| template.pattern.as_str())
    }

    /// For a request that reached a parameterised route by accident (`PATCH /v1/goals/assess`
    /// lands on `PATCH /v1/goals/{id}`): the 405 it deserves, if a more specific path exists.
    pub fn method_not_allowed(&self, path: &str, method: &str) -> Option<ApiError> {
        let allowed = self.allowed(path)?;
        (!allowed.iter().any(|m| m == method)).then(|| ApiError::MethodNotAllowed {
            allow: allowed.to_vec(),
        })
    }
}

/// A path segment with everything but RFC 3986's unreserved characters percent-encoded, so a
/// `Location` built from someone's identifier is always a valid header.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The app's default service.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<actix_web::HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(methods) => ApiError::MethodNotAllowed {
            allow: methods.to_vec(),
        },
        None => ApiError::NotFound,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_percent_encoded() {
        assert_eq!(
            encode_segment("hr 10442/ü\r\n"),
            "hr%2010442%2F%C3%BC%0D%0A"
        );
        assert_eq!(encode_segment("hr-10442_a.b~c"), "hr-10442_a.b~c");
    }

    #[test]
    fn the_most_specific_documented_path_decides() {
        let routes = RouteTable::from_document(crate::openapi::COMMITTED).unwrap();
        assert_eq!(
            routes.allowed("/v1/goals/assess"),
            Some(&["POST".to_owned()][..])
        );
        assert!(
            routes
                .method_not_allowed("/v1/goals/assess", "GET")
                .is_some()
        );
        assert!(
            routes
                .method_not_allowed("/v1/goals/assess", "POST")
                .is_none()
        );
        assert_eq!(
            routes
                .allowed("/v1/goals/0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56")
                .map(|m| m.len()),
            Some(2)
        );
    }

    #[test]
    fn a_template_matches_whole_non_empty_segments_only() {
        let routes = RouteTable::from_document(crate::openapi::COMMITTED).unwrap();
        let id = "0195f2a4-6b1e-7c3d-9a51-3c2b1d0e4f56";
        assert_eq!(
            routes.template(&format!("/v1/goals/{id}/readings")),
            Some("/v1/goals/{id}/readings")
        );
        assert_eq!(
            routes.template("/v1/goals/assess"),
            Some("/v1/goals/assess")
        );
        for unknown in [
            "/v1/goals//readings".to_owned(),
            format!("/v1/goals/{id}/readings/"),
            format!("/v1/goals/{id}/readings/extra"),
            format!("/v1/goals/{id}/reading"),
            "/v1/goals/".to_owned(),
            "v1/goals".to_owned(),
        ] {
            assert_eq!(routes.template(&unknown), None, "{unknown}");
            assert!(routes.allowed(&unknown).is_none(), "{unknown}");
        }
    }
}
