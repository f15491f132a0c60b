//! Webhook rules: which events exist, how long a failing receiver is retried, and which network
//! addresses a subscription may point at.
//!
//! Pure: the API resolves names and sends requests; this module only judges.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use chrono::Duration;
use serde::{Deserialize, Serialize};

/// What a subscription can ask for. The names are the `type` of the delivered JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum EventType {
    /// A reading was recorded for a goal.
    #[serde(rename = "reading.recorded")]
    ReadingRecorded,
    /// A goal moved from one status to another (activation included).
    #[serde(rename = "goal.status_changed")]
    GoalStatusChanged,
    /// A goal became active: its baseline, target and dates are now committed.
    #[serde(rename = "goal.activated")]
    GoalActivated,
    /// A meeting was put on the calendar (by hand, or as the next one on completion).
    #[serde(rename = "meeting.scheduled")]
    MeetingScheduled,
    /// A meeting was held and its scorecard frozen.
    #[serde(rename = "meeting.completed")]
    MeetingCompleted,
    /// An open commitment reached its due date (in the partnership's time zone).
    #[serde(rename = "commitment.due")]
    CommitmentDue,
    /// The quarterly fit review became due.
    #[serde(rename = "fit_review.due")]
    FitReviewDue,
    /// The partnership's status or settings changed.
    #[serde(rename = "partnership.updated")]
    PartnershipUpdated,
    /// A scheduled meeting is coming up: its pre-read time (`TANDEM_PRE_READ_HOURS` before it)
    /// has come; sent once per meeting time.
    #[serde(rename = "meeting.upcoming")]
    MeetingUpcoming,
    /// A scheduled meeting was called off.
    #[serde(rename = "meeting.cancelled")]
    MeetingCancelled,
    /// The yearly goal refresh became due (in the partnership's time zone).
    #[serde(rename = "refresh.due")]
    RefreshDue,
    /// An active goal's next reading is overdue (once per due date).
    #[serde(rename = "reading.stale")]
    ReadingStale,
    /// A goal was achieved: a win for its owner's partner to celebrate.
    #[serde(rename = "goal.achieved")]
    GoalAchieved,
    /// A milestone was completed: a small win on the way.
    #[serde(rename = "milestone.completed")]
    MilestoneCompleted,
    /// The partner sent kudos on one of your wins.
    #[serde(rename = "kudos.received")]
    KudosReceived,
}

named!(EventType {
    ReadingRecorded => "reading.recorded",
    GoalStatusChanged => "goal.status_changed",
    GoalActivated => "goal.activated",
    MeetingScheduled => "meeting.scheduled",
    MeetingCompleted => "meeting.completed",
    CommitmentDue => "commitment.due",
    FitReviewDue => "fit_review.due",
    PartnershipUpdated => "partnership.updated",
    MeetingUpcoming => "meeting.upcoming",
    MeetingCancelled => "meeting.cancelled",
    RefreshDue => "refresh.due",
    ReadingStale => "reading.stale",
    GoalAchieved => "goal.achieved",
    MilestoneCompleted => "milestone.completed",
    KudosReceived => "kudos.received",
});

/// Where a delivery of an event to a subscription stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    /// Waiting for its first or next try.
    Pending,
    /// A try got a 2xx answer.
    Delivered,
    /// Every try failed; it is not tried again (redeliver to send the event anew).
    Failed,
}

named!(DeliveryStatus {
    Pending => "pending",
    Delivered => "delivered",
    Failed => "failed",
});

/// The headers every delivery carries.
pub mod headers {
    /// The event id (the body's `id`); the same on every try and redelivery.
    pub const ID: &str = "Tandem-Webhook-Id";
    /// When this try was signed, Unix seconds.
    pub const TIMESTAMP: &str = "Tandem-Webhook-Timestamp";
    /// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
    pub const SIGNATURE: &str = "Tandem-Signature";
    /// The event type.
    pub const EVENT: &str = "Tandem-Event-Type";
    /// This delivery (a redelivery has a new one).
    pub const DELIVERY: &str = "Tandem-Delivery-Id";
}

