//! Checks a response against an OpenAPI 3.1 document: the operation (method and path template)
//! must be described, the status declared, the content type declared for that status, and a
//! JSON body must validate against that response's schema. The end-to-end client runs this on
//! every `/api/` response, so the server's own description is tested by every scenario.
//!
//! Schemas are validated by the `jsonschema` crate as draft 2020-12 (OpenAPI 3.1's dialect; its
//! extra keywords such as `discriminator` or `example` are annotations). The whole document is
//! registered once as the resource [`DOCUMENT_URI`], and a response is validated against
//! `{"$ref": "<DOCUMENT_URI>#<JSON pointer to that response's schema>"}`: the schema keeps its
//! place in the document, so its `$ref`s (`#/components/schemas/…`, or anywhere else in the
//! document) resolve exactly as an OpenAPI tool would resolve them, with nothing inlined or
//! rewritten. `format` is an annotation, as in draft 2020-12 by default.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use jsonschema::{Draft, Registry, Validator};
use serde_json::Value;

/// The URI the document is registered under, base of every reference it holds.
pub const DOCUMENT_URI: &str = "urn:cati:openapi";

/// An OpenAPI document ready to check responses, with the validators it compiled so far.
pub struct OpenApi {
    document: Value,
    registry: Registry<'static>,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

/// A response as the client received it.
#[derive(Clone, Copy, Debug)]
pub struct Response<'a> {
    /// HTTP method of the request, upper case.
    pub method: &'a str,
    /// Path of the request, with its query string if any.
    pub path: &'a str,
    /// Status code.
    pub status: u16,
    /// The `Content-Type` header, if any.
    pub content_type: Option<&'a str>,
    /// The body; `None` when it is not read (an open event stream): then only the status and
    /// the content type are checked.
    pub body: Option<&'a [u8]>,
}

/// Where a response is described: the operation and the response object for its status.
struct Described {
    /// `GET /api/cases/{id}`.
    operation: String,
    /// The status key that matched: `200`, `4XX`, `default`.
    status_key: String,
    /// JSON pointer to the response object (after following a `$ref`).
    pointer: String,
}

impl OpenApi {
    /// Reads a document; fails when it is not an OpenAPI 3.1 document with paths.
    pub fn new(document: Value) -> Result<OpenApi, String> {
        let version = document["openapi"].as_str().unwrap_or_default();
        if !version.starts_with("3.1") {
            return Err(format!(
                "not an OpenAPI 3.1 document (openapi: {:?})",
                document["openapi"]
            ));
        }
        if !document["paths"].is_object() {
            return Err("the document has no paths".to_owned());
        }
        let registry = Registry::new()
            .draft(Draft::Draft202012)
            .add(DOCUMENT_URI, document.clone())
            .and_then(|builder| builder.prepare())
            .map_err(|e| format!("the document is not a usable schema resource: {e}"))?;
        Ok(OpenApi {
            document,
            registry,
            validators: Mutex::new(HashMap::new()),
        })
    }

    /// Checks one response; the error says what does not conform, and why.
    pub fn check(&self, response: &Response<'_>) -> Result<(), String> {
        let path = response.path.split(['?', '#']).next().unwrap_or_default();
        let method = response.method.to_ascii_lowercase();
        let failure = |described: Option<&Described>, problem: String| {
            failure_message(response, described, &problem)
        };
        let Some((template, item)) = self.path_item(path) else {
            // The document lists the routes: a path it does not know must not exist. Its 404 is
            // the one every operation declares (the API's error body).
            return self
                .check_unknown_route(response)
                .map_err(|problem| failure(None, problem));
        };
        let Some(operation) = item.get(&method).filter(|o| o.is_object()) else {
            return Err(failure(
                None,
                format!(
                    "{} {template} is not in the document (its methods: {})",
                    response.method,
                    methods(item)
                ),
            ));
        };
        let operation_name = format!("{} {template}", response.method);
        let base = format!("/paths/{}/{method}/responses", escape_token(template));
        let Some((status_key, pointer)) = self.response_for(&base, operation, response.status)
        else {
            return Err(failure(
                None,
                format!(
                    "{operation_name}: status {} is not declared (declared: {})",
                    response.status,
                    keys(&operation["responses"])
                ),
            ));
        };
        let described = Described {
            operation: operation_name,
            status_key,
            pointer,
        };
        self.check_content(response, &described)
            .map_err(|problem| failure(Some(&described), problem))
    }

