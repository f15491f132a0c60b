//! What happens to requests no handler takes: 405 with `Allow` when the path is one of ours
//! (judged against the OpenAPI document, so the two cannot disagree), else 404.

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, web};
use std::collections::BTreeMap;

use serde::de::IgnoredAny;

use crate::http::problem::ApiError;

/// Every documented path template with the methods it accepts.
pub struct RouteTable(Vec<(ResourceDef, Vec<String>)>);

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
                (ResourceDef::new(path.as_str()), methods)
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
            .filter(|(def, _)| def.is_match(path))
            .min_by_key(|(def, _)| def.pattern().map_or(0, |p| p.matches('{').count()))
            .map(|(_, methods)| methods.as_slice())
    }

    /// The documented template `path` matches (`/v1/goals/{id}/readings`), as the router would
    /// choose it; for middleware, which runs before routing.
    pub fn template(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .min_by_key(|(def, _)| def.pattern().map_or(0, |p| p.matches('{').count()))
            .and_then(|(def, _)| def.pattern())
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
}