/// The type of the ping `POST /v1/webhooks/{id}/test` sends; not subscribable.
pub const TEST_EVENT: &str = "webhook.test";

/// How a failing delivery is retried: exponential backoff with jitter, for a bounded number of
/// tries. With the defaults (30 s doubling, capped at 6 h, 12 tries) a receiver that is down has
/// up to about 14 hours to come back before the delivery is marked failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure.
    pub base: Duration,
    /// No wait is longer than this.
    pub cap: Duration,
    /// Tries in all, the first included.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::seconds(30),
            cap: Duration::hours(6),
            max_attempts: 12,
        }
    }
}

impl RetryPolicy {
    /// The wait before the next try after `attempts_made` failed tries, or `None` when the
    /// delivery has had all its tries. `jitter` in `[0, 1)` spreads retries of many deliveries
    /// over the upper half of the backoff window, so receivers coming back are not stampeded.
    pub fn next_delay(&self, attempts_made: u32, jitter: f64) -> Option<Duration> {
        if attempts_made == 0 || attempts_made >= self.max_attempts {
            return None;
        }
        let doublings = (attempts_made - 1).min(30);
        let window = self
            .base
            .checked_mul(1_i32 << doublings)
            .map_or(self.cap, |d| d.min(self.cap));
        let jitter = jitter.clamp(0.0, 1.0);
        let millis = window.num_milliseconds() as f64 * (0.5 + jitter / 2.0);
        Some(Duration::milliseconds(millis.round() as i64))
    }

    /// The longest a delivery can stay pending: every wait at its maximum.
    pub fn longest_span(&self) -> Duration {
        (1..self.max_attempts)
            .filter_map(|n| self.next_delay(n, 1.0))
            .fold(Duration::zero(), |sum, d| sum + d)
    }
}

/// What kind of network an address belongs to, for deciding where webhooks may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Reachable on the public internet.
    Public,
    /// This machine (127.0.0.0/8, ::1).
    Loopback,
    /// A private network (10/8, 172.16/12, 192.168/16, 100.64/10 shared, fc00::/7).
    Private,
    /// Link-local, where cloud metadata services live (169.254/16, fe80::/10).
    LinkLocal,
    /// Not a destination at all: unspecified, multicast, broadcast, reserved, documentation.
    Reserved,
}

/// Classifies an address; IPv4-mapped and -compatible IPv6 addresses count as their IPv4 address.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_private() || (a == 100 && (64..128).contains(&b)) {
        AddressClass::Private
    } else if ip.is_link_local() {
        AddressClass::LinkLocal
    } else if ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0
        || a >= 240
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (18..20).contains(&b))
    {
        AddressClass::Reserved
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if first & 0xfe00 == 0xfc00 {
        AddressClass::Private
    } else if first & 0xffc0 == 0xfe80 {
        AddressClass::LinkLocal
    } else if ip.is_unspecified()
        || ip.is_multicast()
        || first == 0x2001 && ip.segments()[1] == 0x0db8
        || first & 0xe000 != 0x2000
    {
        // Outside 2000::/3 nothing is globally routed unicast.
        AddressClass::Reserved
    } else {
        AddressClass::Public
    }
}

/// Where webhooks may be sent, from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TargetPolicy {
    /// Plain `http://` targets are allowed (development only).
    pub allow_http: bool,
    /// Loopback, private and link-local addresses are allowed (development, private networks).
    pub allow_private: bool,
}

/// Why a target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetRefused {
    /// The scheme is not https (or http when allowed).
    #[error("the URL must use https")]
    Scheme,
    /// The address is on a network webhooks may not reach.
    #[error("{0} resolves to a {1} address, which webhooks may not reach")]
    Address(String, &'static str),
}

impl TargetPolicy {
    /// Judges the URL's scheme.
    pub fn check_scheme(&self, scheme: &str) -> Result<(), TargetRefused> {
        match scheme {
            "https" => Ok(()),
            "http" if self.allow_http => Ok(()),
            _ => Err(TargetRefused::Scheme),
        }
    }