    /// The path item whose template matches `path`; a concrete path beats a templated one
    /// (`/api/cases/current` before `/api/cases/{id}`), as OpenAPI specifies.
    fn path_item(&self, path: &str) -> Option<(&str, &Value)> {
        let segments: Vec<&str> = path.split('/').collect();
        let paths = self.document["paths"].as_object()?;
        paths
            .iter()
            .filter_map(|(template, item)| {
                let pattern: Vec<&str> = template.split('/').collect();
                if pattern.len() != segments.len() {
                    return None;
                }
                let mut literal = Vec::with_capacity(pattern.len());
                for (expected, actual) in pattern.iter().zip(&segments) {
                    let is_parameter = expected.starts_with('{') && expected.ends_with('}');
                    if is_parameter && actual.is_empty() || !is_parameter && expected != actual {
                        return None;
                    }
                    literal.push(!is_parameter);
                }
                Some((literal, template.as_str(), item))
            })
            .max_by(|a, b| a.0.cmp(&b.0))
            .map(|(_, template, item)| (template, item))
    }

    /// The response object of `operation` for `status`: the exact code, then its range
    /// (`4XX`), then `default`; with the JSON pointer to it (a `$ref`'s target when it is one).
    fn response_for(&self, base: &str, operation: &Value, status: u16) -> Option<(String, String)> {
        let responses = operation["responses"].as_object()?;
        let range = format!("{}XX", status / 100);
        let key = [status.to_string(), range.clone(), range.to_lowercase()]
            .into_iter()
            .chain(["default".to_owned()])
            .find(|key| responses.contains_key(key))?;
        let pointer = self.follow_refs(format!("{base}/{}", escape_token(&key)))?;
        Some((key, pointer))
    }

    /// Follows the `$ref`s of a document object (a response may be one to
    /// `#/components/responses/…`) to the object itself.
    fn follow_refs(&self, mut pointer: String) -> Option<String> {
        for _ in 0..16 {
            let object = self.document.pointer(&pointer)?;
            match object.get("$ref").and_then(Value::as_str) {
                Some(reference) => pointer = reference.strip_prefix('#')?.to_owned(),
                None => return Some(pointer),
            }
        }
        None
    }

    /// The content type and body of a response against its response object.
    fn check_content(&self, response: &Response<'_>, described: &Described) -> Result<(), String> {
        let object = self
            .document
            .pointer(&described.pointer)
            .unwrap_or(&Value::Null);
        let declared = object["content"].as_object();
        let declared_names = || keys(&object["content"]);
        let received = response.content_type.map(media_type);
        let body = response.body.unwrap_or_default();
        if response.body.is_some() && body.is_empty() && received.is_none() {
            return match declared.filter(|c| !c.is_empty()) {
                None => Ok(()),
                Some(_) => Err(format!(
                    "the response has no body; the document declares one ({})",
                    declared_names()
                )),
            };
        }
        let Some(received) = received else {
            return Err("the response has a body but no Content-Type".to_owned());
        };
        let Some((key, media)) = declared.and_then(|content| {
            let (kind, _) = received.split_once('/').unwrap_or((&received, ""));
            [received.clone(), format!("{kind}/*"), "*/*".to_owned()]
                .into_iter()
                .find_map(|wanted| content.iter().find(|(name, _)| media_type(name) == wanted))
        }) else {
            return Err(format!(
                "Content-Type {received} is not declared for this status (declared: {})",
                declared_names()
            ));
        };
        if response.body.is_none() || !is_json(&received) || media.get("schema").is_none() {
            return Ok(());
        }
        let body: Value = serde_json::from_slice(body)
            .map_err(|e| format!("the body is not JSON ({e}) though its type is {received}"))?;
        let schema = format!("{}/content/{}/schema", described.pointer, escape_token(key));
        self.validate(&schema, &body)
    }

