//! Where in a request a rule is broken: field paths of the wire format such as `items[2].qty`,
//! ordered the way a reader expects (index 10 after index 2), and the error reported at one.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Segment {
    Key(String),
    Index(usize),
}

#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FieldPath(Vec<Segment>);

impl FieldPath {
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    pub fn key(&self, key: &str) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Key(key.to_owned()));
        FieldPath(segments)
    }

    pub fn index(&self, index: usize) -> Self {
        let mut segments = self.0.clone();
        segments.push(Segment::Index(index));
        FieldPath(segments)
    }
}

impl From<&str> for FieldPath {
    fn from(key: &str) -> Self {
        FieldPath::root().key(key)
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (position, segment) in self.0.iter().enumerate() {
            match segment {
                Segment::Key(key) if position == 0 => f.write_str(key)?,
                Segment::Key(key) => write!(f, ".{key}")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

/// One broken rule, at one field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: FieldPath,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<FieldPath>, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The fields of `errors`, rendered and sorted: what tests compare.
#[cfg(test)]
pub(crate) fn sorted_fields(errors: Vec<FieldError>) -> Vec<String> {
    let mut fields: Vec<_> = errors.into_iter().map(|e| e.field.to_string()).collect();
    fields.sort();
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_keys_and_indexes() {
        let path = FieldPath::from("items").index(2).key("qty");
        assert_eq!(path.to_string(), "items[2].qty");
    }

    #[test]
    fn orders_indexes_numerically() {
        let two = FieldPath::from("items").index(2);
        let ten = FieldPath::from("items").index(10);
        assert!(two < ten);
    }
}
