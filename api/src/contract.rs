//! What the OpenAPI document needs beyond what the handlers' annotations say, so that every
//! tool accepts it (openapi-spec-validator, Redocly's `recommended` rules, client generators):
//! a description on every response, `security: []` on the operations that need no token, the
//! server the paths are relative to, pages that reference their item schemas instead of
//! repeating them, and action bodies as one schema per action.

use actix_web::http::StatusCode;
use domain::validation::TextRule;
use utoipa::openapi::server::Server;
use utoipa::openapi::{OpenApi, RefOr};

/// Completes the document in place.
pub fn complete(openapi: &mut OpenApi) {
    openapi.servers = Some(vec![Server::new("/")]);
    reference_page_items(openapi);
    one_schema_per_action(openapi);
    text_rules(openapi);
    formats(openapi);
    merge_closed_all_of(openapi);
    exactly_one_of(openapi, "CheckInInput");
    // A webhook names each kind it hears of once (utoipa cannot write `uniqueItems`).
    edit_schema(openapi, "WebhookInput", |schema| {
        schema["properties"]["events"]["uniqueItems"] = true.into();
    });
    display_event_data(openapi);
    for item in openapi.paths.paths.values_mut() {
        for operation in operations(item) {
            // Public operations (the kiosk, signing in, health) say so rather than leaving a
            // client to guess from a missing field.
            operation.security.get_or_insert_with(Vec::new);
            for (status, response) in operation.responses.responses.iter_mut() {
                if let RefOr::T(response) = response {
                    if response.description.is_empty() {
                        response.description = reason(status);
                    }
                    document_headers(status, response);
                }
            }
        }
    }
}

