//! Users on the wire: the bodies of `POST /api/users` and `PATCH /api/users/{id}`, and the user
//! every user route answers with.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use twinstack_core::{CreateUser, Email, Timestamp, UpdateUser, User, UserName};
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{
    AdditionalProperties, KnownFormat, Object, ObjectBuilder, Schema, SchemaFormat, Type,
};
use utoipa::{PartialSchema, ToSchema};

use super::AsText;
use crate::field::{FieldError, FieldPath};
use crate::walk::{Report, object, parse_with, required, string};

/// Name: trimmed, no control characters. Email: trimmed and lower-cased, one `@`, a dot in the
/// domain; unique.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[schema(schema_with = name)]
    pub name: String,
    #[schema(schema_with = email)]
    pub email: String,
}

impl CreateUserRequest {
    pub fn parse(body: &Value) -> Result<CreateUser, Vec<FieldError>> {
        let mut report = Report::default();
        let root = FieldPath::root();
        let command = object(body, &["name", "email"], &root, &mut report).and_then(|map| {
            let name = required(map, "name", &root, &mut report)
                .and_then(|v| string(v, root.key("name"), &mut report))
                .and_then(|text| {
                    parse_with(Some(text), UserName::parse, root.key("name"), &mut report)
                });
            let email = required(map, "email", &root, &mut report)
                .and_then(|v| string(v, root.key("email"), &mut report))
                .and_then(|text| {
                    parse_with(Some(text), Email::parse, root.key("email"), &mut report)
                });
            Some(CreateUser {
                name: name?,
                email: email?,
            })
        });
        report.finish(command)
    }
}

/// The body of `PATCH /api/users/{id}`. Its schema is written out (see the `PartialSchema` impl)
/// because utoipa's derive turns `min_properties` into `maxProperties`.
pub struct UpdateUserRequest;

impl PartialSchema for UpdateUserRequest {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some("At least one field; the same rules as on create."))
            // Absent, not null: a null field is refused like any other non-string.
            .property("name", name())
            .property("email", email())
            .additional_properties(Some(AdditionalProperties::FreeForm(false)))
            .min_properties(Some(1))
            .into()
    }
}

impl ToSchema for UpdateUserRequest {}

impl UpdateUserRequest {
    pub fn parse(body: &Value) -> Result<UpdateUser, Vec<FieldError>> {
        let mut report = Report::default();
        let root = FieldPath::root();
        let command = object(body, &["name", "email"], &root, &mut report).and_then(|map| {
            if map.is_empty() {
                report.push(root.clone(), "give at least one of name, email");
                return None;
            }
            let name = map
                .get("name")
                .map(|v| string(v, root.key("name"), &mut report))
                .map(|text| parse_with(text, UserName::parse, root.key("name"), &mut report));
            let email = map
                .get("email")
                .map(|v| string(v, root.key("email"), &mut report))
                .map(|text| parse_with(text, Email::parse, root.key("email"), &mut report));
            // `Some(None)` is a present but invalid field, already reported.
            Some(UpdateUser {
                name: name.map_or(Some(None), |n| n.map(Some))?,
                email: email.map_or(Some(None), |e| e.map(Some))?,
            })
        });
        report.finish(command)
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[schema(as = User)]
pub struct UserBody {
    #[schema(minimum = 1)]
    pub id: i64,
    #[schema(schema_with = name)]
    pub name: String,
    #[schema(schema_with = email)]
    pub email: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: AsText<Timestamp>,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: AsText<Timestamp>,
}

impl From<User> for UserBody {
    fn from(user: User) -> Self {
        UserBody {
            id: user.id.get(),
            name: user.name.into(),
            email: user.email.into(),
            created_at: AsText(user.created_at),
            updated_at: AsText(user.updated_at),
        }
    }
}

/// [`UserName::parse`]'s rule as a pattern: Unicode `White_Space` at either end is trimmed; what is
/// left is 1–[`UserName::MAX_CHARS`] characters, starts and ends with a
/// character that is neither white space nor a control, and holds no C0/C1 control or DEL. So the
/// length bound is in the pattern, not a `maxLength` (which would count the trimmed ends too). The
/// sets are spelt out because regex dialects disagree on `\s`.
fn name_pattern() -> String {
    const WHITE_SPACE: &str = r"\t-\r\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
    const CONTROL: &str = r"\x00-\x1F\x7F-\x9F";
    // Neither white space nor a control: C0 and space, DEL through NBSP, the other spaces.
    const EDGE: &str = r"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000";
    let inner = UserName::MAX_CHARS - 2;
    format!("^[{WHITE_SPACE}]*[^{EDGE}](?:[^{CONTROL}]{{0,{inner}}}[^{EDGE}])?[{WHITE_SPACE}]*$")
}

fn name() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .pattern(Some(name_pattern()))
        .build()
}

fn email() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
        .max_length(Some(Email::MAX_LEN))
        .build()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::field::sorted_fields as fields;

    #[test]
    fn an_empty_patch_is_refused_and_null_is_a_wrong_type() {
        assert!(UpdateUserRequest::parse(&json!({})).is_err());
        assert_eq!(
            fields(UpdateUserRequest::parse(&json!({"name": null})).unwrap_err()),
            vec!["name"]
        );
        let patch = UpdateUserRequest::parse(&json!({"email": "A@B.CO"})).unwrap();
        assert_eq!(patch.name, None);
        assert_eq!(patch.email.unwrap().as_str(), "a@b.co");
    }
}