    /// A request to a path the document does not describe: only a 404 with the error body the
    /// operations declare for 404 conforms.
    fn check_unknown_route(&self, response: &Response<'_>) -> Result<(), String> {
        if response.status != 404 {
            return Err(format!(
                "{} is not in the document, yet the server answered {} (an unknown route must \
                 be a 404)",
                response.path, response.status
            ));
        }
        let body: Value =
            serde_json::from_slice(response.body.unwrap_or_default()).unwrap_or(Value::Null);
        let mut schemas: Vec<String> = Vec::new();
        for (template, item) in self.document["paths"].as_object().into_iter().flatten() {
            for (method, operation) in item.as_object().into_iter().flatten() {
                let base = format!("/paths/{}/{method}/responses", escape_token(template));
                let Some((_, pointer)) = self.response_for(&base, operation, 404) else {
                    continue;
                };
                let json = self.document.pointer(&pointer).and_then(|r| {
                    r["content"]
                        .as_object()?
                        .keys()
                        .find(|name| is_json(&media_type(name)))
                        .map(|name| format!("{pointer}/content/{}/schema", escape_token(name)))
                });
                if let Some(schema) = json
                    && self.document.pointer(&schema).is_some()
                    && !schemas.contains(&schema)
                {
                    schemas.push(schema);
                }
            }
        }
        if schemas.is_empty() {
            return Err("no operation of the document declares a JSON body for 404".to_owned());
        }
        let mut problems = String::new();
        for schema in &schemas {
            match self.validate(schema, &body) {
                Ok(()) => return Ok(()),
                Err(problem) => problems.push_str(&problem),
            }
        }
        Err(format!(
            "the 404 of an unknown route matches no 404 body of the document:\n{problems}"
        ))
    }

    /// Validates `body` against the schema at `pointer` in the document.
    fn validate(&self, pointer: &str, body: &Value) -> Result<(), String> {
        let validator = self.validator(pointer)?;
        let errors: Vec<String> = validator
            .iter_errors(body)
            .map(|error| {
                let at = error.instance_path().to_string();
                let rule = error
                    .absolute_keyword_location()
                    .map(|uri| uri.as_str().trim_start_matches(DOCUMENT_URI).to_owned())
                    .unwrap_or_else(|| error.schema_path().to_string());
                format!(
                    "  - at {}: {error} (schema {rule})",
                    if at.is_empty() { "/" } else { &at }
                )
            })
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "the body does not validate against #{pointer}:\n{}\n",
                errors.join("\n")
            ))
        }
    }

    /// The validator of the schema at `pointer`, compiled once.
    fn validator(&self, pointer: &str) -> Result<Arc<Validator>, String> {
        let mut validators = self.validators.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(validator) = validators.get(pointer) {
            return Ok(Arc::clone(validator));
        }
        let reference = serde_json::json!({
            "$ref": format!("{DOCUMENT_URI}#{}", percent_encode(pointer))
        });
        let validator = jsonschema::options()
            .with_draft(Draft::Draft202012)
            .with_registry(&self.registry)
            .build(&reference)
            .map_err(|e| format!("the schema at #{pointer} does not compile: {e}"))?;
        let validator = Arc::new(validator);
        validators.insert(pointer.to_owned(), Arc::clone(&validator));
        Ok(validator)
    }
}

/// The panic message of a non-conforming response: request, operation, status, body, problem.
fn failure_message(
    response: &Response<'_>,
    described: Option<&Described>,
    problem: &str,
) -> String {
    let mut message = format!(
        "response not conforming to the OpenAPI document\n  request: {} {}\n  status: {}",
        response.method, response.path, response.status
    );
    if let Some(described) = described {
        let _ = write!(
            message,
            " (declared as {:?})\n  operation: {}",
            described.status_key, described.operation
        );
    }
    let _ = write!(
        message,
        "\n  content type: {}\n  body: {}\n  problem: {problem}",
        response.content_type.unwrap_or("(none)"),
        shown_body(response)
    );
    message
}

/// The body for a message: text cut at 4,000 characters, or its size when binary.
fn shown_body(response: &Response<'_>) -> String {
    let Some(body) = response.body else {
        return "(a stream, not read)".to_owned();
    };
    match std::str::from_utf8(body) {
        Ok("") => "(empty)".to_owned(),
        Ok(text) if text.chars().count() > 4000 => {
            format!(
                "{}… ({} bytes)",
                text.chars().take(4000).collect::<String>(),
                text.len()
            )
        }
        Ok(text) => text.to_owned(),
        Err(_) => format!("({} bytes, not text)", body.len()),
    }
}

