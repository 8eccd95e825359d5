//! Which due jobs travel together. One sObject Collections request carries records of one
//! object with one set of headers (`Sforce-Auto-Assign`) and one verb (create or upsert on one
//! external-id field), so jobs are grouped by their integration's (object, auto-assign, mode) and
//! cut at Salesforce's 200 records a request. Order is kept: requests come out in the order of
//! their oldest job and jobs keep their order inside a request, so the oldest booking is pushed
//! first and results map back by position.

use std::time::Duration;

/// Salesforce's limit of records in one sObject Collections request.
pub const COLLECTION_LIMIT: usize = 200;

/// Groups `items` into requests of at most `limit` items with equal `key`. A request is opened
/// by the first item of its key that finds no open request of that key with room; requests come
/// out in the order they were opened. `limit` is kept within `1..=COLLECTION_LIMIT`: zero would
/// never fill, and more than 200 Salesforce refuses whole.
pub fn batches<T, K: Eq + Clone>(
    items: Vec<T>,
    key: impl Fn(&T) -> K,
    limit: usize,
) -> Vec<(K, Vec<T>)> {
    let limit = limit.clamp(1, COLLECTION_LIMIT);
    let mut out: Vec<(K, Vec<T>)> = Vec::new();
    // For each key, the index in `out` of its request still being filled. A linear scan: a
    // queue holds a handful of integrations, not thousands.
    let mut open: Vec<(K, usize)> = Vec::new();
    for item in items {
        let k = key(&item);
        let slot = open.iter().position(|(ok, _)| *ok == k);
        let room = slot.and_then(|s| {
            let i = open[s].1;
            (out[i].1.len() < limit).then_some(i)
        });
        match room {
            Some(i) => out[i].1.push(item),
            None => {
                out.push((k.clone(), vec![item]));
                let i = out.len() - 1;
                match slot {
                    Some(s) => open[s].1 = i,
                    None => open.push((k, i)),
                }
            }
        }
    }
    out
}

/// The ideal wall time of pushing `n` records: `ceil(n / 200) · latency / concurrency`, the
/// issue's benchmark yardstick (every request full, every worker slot busy, no overhead).
/// A concurrency of 0 is taken as 1; a result too large for a `Duration` saturates.
pub fn ideal(n: usize, latency: Duration, concurrency: usize) -> Duration {
    const NANOS_PER_SEC: u128 = 1_000_000_000;
    // In u128 nanoseconds the product cannot lose precision and overflow is checked.
    let requests = n.div_ceil(COLLECTION_LIMIT) as u128;
    let concurrency = concurrency.max(1) as u128;
    let total = latency
        .as_nanos()
        .checked_mul(requests)
        .map(|t| t / concurrency);
    total
        .and_then(|t| {
            let secs = u64::try_from(t / NANOS_PER_SEC).ok()?;
            let nanos = u32::try_from(t % NANOS_PER_SEC).ok()?;
            Some(Duration::new(secs, nanos))
        })
        .unwrap_or(Duration::MAX)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// An integration's (object, auto-assign, upsert field): what must match to share a request.
    type Integration = (&'static str, bool, Option<&'static str>);

    /// A due job: its id and its integration.
    #[derive(Debug, Clone, PartialEq)]
    struct Job {
        id: u32,
        integration: Integration,
    }

    const CREATE: Integration = ("Lead", true, None);
    const UPSERT: Integration = ("Lead", true, Some("Booking_Id__c"));
    const NO_ASSIGN: Integration = ("Lead", false, None);

    fn jobs(spec: &[(u32, Integration)]) -> Vec<Job> {
        spec.iter()
            .map(|&(id, integration)| Job { id, integration })
            .collect()
    }

    fn ids(b: &[(impl Clone, Vec<Job>)]) -> Vec<Vec<u32>> {
        b.iter()
            .map(|(_, js)| js.iter().map(|j| j.id).collect())
            .collect()
    }

    #[test]
    fn groups_by_integration_keeping_job_order() {
        let due = jobs(&[
            (1, CREATE),
            (2, UPSERT),
            (3, CREATE),
            (4, NO_ASSIGN),
            (5, UPSERT),
            (6, CREATE),
        ]);
        let b = batches(due, |j| j.integration, COLLECTION_LIMIT);
        assert_eq!(ids(&b), [vec![1, 3, 6], vec![2, 5], vec![4]]);
        assert_eq!(b[0].0, CREATE);
        assert_eq!(b[1].0, UPSERT);
        assert_eq!(b[2].0, NO_ASSIGN);
    }

    #[test]
    fn cuts_at_two_hundred_and_orders_requests_by_their_oldest_job() {
        let mut due: Vec<Job> = (1..=250)
            .map(|id| Job {
                id,
                integration: CREATE,
            })
            .collect();
        due.insert(
            100,
            Job {
                id: 1000,
                integration: UPSERT,
            },
        );
        let b = batches(due, |j| j.integration, COLLECTION_LIMIT);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].1.len(), 200);
        assert_eq!(b[0].1.first().map(|j| j.id), Some(1));
        assert_eq!(b[0].1.last().map(|j| j.id), Some(200));
        assert_eq!(ids(&b)[1], [1000]);
        assert_eq!(b[2].0, CREATE);
        assert_eq!(b[2].1.len(), 50);
        assert_eq!(b[2].1.first().map(|j| j.id), Some(201));
        assert!(b.iter().all(|(_, js)| js.len() <= COLLECTION_LIMIT));
    }

    #[test]
    fn exactly_full_requests_open_no_empty_one() {
        let due: Vec<u32> = (0..400).collect();
        let b = batches(due, |_| (), COLLECTION_LIMIT);
        assert_eq!(
            b.iter().map(|(_, v)| v.len()).collect::<Vec<_>>(),
            [200, 200]
        );
        assert!(batches(Vec::<u32>::new(), |_| (), 200).is_empty());
    }

    #[test]
    fn the_limit_is_kept_within_one_and_two_hundred() {
        let b = batches(vec![1, 2, 3], |_| 0, 0);
        assert_eq!(b.len(), 3, "limit 0 is taken as 1");
        let b = batches((0..450).collect::<Vec<u32>>(), |_| 0, 1_000);
        assert_eq!(
            b.iter().map(|(_, v)| v.len()).collect::<Vec<_>>(),
            [200, 200, 50]
        );
        let b = batches((0..7).collect::<Vec<u32>>(), |i| i % 2, 2);
        assert_eq!(
            b,
            [
                (0, vec![0, 2]),
                (1, vec![1, 3]),
                (0, vec![4, 6]),
                (1, vec![5]),
            ]
        );
    }

    #[test]
    fn ideal_is_full_requests_over_the_workers() {
        let ms = Duration::from_millis;
        // The benchmark: 10,000 records, 100 ms, 4 workers → 50 requests → 1.25 s.
        assert_eq!(ideal(10_000, ms(100), 4), ms(1_250));
        assert_eq!(ideal(10_001, ms(100), 4), ms(1_275));
        assert_eq!(ideal(1, ms(100), 1), ms(100));
        assert_eq!(ideal(200, ms(100), 1), ms(100));
        assert_eq!(ideal(201, ms(100), 1), ms(200));
        assert_eq!(ideal(0, ms(100), 4), Duration::ZERO);
        assert_eq!(ideal(400, ms(100), 0), ms(200), "0 workers is taken as 1");
        assert_eq!(ideal(usize::MAX, Duration::MAX, 1), Duration::MAX);
    }
}
