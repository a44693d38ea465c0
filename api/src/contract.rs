//! What the OpenAPI document needs beyond what the handlers' annotations say, so that every
//! tool accepts it (openapi-spec-validator, Redocly's `recommended` rules, client generators):
//! a description on every response, `security: []` on the operations that need no token, the
//! server the paths are relative to, and pages that reference their item schemas instead of
//! repeating them.

use actix_web::http::StatusCode;
use utoipa::openapi::server::Server;
use utoipa::openapi::{OpenApi, RefOr};

/// Completes the document in place.
pub fn complete(openapi: &mut OpenApi) {
    openapi.servers = Some(vec![Server::new("/")]);
    reference_page_items(openapi);
    for item in openapi.paths.paths.values_mut() {
        let operations = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.delete.as_mut(),
            item.patch.as_mut(),
        ];
        for operation in operations.into_iter().flatten() {
            // Public operations (the kiosk, signing in, health) say so rather than leaving a
            // client to guess from a missing field.
            operation.security.get_or_insert_with(Vec::new);
            for (status, response) in operation.responses.responses.iter_mut() {
                if let RefOr::T(response) = response
                    && response.description.is_empty()
                {
                    response.description = reason(status);
                }
            }
        }
    }
}

/// utoipa writes `Page<T>` out as `Page_T` with `T`'s schema inlined, so a generated client
/// gets a second type for every item; point each page's `items` at `T`'s component instead.
fn reference_page_items(openapi: &mut OpenApi) {
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    let names: Vec<String> = components.schemas.keys().cloned().collect();
    for name in names {
        let Some(item) = name.strip_prefix("Page_") else {
            continue;
        };
        if !components.schemas.contains_key(item) {
            continue;
        }
        let Some(schema) = components.schemas.get_mut(&name) else {
            continue;
        };
        let Ok(mut value) = serde_json::to_value(&*schema) else {
            continue;
        };
        value["properties"]["items"]["items"] =
            serde_json::json!({"$ref": format!("#/components/schemas/{item}")});
        if let Ok(referenced) = serde_json::from_value(value) {
            *schema = referenced;
        }
    }
}

/// The status's reason phrase, e.g. `OK`, `Created`, `Conflict`.
fn reason(status: &str) -> String {
    status
        .parse::<u16>()
        .ok()
        .and_then(|code| StatusCode::from_u16(code).ok())
        .and_then(|code| code.canonical_reason())
        .unwrap_or("The answer")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_response_has_a_description_and_every_operation_a_security_requirement() {
        let openapi = crate::app::openapi();
        assert!(openapi.servers.is_some());
        for (path, item) in &openapi.paths.paths {
            for operation in [&item.get, &item.post, &item.put, &item.delete, &item.patch]
                .into_iter()
                .flatten()
            {
                assert!(operation.security.is_some(), "{path}");
                for (status, response) in &operation.responses.responses {
                    if let RefOr::T(response) = response {
                        assert!(!response.description.is_empty(), "{path} {status}");
                    }
                }
            }
        }
    }
}
