//! Fit reviews: each partner's periodic answer to "does this pairing still work?", in rounds. A
//! round completes when both partners have answered; the next review falls due a fit-review
//! interval after the last completed round. Neither sees the other's answer until both are in.

use chrono::NaiveDate;

/// One answer as the rules need it.
pub trait Answer {
    /// The round it belongs to (from 1).
    fn round(&self) -> i32;
    /// Who gave it.
    fn author(&self) -> &str;
    /// The day it was given (partnership time zone).
    fn day(&self) -> NaiveDate;
}

/// A round and its answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Round<'a, A> {
    /// Its number.
    pub number: i32,
    /// The answers given, in order.
    pub answers: Vec<&'a A>,
    /// The day the second answer came in, once both have answered.
    pub completed_on: Option<NaiveDate>,
}

/// Groups answers (ordered by round) into rounds.
pub fn rounds<A: Answer>(answers: &[A]) -> Vec<Round<'_, A>> {
    let mut rounds: Vec<Round<'_, A>> = Vec::new();
    for a in answers {
        match rounds.last_mut() {
            Some(r) if r.number == a.round() => r.answers.push(a),
            _ => rounds.push(Round {
                number: a.round(),
                answers: vec![a],
                completed_on: None,
            }),
        }
    }
    for r in &mut rounds {
        if r.answers.len() >= 2 {
            r.completed_on = r.answers.iter().map(|a| a.day()).max();
        }
    }
    rounds
}

/// The day the last round completed, if any did.
pub fn last_completed<A>(rounds: &[Round<'_, A>]) -> Option<NaiveDate> {
    rounds.iter().rev().find_map(|r| r.completed_on)
}

/// The round a new answer goes into: the one after the last completed round.
pub fn open_round<A>(rounds: &[Round<'_, A>]) -> i32 {
    rounds
        .iter()
        .rev()
        .find(|r| r.completed_on.is_some())
        .map_or(1, |r| r.number + 1)
}

/// Whether `author` may see `answer` of `round`: their own always, the partner's once the round
/// is complete.
pub fn visible_to<A: Answer>(round: &Round<'_, A>, answer: &A, author: &str) -> bool {
    round.completed_on.is_some() || answer.author() == author
}

/// `author` already answered the open round.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("you have answered this round; it completes when your partner answers")]
pub struct AlreadyAnswered;

/// Whether `author` may answer now: once per round.
pub fn may_answer<A: Answer>(answers: &[A], author: &str) -> Result<i32, AlreadyAnswered> {
    let open = open_round(&rounds(answers));
    if answers
        .iter()
        .any(|a| a.round() == open && a.author() == author)
    {
        Err(AlreadyAnswered)
    } else {
        Ok(open)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct A(i32, &'static str, &'static str);
    impl Answer for A {
        fn round(&self) -> i32 {
            self.0
        }
        fn author(&self) -> &str {
            self.1
        }
        fn day(&self) -> NaiveDate {
            self.2.parse().unwrap()
        }
    }

    #[test]
    fn a_round_completes_when_both_answer_and_the_next_opens() {
        let answers = [A(1, "ada", "2026-03-01"), A(1, "grace", "2026-03-04")];
        let r = rounds(&answers);
        assert_eq!(r[0].completed_on, Some("2026-03-04".parse().unwrap()));
        assert_eq!(open_round(&r), 2);
        assert_eq!(may_answer(&answers, "ada"), Ok(2));
        let half = [A(1, "ada", "2026-03-01")];
        assert_eq!(may_answer(&half, "ada"), Err(AlreadyAnswered));
        assert_eq!(may_answer(&half, "grace"), Ok(1));
        let r = rounds(&half);
        assert!(visible_to(&r[0], &half[0], "ada"));
        assert!(!visible_to(&r[0], &half[0], "grace"));
        assert_eq!(last_completed(&r), None);
    }
}
