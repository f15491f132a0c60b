//! What happens to requests no handler takes: 405 with `Allow` when the path is one of ours
//! (judged against the OpenAPI document, so the two cannot disagree), else 404.

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, web};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;

/// Every documented path template with the methods it accepts.
pub struct RouteTable(Vec<(ResourceDef, Vec<String>)>);

impl RouteTable {
    /// Builds the table from the document the server serves.
    pub fn from_openapi(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("OPTIONS", item.options.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| m.to_owned())
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        RouteTable(routes)
    }

    /// The methods accepted at `path`, if it is a documented path.
    pub fn allowed(&self, path: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, methods)| methods.as_slice())
    }
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
