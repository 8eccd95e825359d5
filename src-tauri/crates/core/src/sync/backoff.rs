//! How long a job waits before its next attempt, and when it stops trying. Exponential backoff
//! with full jitter: the ceiling doubles from [`BASE`] with every attempt up to [`CAP`], and the
//! actual wait is drawn uniformly below it, so a burst of jobs that failed together (a 503 storm,
//! a locked row) does not come back together and fail again. After [`MAX_ATTEMPTS`] failures or
//! [`MAX_AGE`] in the queue a job needs attention instead: by then a person should look.
//!
//! The randomness is a parameter, not drawn here, so the worker injects it and tests pin it.

use std::time::Duration;

use time::OffsetDateTime;

/// The ceiling of the first retry's wait.
pub const BASE: Duration = Duration::from_secs(2);
/// No wait is longer than this, however many attempts failed.
pub const CAP: Duration = Duration::from_secs(15 * 60);
/// After this many failed attempts the job needs attention.
pub const MAX_ATTEMPTS: u32 = 20;
/// A job queued this long ago needs attention, whatever its attempts: a Lead days late is a
/// problem for sales to hear about, not something to keep quietly retrying.
pub const MAX_AGE: Duration = Duration::from_secs(72 * 60 * 60);

/// The ceiling of the wait after failed attempt `attempt` (counted from 1):
/// `min(CAP, BASE · 2^(attempt-1))`.
fn ceiling(attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1);
    // 2^doublings overflows a u32 from 32 on, and BASE·2^doublings passes CAP long before:
    // either overflow means "at the cap".
    1u32.checked_shl(doublings)
        .and_then(|factor| BASE.checked_mul(factor))
        .map_or(CAP, |d| d.min(CAP))
}

/// The wait before retrying after failed attempt `attempt` (counted from 1; 0 is taken as 1):
/// uniform in `[0, min(CAP, BASE · 2^(attempt-1))]` given `random` uniform in `[0, 1)`.
/// A `random` outside `[0, 1]` (or NaN) is clamped, so a faulty source cannot make the wait
/// negative or longer than the cap.
pub fn delay(attempt: u32, random: f64) -> Duration {
    let share = if random.is_nan() {
        0.0
    } else {
        random.clamp(0.0, 1.0)
    };
    ceiling(attempt).mul_f64(share)
}

/// Whether a job that has failed `attempts` times and was first queued at `queued_at` must stop
/// retrying now and need attention. A `queued_at` in the future (a clock set back) counts as
/// age zero rather than as exhausted.
pub fn exhausted(attempts: u32, queued_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    attempts >= MAX_ATTEMPTS || now - queued_at >= MAX_AGE
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use time::macros::datetime;

    /// Just below 1, the largest wait `random` in `[0,1)` can give.
    const ALMOST_ONE: f64 = 1.0 - f64::EPSILON;

    #[test]
    fn the_ceiling_doubles_from_two_seconds_to_fifteen_minutes() {
        let secs = |a| ceiling(a).as_secs();
        assert_eq!(secs(1), 2);
        assert_eq!(secs(2), 4);
        assert_eq!(secs(3), 8);
        assert_eq!(secs(9), 512);
        // 2 · 2^9 = 1024 s passes the 900 s cap.
        assert_eq!(secs(10), 900);
        assert_eq!(secs(MAX_ATTEMPTS), 900);
        assert_eq!(secs(33), 900);
        assert_eq!(secs(u32::MAX), 900);
        assert_eq!(secs(0), 2, "attempt 0 is taken as the first");
    }

    #[test]
    fn full_jitter_spans_zero_to_the_ceiling() {
        assert_eq!(delay(1, 0.0), Duration::ZERO);
        assert_eq!(delay(3, 0.5), Duration::from_secs(4));
        assert_eq!(delay(10, 0.5), Duration::from_millis(450_000));
        let top = delay(4, ALMOST_ONE);
        // The interval is closed: rounding may reach the ceiling itself, never pass it.
        assert!(top <= Duration::from_secs(16) && top > Duration::from_millis(15_999));
        for attempt in 1..=30 {
            for r in [0.0, 0.1, 0.37, 0.9, ALMOST_ONE] {
                let d = delay(attempt, r);
                assert!(d <= ceiling(attempt) && d <= CAP, "{attempt} {r}: {d:?}");
            }
        }
    }

    #[test]
    fn the_wait_grows_with_the_attempt_for_the_same_draw() {
        let waits: Vec<Duration> = (1..=12).map(|a| delay(a, 0.25)).collect();
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "{waits:?}");
        assert!(waits[0] < waits[8]);
    }

    #[test]
    fn a_faulty_random_source_is_clamped() {
        assert_eq!(delay(2, -3.0), Duration::ZERO);
        assert_eq!(delay(2, f64::NAN), Duration::ZERO);
        assert_eq!(delay(2, 7.0), Duration::from_secs(4));
        assert_eq!(delay(40, f64::INFINITY), CAP);
    }

    #[test]
    fn exhausted_after_twenty_attempts_or_three_days() {
        let queued = datetime!(2025-06-01 09:00 UTC);
        let soon = datetime!(2025-06-01 10:00 UTC);
        assert!(!exhausted(0, queued, soon));
        assert!(!exhausted(MAX_ATTEMPTS - 1, queued, soon));
        assert!(exhausted(MAX_ATTEMPTS, queued, soon));
        assert!(exhausted(MAX_ATTEMPTS + 5, queued, soon));
        let just_under = datetime!(2025-06-04 08:59:59 UTC);
        let at = datetime!(2025-06-04 09:00 UTC);
        assert!(!exhausted(1, queued, just_under));
        assert!(exhausted(1, queued, at));
        // Offsets do not fool the age: 18:00+09:00 is 09:00 UTC.
        assert!(exhausted(1, queued, datetime!(2025-06-04 18:00 +9)));
        // A clock set back leaves the job retrying.
        assert!(!exhausted(1, soon, queued));
    }
}