/// A display stream's `data` is a `DisplayMessage` as JSON text: say so with `contentSchema`,
/// which utoipa cannot write, so that a client decodes it into the message's type.
fn display_event_data(openapi: &mut OpenApi) {
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    let Some(Ok(mut event)) = components
        .schemas
        .get("DisplayStreamEvent")
        .map(serde_json::to_value)
    else {
        return;
    };
    event["properties"]["data"]["contentSchema"] =
        serde_json::json!({"$ref": "#/components/schemas/DisplayMessage"});
    if let Ok(event) = serde_json::from_value(event) {
        components
            .schemas
            .insert("DisplayStreamEvent".to_owned(), event);
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

/// The texts of request bodies and the rule each is checked by (`domain::validation`): the
/// schema property, and the longest it may be in characters.
const TEXTS: &[(&str, &str, TextRule, usize)] = &[
    ("Applicant", "name", TextRule::Name, 100),
    ("Applicant", "id_number", TextRule::Name, 50),
    ("IntakeBody", "note", TextRule::OptionalText, 2000),
    ("IntakeBody", "reason", TextRule::Text, 2000),
    ("ImportedCase", "note", TextRule::OptionalText, 2000),
    ("ImportedCase", "refused_because", TextRule::Text, 2000),
    ("PauseAction", "note", TextRule::OptionalText, 1000),
    ("TransferAction", "note", TextRule::OptionalText, 1000),
    ("DeliverAction", "note", TextRule::OptionalText, 1000),
    ("ExtendAction", "reason", TextRule::Text, 1000),
    ("CompleteAction", "result", TextRule::OptionalText, 4000),
    ("WithdrawAction", "reason", TextRule::OptionalText, 1000),
    ("ImportedPauseEvent", "note", TextRule::OptionalText, 1000),
    (
        "ImportedTransferEvent",
        "note",
        TextRule::OptionalText,
        1000,
    ),
    ("ImportedDeliverEvent", "note", TextRule::OptionalText, 1000),
    ("ImportedExtendEvent", "reason", TextRule::Text, 1000),
    (
        "ImportedCompleteEvent",
        "result",
        TextRule::OptionalText,
        4000,
    ),
    (
        "ImportedWithdrawEvent",
        "reason",
        TextRule::OptionalText,
        1000,
    ),
    ("RatingBody", "comment", TextRule::OptionalText, 500),
    ("CloseBody", "note", TextRule::Text, 2000),
    ("UserInput", "display_name", TextRule::OptionalName, 100),
    ("CenterInput", "name", TextRule::Name, 200),
    ("DepartmentInput", "name", TextRule::Name, 200),
    ("WindowInput", "name", TextRule::Name, 200),
    ("ServiceItemInput", "name", TextRule::Name, 200),
    ("QueueInput", "name", TextRule::Name, 100),
    ("WindowSessionInput", "reason", TextRule::Name, 200),
    ("CancelTicketAction", "reason", TextRule::OptionalText, 500),
    ("BookingInput", "name", TextRule::Name, 100),
    (
        "ServiceItemInput",
        "conditions",
        TextRule::OptionalText,
        4000,
    ),
    (
        "ServiceItemInput",
        "responsible_post",
        TextRule::OptionalText,
        4000,
    ),
    ("ServiceItemInput", "fee", TextRule::OptionalText, 4000),
    (
        "ServiceItemInput",
        "fee_basis",
        TextRule::OptionalText,
        4000,
    ),
    (
        "ServiceItemInput",
        "legal_basis",
        TextRule::OptionalText,
        4000,
    ),
    (
        "ServiceItemInput",
        "rights_and_remedies",
        TextRule::OptionalText,
        4000,
    ),
    ("ServiceItemInput", "contact", TextRule::OptionalText, 4000),
    (
        "ServiceItemInput",
        "complaint_channel",
        TextRule::OptionalText,
        4000,
    ),
    ("Material", "name", TextRule::Name, 200),
    ("MaterialsAtIntake", "received", TextRule::Name, 200),
    ("DeferredMaterial", "name", TextRule::Name, 200),
    ("PauseAction", "materials", TextRule::Name, 200),
    ("ResumeAction", "arrived", TextRule::Name, 200),
    ("ImportedPauseEvent", "materials", TextRule::Name, 200),
    ("ImportedResumeEvent", "arrived", TextRule::Name, 200),
    ("ReceiveMaterialsAction", "materials", TextRule::Name, 200),
    (
        "ImportedReceiveMaterialsEvent",
        "materials",
        TextRule::Name,
        200,
    ),
    ("Certificate", "name", TextRule::Name, 200),
    ("Certificate", "number", TextRule::Name, 100),
    ("Certificate", "issued_by", TextRule::Name, 200),
    ("Fee", "name", TextRule::Name, 200),
    ("Fee", "basis", TextRule::Text, 500),
    ("ServiceItemInput", "procedure", TextRule::Text, 500),
    ("YearCalendar", "notice", TextRule::OptionalText, 500),
    ("VoidNotice", "reason", TextRule::Text, 1000),
    (
        "NoticeTemplateInput",
        "body",
        TextRule::OptionalText,
        crate::routes::notices::templates::LONGEST_TEMPLATE,
    ),
    ("WebhookInput", "url", TextRule::Text, 2000),
];

/// Says in the schema of every text in [`TEXTS`] what the server checks of it: its pattern,
/// that a required one is not empty, and its longest (of each entry, for a list of texts).
fn text_rules(openapi: &mut OpenApi) {
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    for &(name, property, rule, longest) in TEXTS {
        let Some(Ok(mut schema)) = components.schemas.get(name).map(serde_json::to_value) else {
            panic!("contract::TEXTS names {name}, which the document lacks");
        };
        let text = &mut schema["properties"][property];
        assert!(!text.is_null(), "contract::TEXTS names {name}.{property}");
        let text = if text["type"] == "array" {
            &mut text["items"]
        } else {
            text
        };
        text["pattern"] = rule.pattern().into();
        text["maxLength"] = longest.into();
        if matches!(rule, TextRule::Text | TextRule::Name) {
            text["minLength"] = 1.into();
        }
        if let Ok(described) = serde_json::from_value(schema) {
            components.schemas.insert(name.to_owned(), described);
        }
    }
}

/// Local times as a slot reads them (chrono's `NaiveTime`): `HH:MM:SS`, seconds required.
const CLOCK_TIME: &str = "^([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)([.][0-9]+)?$";

/// The forms the server reads with a check of its own rather than a type: the schema
/// property and the check's pattern (each tested against its check in `domain`).
const FORMATS: &[(&str, &str, &str)] = &[
    ("Applicant", "phone", domain::case::PHONE_PATTERN),
    ("BookingInput", "phone", domain::case::PHONE_PATTERN),
    (
        "CancelInput",
        "booking_code",
        domain::queue::appointments::BOOKING_CODE_PATTERN,
    ),
    (
        "CheckInInput",
        "booking_code",
        domain::queue::appointments::BOOKING_CODE_PATTERN,
    ),
    ("SlotInput", "starts_at", CLOCK_TIME),
    ("SlotInput", "ends_at", CLOCK_TIME),
    // A lookahead: the text rule's pattern stands, and the URL must also start so.
    ("WebhookInput", "url", "(?=https?://[^/?#\\s]+)"),
];

/// Edits the component schema `name` as JSON.
fn edit_schema(openapi: &mut OpenApi, name: &str, edit: impl FnOnce(&mut serde_json::Value)) {
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    let Some(Ok(mut schema)) = components.schemas.get(name).map(serde_json::to_value) else {
        panic!("the document lacks {name}");
    };
    edit(&mut schema);
    match serde_json::from_value(schema) {
        Ok(edited) => {
            components.schemas.insert(name.to_owned(), edited);
        }
        Err(error) => panic!("{name} edited is no schema: {error}"),
    }
}

/// Writes [`FORMATS`] into the document.
fn formats(openapi: &mut OpenApi) {
    for &(name, property, pattern) in FORMATS {
        edit_schema(openapi, name, |schema| {
            let text = &mut schema["properties"][property];
            assert!(
                text.is_object(),
                "contract::FORMATS names {name}.{property}"
            );
            text["pattern"] = match (pattern.strip_prefix("(?="), text["pattern"].as_str()) {
                (Some(_), Some(rule)) => format!("^{pattern}{}", rule.trim_start_matches('^')),
                _ => pattern.to_owned(),
            }
            .into();
        });
    }
}

/// A struct that flattens a closed one (`deny_unknown_fields`) beside fields of its own —
/// `CaseMaterial` (a guide's `Material` and where it stands) — is written by utoipa as `allOf`
/// of the two; as the closed part admits no other property, no value satisfies both, and a
/// generator (or a validator of answers) that honours `additionalProperties` refuses every
/// real one. Each becomes one object, as does `NewUser`, closed itself.
fn merge_closed_all_of(openapi: &mut OpenApi) {
    let Some(Ok(components)) = openapi.components.as_ref().map(serde_json::to_value) else {
        return;
    };
    let closed = |reference: &str| {
        let name = reference.trim_start_matches("#/components/schemas/");
        components["schemas"][name]["additionalProperties"] == false
    };
    let names: Vec<String> = components["schemas"]
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(_, schema)| {
            schema["allOf"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|part| part["$ref"].as_str().is_some_and(closed))
        })
        .map(|(name, _)| name.clone())
        // `NewUser` is closed itself (`deny_unknown_fields`), which `allOf` cannot say.
        .chain(["NewUser".to_owned()])
        .collect();
    for name in names {
        merge_all_of(openapi, &name);
    }
}

/// Merges the `allOf` parts of `name` into one closed object; a part nothing else references
/// is dropped.
fn merge_all_of(openapi: &mut OpenApi, name: &str) {
    let Some(Ok(components)) = openapi.components.as_ref().map(serde_json::to_value) else {
        return;
    };
    let mut merged_from = Vec::new();
    edit_schema(openapi, name, |schema| {
        let parts = schema["allOf"].as_array().cloned().unwrap_or_default();
        let mut merged = serde_json::json!({
            "type": "object",
            "description": schema["description"].clone(),
            "properties": {},
            "required": [],
            "additionalProperties": false,
        });
        for part in parts {
            let part = match part["$ref"].as_str() {
                Some(reference) => {
                    merged_from.push(reference.to_owned());
                    let referenced = reference.trim_start_matches("#/components/schemas/");
                    components["schemas"][referenced].clone()
                }
                None => part,
            };
            if let Some(properties) = part["properties"].as_object() {
                for (key, value) in properties {
                    merged["properties"][key] = value.clone();
                }
            }
            if let (Some(required), Some(all)) = (
                part["required"].as_array(),
                merged["required"].as_array_mut(),
            ) {
                all.extend(required.iter().cloned());
            }
        }
        *schema = merged;
    });
    let document = serde_json::to_string(&*openapi).unwrap_or_default();
    for reference in merged_from {
        if !document.contains(&format!("\"{reference}\"")) {
            let unused = reference.trim_start_matches("#/components/schemas/");
            if let Some(components) = openapi.components.as_mut() {
                components.schemas.remove(unused);
            }
        }
    }
}

/// A body of optional properties of which the server takes exactly one (a check-in: the
/// code or the card), and treats `null` as absent: documented as one property, not null.
fn exactly_one_of(openapi: &mut OpenApi, name: &str) {
    edit_schema(openapi, name, |schema| {
        schema["minProperties"] = 1.into();
        schema["maxProperties"] = 1.into();
        if let Some(properties) = schema["properties"].as_object_mut() {
            for property in properties.values_mut() {
                if let Some(types) = property["type"].as_array() {
                    let kept: Vec<_> = types.iter().filter(|t| *t != "null").cloned().collect();
                    property["type"] = kept.first().cloned().unwrap_or_default();
                }
            }
        }
    });
}

/// `ActionBody` and `ImportedEvent` flatten the internally tagged `Action` beside fields of
/// their own, which utoipa writes as `allOf` of a `oneOf` and an object: valid, but no client
/// generator can make a type of it. Rewrite each as a `oneOf` of one named object per action —
/// its fields plus the wrapper's — discriminated by `action`, and drop the then unused
/// `Action`. `EventDetails`' inline variants get names the same way.
fn one_schema_per_action(openapi: &mut OpenApi) {
    let Some(components) = openapi.components.as_mut() else {
        return;
    };
    let variants_of = |name: &str, components: &utoipa::openapi::Components| {
        components
            .schemas
            .get(name)
            .and_then(|s| serde_json::to_value(s).ok())
            .and_then(|s| s["oneOf"].as_array().cloned())
    };
    // Each tagged action enum, with the wrappers that flatten it and how their variants are named.
    type Wrappers = &'static [(&'static str, fn(&str) -> String)];
    const FLATTENED: [(&str, Wrappers); 2] = [
        (
            "Action",
            &[
                ("ActionBody", |a| format!("{a}Action")),
                ("ImportedEvent", |a| format!("Imported{a}Event")),
            ],
        ),
        (
            "TicketAction",
            &[("TicketActionBody", |a| format!("{a}TicketAction"))],
        ),
    ];
    for (tagged, wrappers) in FLATTENED {
        let Some(actions) = variants_of(tagged, components) else {
            continue;
        };
        for (wrapper, name_of) in wrappers {
            let Some(Ok(schema)) = components.schemas.get(*wrapper).map(serde_json::to_value)
            else {
                continue;
            };
            // The wrapper's own fields: the `allOf` member that is not the reference to the enum.
            let own = schema["allOf"]
                .as_array()
                .and_then(|parts| parts.iter().find(|p| p.get("$ref").is_none()))
                .cloned();
            discriminate(
                components,
                wrapper,
                &schema,
                &actions,
                own.as_ref(),
                *name_of,
            );
        }
        components.schemas.remove(tagged);
    }
    if let Some(details) = variants_of("EventDetails", components)
        && let Some(Ok(schema)) = components
            .schemas
            .get("EventDetails")
            .map(serde_json::to_value)
    {
        discriminate(components, "EventDetails", &schema, &details, None, |a| {
            format!("{a}Details")
        });
    }
}

