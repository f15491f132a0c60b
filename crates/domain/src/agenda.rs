//! The meeting agenda: for a meeting of L minutes, two equal review blocks (one per partner, 30
//! minutes each at L = 60) in the practice's section order, then confirming the next meeting.

use serde::{Deserialize, Serialize};

/// A part of a partner's review block, in the order the practice runs them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// Review the partner's scorecard: where each goal stands.
    ScorecardReview,
    /// Review the commitments made at the last meeting.
    LastCommitments,
    /// Celebrate wins.
    Wins,
    /// Discuss obstacles.
    Obstacles,
    /// Explore solutions.
    Solutions,
    /// Set next actions and update milestones.
    NextActions,
}

named!(Section {
    ScorecardReview => "scorecard_review",
    LastCommitments => "last_commitments",
    Wins => "wins",
    Obstacles => "obstacles",
    Solutions => "solutions",
    NextActions => "next_actions",
});

/// Sections of every partner block, in order.
pub const SECTIONS: [Section; 6] = [
    Section::ScorecardReview,
    Section::LastCommitments,
    Section::Wins,
    Section::Obstacles,
    Section::Solutions,
    Section::NextActions,
];

/// A time-boxed agenda item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TimeBox<T> {
    /// What happens.
    pub item: T,
    /// Minutes from the start of the meeting.
    pub starts_at_minute: u32,
    /// Minutes allotted.
    pub minutes: u32,
}

/// One partner's review block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PartnerBlock {
    /// 0 for the first partner, 1 for the second.
    pub partner_index: u8,
    /// Minutes from the start of the meeting.
    pub starts_at_minute: u32,
    /// Minutes allotted (equal for both partners).
    pub minutes: u32,
    /// The sections, time-boxed.
    pub sections: Vec<TimeBox<Section>>,
}

/// A meeting's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgendaPlan {
    /// Meeting length in minutes.
    pub length_minutes: u32,
    /// Two blocks, one per partner.
    pub blocks: Vec<PartnerBlock>,
    /// Confirming the next meeting: the minutes left after the two blocks (none at an even L, when
    /// it closes the second block).
    pub confirm_next_meeting: TimeBox<String>,
}

/// The agenda for a meeting of `length_minutes`: each partner gets `floor(L / 2)` minutes, split
/// across the six sections as evenly as whole minutes allow (earlier sections get the spare
/// minutes); the remainder closes the meeting.
pub fn agenda(length_minutes: u32) -> AgendaPlan {
    let block = length_minutes / 2;
    let blocks = (0..2u8)
        .map(|i| {
            let start = u32::from(i) * block;
            let per = block / SECTIONS.len() as u32;
            let spare = block % SECTIONS.len() as u32;
            let mut at = start;
            let sections = SECTIONS
                .iter()
                .enumerate()
                .map(|(k, s)| {
                    let minutes = per + u32::from((k as u32) < spare);
                    let tb = TimeBox {
                        item: *s,
                        starts_at_minute: at,
                        minutes,
                    };
                    at += minutes;
                    tb
                })
                .collect();
            PartnerBlock {
                partner_index: i,
                starts_at_minute: start,
                minutes: block,
                sections,
            }
        })
        .collect();
    AgendaPlan {
        length_minutes,
        blocks,
        confirm_next_meeting: TimeBox {
            item: "Confirm the next meeting".to_owned(),
            starts_at_minute: 2 * block,
            minutes: length_minutes - 2 * block,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_is_two_thirty_minute_blocks_then_the_closing_step() {
        let a = agenda(60);
        assert_eq!(a.blocks.len(), 2);
        assert!(a.blocks.iter().all(|b| b.minutes == 30));
        assert_eq!(a.blocks[1].starts_at_minute, 30);
        assert_eq!(a.confirm_next_meeting.starts_at_minute, 60);
        let order: Vec<Section> = a.blocks[0].sections.iter().map(|s| s.item).collect();
        assert_eq!(order, SECTIONS);
        assert!(a.blocks[0].sections.iter().all(|s| s.minutes == 5));
    }

    #[test]
    fn forty_five_minutes_gives_equal_blocks_that_fit() {
        let a = agenda(45);
        assert_eq!(a.blocks[0].minutes, a.blocks[1].minutes);
        let total: u32 =
            a.blocks.iter().map(|b| b.minutes).sum::<u32>() + a.confirm_next_meeting.minutes;
        assert_eq!(total, 45);
        for b in &a.blocks {
            let inner: u32 = b.sections.iter().map(|s| s.minutes).sum();
            assert_eq!(inner, b.minutes);
            let last = b.sections.last().unwrap();
            assert_eq!(
                last.starts_at_minute + last.minutes,
                b.starts_at_minute + b.minutes
            );
        }
    }
}
