//! Domain enumerations on text columns: read back as the domain's own types (`FromSql`), written
//! and compared through their stable names ([`Name`], [`MaybeName`]). One table of names per
//! enumeration, in the domain ([`tandem_domain::names`]); nothing here spells a status.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, Queryable};
use diesel::expression::AsExpression;
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::{Nullable, Text};
use tandem_domain::names::Named;

use crate::backend::MultiBackend;

/// A domain value's stored name, for writing and filtering:
/// `goals::status.eq(Name::of(GoalStatus::Active))`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression)]
#[diesel(sql_type = Text)]
pub struct Name(pub &'static str);

impl Name {
    /// The name of `value`.
    pub fn of<T: Named>(value: T) -> Name {
        Name(value.as_str())
    }
}

// For every backend (the multi-backend connection hands values to SQLite's or PostgreSQL's).
impl<DB: Backend> ToSql<Text, DB> for Name
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        <str as ToSql<Text, DB>>::to_sql(self.0, out)
    }
}

/// An optional domain value's stored name (NULL for none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression)]
#[diesel(sql_type = Nullable<Text>)]
pub struct MaybeName(pub Option<&'static str>);

impl<DB: Backend> ToSql<Nullable<Text>, DB> for MaybeName
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        match self.0 {
            Some(name) => <str as ToSql<Text, DB>>::to_sql(name, out),
            None => Ok(IsNull::Yes),
        }
    }
}

/// Reads a stored name; a name this version does not know is a corrupt row, reported as such.
fn parse<T: Named>(
    bytes: <MultiBackend as Backend>::RawValue<'_>,
    what: &str,
) -> deserialize::Result<T> {
    let name = <String as FromSql<Text, MultiBackend>>::from_sql(bytes)?;
    T::parse(&name).ok_or_else(|| format!("unknown {what} {name:?} in the database").into())
}

macro_rules! stored {
    ($($ty:ty),+ $(,)?) => {$(
        impl FromSql<Text, MultiBackend> for $ty {
            fn from_sql(bytes: <MultiBackend as Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                parse(bytes, stringify!($ty))
            }
        }
        impl Queryable<Text, MultiBackend> for $ty {
            type Row = Self;
            fn build(row: Self) -> deserialize::Result<Self> {
                Ok(row)
            }
        }
        impl From<$ty> for Name {
            fn from(value: $ty) -> Name {
                Name(value.as_str())
            }
        }
        impl From<Option<$ty>> for MaybeName {
            fn from(value: Option<$ty>) -> MaybeName {
                MaybeName(value.map(Named::as_str))
            }
        }
    )+};
}

stored!(
    tandem_domain::goal::GoalStatus,
    tandem_domain::goal::Direction,
    tandem_domain::goal::MetricKind,
    tandem_domain::goal::ChangeKind,
    tandem_domain::goal::ChangeState,
    tandem_domain::partnership::PartnershipStatus,
    tandem_domain::meeting::MeetingStatus,
    tandem_domain::meeting::CommitmentStatus,
    tandem_domain::reading::RevisionAction,
    tandem_domain::webhook::DeliveryStatus,
    tandem_domain::email::EmailKind,
    tandem_domain::email::EmailStatus,
    tandem_domain::webhook::EventType,
    tandem_domain::sync::ChangeEntity,
    tandem_domain::sync::ChangeOp,
    tandem_domain::kudos::KudosSubject,
);