/// `application/json; charset=utf-8` → `application/json`.
fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// JSON media types: `application/json` and the `+json` suffix (`application/problem+json`).
fn is_json(media_type: &str) -> bool {
    media_type == "application/json" || media_type.ends_with("+json")
}

/// A JSON pointer token: `~` → `~0`, `/` → `~1`.
fn escape_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// A JSON pointer as a URI fragment: what a fragment may not hold (`{`, `}`, spaces, non-ASCII)
/// percent-encoded; the validator decodes it back.
fn percent_encode(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for byte in pointer.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/".contains(&byte) {
            out.push(byte as char);
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

fn keys(object: &Value) -> String {
    match object.as_object() {
        Some(map) if !map.is_empty() => map.keys().cloned().collect::<Vec<_>>().join(", "),
        _ => "none".to_owned(),
    }
}

fn methods(item: &Value) -> String {
    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];
    let found: Vec<String> = item
        .as_object()
        .into_iter()
        .flat_map(|map| map.keys())
        .filter(|key| METHODS.contains(&key.as_str()))
        .map(|key| key.to_uppercase())
        .collect();
    if found.is_empty() {
        "none".to_owned()
    } else {
        found.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::{OpenApi, Response};

    /// A tiny API: things by id, with a shared error body, a response by reference, a concrete
    /// path beside a templated one and a CSV download.
    fn document() -> OpenApi {
        let error = json!({
            "description": "Erreur",
            "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
        });
        OpenApi::new(json!({
            "openapi": "3.1.0",
            "info": { "title": "test", "version": "1" },
            "paths": {
                "/api/things/{id}": {
                    "get": { "responses": {
                        "200": { "description": "OK", "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/Thing" } } } },
                        "4XX": error
                    } }
                },
                "/api/things/latest": {
                    "get": { "responses": { "200": { "$ref": "#/components/responses/Names" } } }
                },
                "/api/things/{id}/csv": {
                    "get": { "responses": {
                        "200": { "description": "CSV", "content": { "text/csv": {} } },
                        "default": error
                    } }
                },
                "/api/things/{id}/events": {
                    "get": { "responses": {
                        "200": { "description": "Flux", "content": { "text/event-stream": {
                            "schema": { "type": "object" } } } },
                        "4XX": error
                    } }
                },
                "/api/things/{id}/delete": {
                    "post": { "responses": { "204": { "description": "Supprimé" }, "4XX": error } }
                }
            },
            "components": {
                "schemas": {
                    "Thing": {
                        "type": "object",
                        "required": ["id", "name"],
                        "properties": {
                            "id": { "type": "integer" },
                            "name": { "type": "string" },
                            "tags": { "type": "array", "items": { "$ref": "#/components/schemas/Tag" } }
                        },
                        "additionalProperties": false
                    },
                    "Tag": { "type": "string", "enum": ["rouge", "vert"] },
                    "Error": {
                        "type": "object",
                        "required": ["error"],
                        "properties": { "error": { "type": "string" } },
                        "additionalProperties": false
                    }
                },
                "responses": {
                    "Names": { "description": "OK", "content": { "application/json": {
                        "schema": { "type": "array", "items": { "type": "string" } } } } }
                }
            }
        }))
        .expect("a valid document")
    }

    fn check(method: &str, path: &str, status: u16, body: &Value) -> Result<(), String> {
        let text = body.to_string();
        document().check(&Response {
            method,
            path,
            status,
            content_type: Some("application/json; charset=utf-8"),
            body: Some(text.as_bytes()),
        })
    }

    #[test]
    fn a_body_that_follows_its_schema_conforms() {
        let thing = json!({ "id": 3, "name": "lampe", "tags": ["rouge"] });
        check("GET", "/api/things/3", 200, &thing).unwrap();
        check("GET", "/api/things/3?full=1", 200, &thing).unwrap();
        check(
            "GET",
            "/api/things/x",
            404,
            &json!({ "error": "introuvable" }),
        )
        .unwrap();
    }

    #[test]
    fn a_body_that_breaks_its_schema_is_rejected_with_the_operation_and_the_errors() {
        let wrong = json!({ "id": "3", "name": "lampe", "tags": ["bleu"], "extra": true });
        let message = check("GET", "/api/things/3", 200, &wrong).unwrap_err();
        for expected in [
            "GET /api/things/{id}",
            "request: GET /api/things/3",
            "status: 200",
            r#""extra":true"#,
            "at /id",
            "at /tags/0",
            "#/components/schemas/Tag/enum",
            "extra",
        ] {
            assert!(
                message.contains(expected),
                "{expected:?} missing from:\n{message}"
            );
        }
        assert!(check("GET", "/api/things/3", 200, &json!({ "id": 3 })).is_err());
    }

    #[test]
    fn an_error_status_is_validated_against_its_range() {
        let message = check("GET", "/api/things/3", 403, &json!({ "message": "non" })).unwrap_err();
        assert!(message.contains(r#"declared as "4XX""#), "{message}");
        assert!(message.contains("error"), "{message}");
    }

    #[test]
    fn an_undeclared_status_or_operation_is_rejected() {
        let thing = json!({ "id": 3, "name": "lampe" });
        let message = check("GET", "/api/things/3", 500, &thing).unwrap_err();
        assert!(message.contains("status 500 is not declared"), "{message}");
        let message = check("DELETE", "/api/things/3", 200, &thing).unwrap_err();
        assert!(
            message.contains("DELETE /api/things/{id} is not in the document"),
            "{message}"
        );
    }

    #[test]
    fn an_unknown_route_must_be_a_404_with_the_declared_error_body() {
        check(
            "GET",
            "/api/nowhere",
            404,
            &json!({ "error": "introuvable" }),
        )
        .unwrap();
        assert!(check("GET", "/api/nowhere", 404, &json!({ "oops": 1 })).is_err());
        let message = check("GET", "/api/nowhere", 200, &json!({})).unwrap_err();
        assert!(message.contains("must be a 404"), "{message}");
    }

    #[test]
    fn a_concrete_path_wins_over_a_template_and_response_refs_are_followed() {
        check("GET", "/api/things/latest", 200, &json!(["lampe"])).unwrap();
        let message = check(
            "GET",
            "/api/things/latest",
            200,
            &json!({ "id": 1, "name": "a" }),
        )
        .unwrap_err();
        assert!(message.contains("GET /api/things/latest"), "{message}");
    }

    #[test]
    fn bodies_that_are_not_json_are_checked_for_their_declared_content_type() {
        let api = document();
        let csv = |content_type, status| {
            api.check(&Response {
                method: "GET",
                path: "/api/things/3/csv",
                status,
                content_type: Some(content_type),
                body: Some(b"a,b\n1,2\n"),
            })
        };
        csv("text/csv; charset=utf-8", 200).unwrap();
        let message = csv("application/zip", 200).unwrap_err();
        assert!(
            message.contains("application/zip is not declared"),
            "{message}"
        );
        assert!(csv("text/csv", 404).is_err(), "default declares JSON only");
    }

    #[test]
    fn an_open_stream_is_checked_for_its_status_and_content_type_only() {
        let api = document();
        let stream = |content_type, status| {
            api.check(&Response {
                method: "GET",
                path: "/api/things/3/events",
                status,
                content_type: Some(content_type),
                body: None,
            })
        };
        stream("text/event-stream", 200).unwrap();
        assert!(stream("text/plain", 200).is_err());
        assert!(
            stream("text/event-stream", 403).is_err(),
            "4XX declares JSON only"
        );
    }

    #[test]
    fn an_empty_response_conforms_only_where_no_body_is_declared() {
        let api = document();
        let empty = |path, status| {
            api.check(&Response {
                method: "POST",
                path,
                status,
                content_type: None,
                body: Some(b""),
            })
        };
        empty("/api/things/3/delete", 204).unwrap();
        let message = empty("/api/things/3/delete", 409).unwrap_err();
        assert!(message.contains("no body"), "{message}");
    }

    #[test]
    fn a_document_that_is_not_openapi_3_1_is_refused() {
        assert!(OpenApi::new(json!({ "swagger": "2.0", "paths": {} })).is_err());
        assert!(OpenApi::new(json!({ "openapi": "3.0.3", "paths": {} })).is_err());
    }
}