    /// Judges one address a target host resolves to (every one of them must pass).
    pub fn check_address(&self, host: &str, ip: IpAddr) -> Result<(), TargetRefused> {
        let refused = |what| Err(TargetRefused::Address(host.to_owned(), what));
        match classify(ip) {
            AddressClass::Public => Ok(()),
            AddressClass::Reserved => refused("reserved"),
            _ if self.allow_private => Ok(()),
            AddressClass::Loopback => refused("loopback"),
            AddressClass::Private => refused("private"),
            AddressClass::LinkLocal => refused("link-local"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn addresses_are_classified_by_network() {
        for (text, class) in [
            ("127.0.0.1", AddressClass::Loopback),
            ("127.8.9.10", AddressClass::Loopback),
            ("::1", AddressClass::Loopback),
            ("::ffff:127.0.0.1", AddressClass::Loopback),
            ("10.1.2.3", AddressClass::Private),
            ("172.16.0.1", AddressClass::Private),
            ("172.31.255.255", AddressClass::Private),
            ("192.168.1.1", AddressClass::Private),
            ("100.64.0.1", AddressClass::Private),
            ("fd12:3456::1", AddressClass::Private),
            ("169.254.169.254", AddressClass::LinkLocal),
            ("fe80::1", AddressClass::LinkLocal),
            ("::ffff:169.254.169.254", AddressClass::LinkLocal),
            ("0.0.0.0", AddressClass::Reserved),
            ("::", AddressClass::Reserved),
            ("224.0.0.1", AddressClass::Reserved),
            ("255.255.255.255", AddressClass::Reserved),
            ("192.0.2.1", AddressClass::Reserved),
            ("2001:db8::1", AddressClass::Reserved),
            ("8.8.8.8", AddressClass::Public),
            ("172.32.0.1", AddressClass::Public),
            ("100.128.0.1", AddressClass::Public),
            ("2606:4700::1111", AddressClass::Public),
        ] {
            assert_eq!(classify(ip(text)), class, "{text}");
        }
    }

    #[test]
    fn private_targets_need_configuration_reserved_ones_never_pass() {
        let strict = TargetPolicy::default();
        let open = TargetPolicy {
            allow_http: true,
            allow_private: true,
        };
        assert!(strict.check_address("h", ip("127.0.0.1")).is_err());
        assert!(strict.check_address("h", ip("169.254.169.254")).is_err());
        assert!(strict.check_address("h", ip("8.8.8.8")).is_ok());
        assert!(open.check_address("h", ip("127.0.0.1")).is_ok());
        assert!(open.check_address("h", ip("0.0.0.0")).is_err());
        assert_eq!(strict.check_scheme("http"), Err(TargetRefused::Scheme));
        assert!(open.check_scheme("http").is_ok());
        assert!(open.check_scheme("ftp").is_err());
        assert!(strict.check_scheme("https").is_ok());
    }

    #[test]
    fn retries_back_off_exponentially_up_to_the_cap_and_stop() {
        let policy = RetryPolicy::default();
        assert_eq!(policy.next_delay(0, 0.0), None);
        assert_eq!(policy.next_delay(1, 1.0), Some(Duration::seconds(30)));
        assert_eq!(policy.next_delay(1, 0.0), Some(Duration::seconds(15)));
        assert_eq!(policy.next_delay(2, 1.0), Some(Duration::seconds(60)));
        assert_eq!(policy.next_delay(5, 1.0), Some(Duration::minutes(8)));
        assert_eq!(policy.next_delay(11, 1.0), Some(Duration::hours(6)));
        assert_eq!(policy.next_delay(12, 0.5), None);
        // 30 s · (2^0 + … + 2^9) = 30,690 s, then 6 h once: about 14.5 hours in all.
        assert_eq!(
            policy.longest_span(),
            Duration::seconds(30_690) + Duration::hours(6)
        );
    }
}
