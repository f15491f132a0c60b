//! Stable names for the domain's enumerations: the same snake_case word in JSON, in the database
//! and in event payloads. One table per enumeration ([`named!`]), so a name is written once.

/// An enumeration whose values have stable names.
pub trait Named: Sized + Copy + 'static {
    /// Every value, in documentation order.
    const ALL: &'static [Self];

    /// The value's name.
    fn as_str(self) -> &'static str;

    /// The value with this name, if there is one.
    fn parse(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|v| v.as_str() == name)
    }
}

/// Implements [`Named`] and `Display` from one table of `Variant => "name"`.
#[macro_export]
macro_rules! named {
    ($ty:ty { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $crate::names::Named for $ty {
            const ALL: &'static [Self] = &[$(Self::$variant),+];
            fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::names::Named::as_str(*self))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::Named;
    use serde::Serialize;

    /// The names are the serde names, for every value of every named enumeration.
    fn agree<T: Named + Serialize + std::fmt::Debug>() {
        for v in T::ALL {
            let json = serde_json::to_value(v).unwrap();
            assert_eq!(json.as_str(), Some(v.as_str()), "{v:?}");
            assert_eq!(T::parse(v.as_str()).map(|p| p.as_str()), Some(v.as_str()));
        }
        assert!(T::parse("no-such-name").is_none());
    }

    #[test]
    fn names_are_the_serde_names() {
        use crate::*;
        agree::<goal::MetricKind>();
        agree::<goal::Direction>();
        agree::<goal::GoalStatus>();
        agree::<goal::ChangeKind>();
        agree::<goal::ChangeState>();
        agree::<partnership::PartnershipStatus>();
        agree::<partnership::PartnershipAction>();
        agree::<meeting::MeetingStatus>();
        agree::<meeting::CommitmentStatus>();
        agree::<progress::ProgressStatus>();
        agree::<agenda::Section>();
        agree::<webhook::EventType>();
        agree::<webhook::DeliveryStatus>();
        agree::<reading::RevisionAction>();
        agree::<token::Scope>();
        agree::<sync::ChangeEntity>();
        agree::<sync::ChangeOp>();
        agree::<kudos::KudosSubject>();
    }
}
