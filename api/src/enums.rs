//! Domain enumerations are stored as their snake_case wire names; these convert both ways.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// The wire (and storage) name of an enumeration value.
pub fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// Parses a stored name; `None` for anything this version does not know.
pub fn parse<T: DeserializeOwned>(name: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(name.to_owned())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_domain::Direction;

    #[test]
    fn names_round_trip() {
        assert_eq!(name(&Direction::AtLeast), "at_least");
        assert_eq!(parse::<Direction>("at_least"), Some(Direction::AtLeast));
        assert_eq!(parse::<Direction>("sideways"), None);
    }
}
