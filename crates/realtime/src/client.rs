//! Client frames: `{"action":"subscribe","userId":42}`, `{"action":"unsubscribe","userId":42}`,
//! `{"action":"ping"}`. Parsed from any text without panicking; every refusal names what was wrong.

use serde_json::{Map, Value};
use twinstack_core::UserId;

use crate::MAX_FRAME_BYTES;
use crate::error::{ErrorCode, ProtocolError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientFrame {
    Subscribe(UserId),
    Unsubscribe(UserId),
    Ping,
}

impl ClientFrame {
    pub const ACTIONS: [&'static str; 3] = ["subscribe", "unsubscribe", "ping"];

    /// Checks, in order: size, JSON, an object, a known `action`, then that action's fields.
    pub fn parse(text: &str) -> Result<ClientFrame, ProtocolError> {
        if text.len() > MAX_FRAME_BYTES {
            return Err(ProtocolError::too_large(text.len()));
        }
        let value: Value = serde_json::from_str(text).map_err(|error| {
            ProtocolError::new(ErrorCode::MalformedJson, format!("not JSON: {error}"))
        })?;
        let Value::Object(fields) = value else {
            return Err(ProtocolError::new(
                ErrorCode::ValidationFailed,
                "frame must be a JSON object",
            ));
        };
        match fields.get("action") {
            Some(Value::String(action)) if action == "subscribe" => {
                user_frame(&fields).map(ClientFrame::Subscribe)
            }
            Some(Value::String(action)) if action == "unsubscribe" => {
                user_frame(&fields).map(ClientFrame::Unsubscribe)
            }
            Some(Value::String(action)) if action == "ping" => {
                only_fields(&fields, &["action"]).map(|()| ClientFrame::Ping)
            }
            // API Gateway routes a frame without a known string `action` to `$default`: the same
            // answer here keeps the twins alike.
            Some(Value::String(action)) => Err(ProtocolError::new(
                ErrorCode::UnknownAction,
                format!(
                    "unknown action {action:?}: must be one of {}",
                    Self::ACTIONS.join(", ")
                ),
            )),
            _ => Err(ProtocolError::new(
                ErrorCode::UnknownAction,
                format!(
                    "action must be a string, one of {}",
                    Self::ACTIONS.join(", ")
                ),
            )),
        }
    }
}

/// `userId` as the HTTP API takes it: a positive integer that fits 64 signed bits.
fn user_frame(fields: &Map<String, Value>) -> Result<UserId, ProtocolError> {
    only_fields(fields, &["action", "userId"])?;
    let user = fields
        .get("userId")
        .ok_or_else(|| ProtocolError::new(ErrorCode::ValidationFailed, "userId is required"))?;
    user.as_i64().and_then(UserId::new).ok_or_else(|| {
        ProtocolError::new(
            ErrorCode::ValidationFailed,
            format!("userId must be an integer from 1 to {}", i64::MAX),
        )
    })
}

fn only_fields(fields: &Map<String, Value>, allowed: &[&str]) -> Result<(), ProtocolError> {
    let mut unknown: Vec<&str> = fields
        .keys()
        .map(String::as_str)
        .filter(|key| !allowed.contains(key))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    unknown.sort_unstable();
    Err(ProtocolError::new(
        ErrorCode::ValidationFailed,
        format!("unknown fields: {}", unknown.join(", ")),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> ErrorCode {
        ClientFrame::parse(text).unwrap_err().code
    }

    #[test]
    fn the_three_actions_parse() {
        let user = UserId::new(42).unwrap();
        assert_eq!(
            ClientFrame::parse(r#"{"action":"subscribe","userId":42}"#),
            Ok(ClientFrame::Subscribe(user))
        );
        assert_eq!(
            ClientFrame::parse(r#"{"userId":42,"action":"unsubscribe"}"#),
            Ok(ClientFrame::Unsubscribe(user))
        );
        assert_eq!(
            ClientFrame::parse(r#"{"action":"ping"}"#),
            Ok(ClientFrame::Ping)
        );
    }

    #[test]
    fn text_that_is_not_json_is_malformed() {
        for text in ["", "{", "subscribe", "{\"action\":\"ping\"", "\u{0}"] {
            assert_eq!(code(text), ErrorCode::MalformedJson, "{text:?}");
        }
    }

    #[test]
    fn json_that_is_not_an_object_fails_validation() {
        for text in ["[]", "42", "\"ping\"", "null", "true"] {
            assert_eq!(code(text), ErrorCode::ValidationFailed, "{text:?}");
        }
    }

    #[test]
    fn a_missing_or_unknown_action_is_unknown_action() {
        for text in [
            "{}",
            r#"{"action":"publish"}"#,
            r#"{"action":"PING"}"#,
            r#"{"action":1}"#,
            r#"{"action":null}"#,
            r#"{"userId":42}"#,
        ] {
            assert_eq!(code(text), ErrorCode::UnknownAction, "{text:?}");
        }
    }

    #[test]
    fn a_bad_user_id_fails_validation() {
        for user in [
            "0",
            "-1",
            "1.5",
            "\"42\"",
            "null",
            "9223372036854775808",
            "1e300",
            "[]",
        ] {
            let text = format!(r#"{{"action":"subscribe","userId":{user}}}"#);
            let error = ClientFrame::parse(&text).unwrap_err();
            assert_eq!(error.code, ErrorCode::ValidationFailed, "{text}");
            assert!(error.message.contains("userId"), "{}", error.message);
        }
        let error = ClientFrame::parse(r#"{"action":"unsubscribe"}"#).unwrap_err();
        assert_eq!(error.message, "userId is required");
    }

    #[test]
    fn unknown_fields_are_named() {
        let error = ClientFrame::parse(r#"{"action":"ping","z":1,"a":2}"#).unwrap_err();
        assert_eq!(error.code, ErrorCode::ValidationFailed);
        assert_eq!(error.message, "unknown fields: a, z");
    }

    #[test]
    fn a_frame_over_32_kib_is_too_large_whatever_it_holds() {
        let padding = " ".repeat(crate::MAX_FRAME_BYTES);
        let text = format!(r#"{{"action":"ping"}}{padding}"#);
        assert_eq!(code(&text), ErrorCode::MessageTooLarge);
        let at_limit = format!(
            "{:<width$}",
            r#"{"action":"ping"}"#,
            width = crate::MAX_FRAME_BYTES
        );
        assert_eq!(ClientFrame::parse(&at_limit), Ok(ClientFrame::Ping));
    }
}
