//! Users: names and emails parsed once at the edge, so an invalid one cannot exist past it.

use crate::clock::Timestamp;
use crate::ids::UserId;

/// A trimmed name of 1–100 Unicode scalar values without control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserName(String);

impl UserName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Err("must not be empty".into());
        }
        if trimmed.chars().count() > Self::MAX_CHARS {
            return Err(format!("must be at most {} characters", Self::MAX_CHARS));
        }
        if trimmed.chars().any(is_control) {
            return Err("must not contain control characters".into());
        }
        Ok(UserName(trimmed.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<UserName> for String {
    fn from(name: UserName) -> String {
        name.0
    }
}

/// U+0000–U+001F and U+007F–U+009F: the C0 and C1 controls and DEL.
fn is_control(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}')
}

/// An email in its one canonical form: trimmed and lower-cased.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(raw: &str) -> Result<Self, String> {
        let canonical = raw.trim().to_lowercase();
        if canonical.chars().count() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        if canonical
            .chars()
            .any(|c| c.is_whitespace() || is_control(c))
        {
            return Err("must not contain spaces or control characters".into());
        }
        let mut parts = canonical.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err("must contain exactly one @".into());
        };
        if local.is_empty() {
            return Err("must have a local part before the @".into());
        }
        if !domain.contains('.') || domain.split('.').any(str::is_empty) {
            return Err("must have a domain with a dot, such as example.com".into());
        }
        Ok(Email(canonical))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Email> for String {
    fn from(email: Email) -> String {
        email.0
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub name: UserName,
    pub email: Email,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// `POST /api/users`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateUser {
    pub name: UserName,
    pub email: Email,
}

/// `PATCH /api/users/{id}`, validated: at least one field is set.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UpdateUser {
    pub name: Option<UserName>,
    pub email: Option<Email>,
}

/// What a store needs to insert a user; the store assigns the id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewUser {
    pub name: UserName,
    pub email: Email,
    pub created_at: Timestamp,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_is_trimmed_and_counted_in_scalar_values() {
        assert_eq!(UserName::parse("  Ada  ").unwrap().as_str(), "Ada");
        assert!(UserName::parse(&"é".repeat(100)).is_ok());
        assert!(UserName::parse(&"é".repeat(101)).is_err());
        assert!(UserName::parse("   ").is_err());
    }

    #[test]
    fn name_rejects_c0_and_c1_controls_but_keeps_marks_and_emoji() {
        assert!(UserName::parse("a\u{0}b").is_err());
        assert!(UserName::parse("a\u{85}b").is_err());
        assert!(UserName::parse("a\u{7f}b").is_err());
        assert!(UserName::parse("\u{200f}שלום 👋").is_ok());
    }

    #[test]
    fn email_is_canonical_and_checked() {
        assert_eq!(
            Email::parse("  Ada@Example.COM ").unwrap().as_str(),
            "ada@example.com"
        );
        for bad in [
            "ada",
            "@example.com",
            "a@b@c.com",
            "ada@example",
            "ada@.com",
            "a b@c.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(243));
        assert!(Email::parse(&long).is_err());
    }
}