/// Writes `wrapper` as a `oneOf` of `variants`, each (with `own`'s fields added) a component
/// named by `name_of` its `action`, and a discriminator mapping each action to its component.
fn discriminate(
    components: &mut utoipa::openapi::Components,
    wrapper: &str,
    schema: &serde_json::Value,
    variants: &[serde_json::Value],
    own: Option<&serde_json::Value>,
    name_of: fn(&str) -> String,
) {
    let mut one_of = Vec::new();
    let mut mapping = serde_json::Map::new();
    for variant in variants {
        let Some(tag) = variant["properties"]["action"]["enum"][0].as_str() else {
            continue;
        };
        let name = name_of(&camel(tag));
        let mut named = variant.clone();
        if let Some(own) = own {
            if let (Some(fields), Some(extra)) = (
                named["properties"].as_object_mut(),
                own["properties"].as_object(),
            ) {
                fields.extend(extra.clone());
            }
            if let (Some(required), Some(extra)) =
                (named["required"].as_array_mut(), own["required"].as_array())
            {
                required.extend(extra.iter().cloned());
            }
        }
        let reference = format!("#/components/schemas/{name}");
        if let Ok(named) = serde_json::from_value(named) {
            components.schemas.insert(name, named);
        }
        one_of.push(serde_json::json!({ "$ref": reference }));
        mapping.insert(tag.to_owned(), reference.into());
    }
    let rewritten = serde_json::json!({
        "oneOf": one_of,
        "discriminator": {"propertyName": "action", "mapping": mapping},
        "description": schema["description"],
    });
    if let Ok(rewritten) = serde_json::from_value(rewritten) {
        components.schemas.insert(wrapper.to_owned(), rewritten);
    }
}

/// `in_progress` as `InProgress`.
fn camel(snake: &str) -> String {
    snake
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}

/// The headers `ApiError` always sets on these statuses (`problem.rs`): when to retry a 429
/// or a 503, and the scheme a 401 asks for.
fn document_headers(status: &str, response: &mut utoipa::openapi::Response) {
    use utoipa::openapi::{HeaderBuilder, ObjectBuilder, Type};
    let (name, description, kind) = match status {
        "429" | "503" => (
            "Retry-After",
            "Seconds to wait before trying again",
            Type::Integer,
        ),
        "401" => (
            "WWW-Authenticate",
            "`Bearer`: send an access token from `POST /api/v1/auth/login`",
            Type::String,
        ),
        _ => return,
    };
    response.headers.entry(name.to_owned()).or_insert_with(|| {
        HeaderBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(kind)))
            .description(Some(description))
            .build()
            .into()
    });
}

/// The operations of a path, whichever methods it has.
pub fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = &mut utoipa::openapi::path::Operation> {
    [
        item.get.as_mut(),
        item.post.as_mut(),
        item.put.as_mut(),
        item.delete.as_mut(),
        item.patch.as_mut(),
    ]
    .into_iter()
    .flatten()
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
