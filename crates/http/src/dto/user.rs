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

fn name() -> Object {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(Some(1))
        .max_length(Some(UserName::MAX_CHARS))
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
