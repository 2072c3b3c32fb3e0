//! Grouping the files to upload into requests ("buckets"), as wrangler does: largest files
//! first, spread over at least [`BULK_UPLOAD_CONCURRENCY`] buckets so that small sites still
//! use parallel requests, each new file tried first in the bucket after the previous file's,
//! a new bucket when none has room.
//!
//! wrangler measures a bucket by the files' raw sizes (40 MiB); here a bucket is measured by
//! the size of the request body it becomes (base64 and JSON included), so that no upload
//! request is larger than 40 MiB.

/// wrangler's `MAX_BUCKET_SIZE`: 40 MiB per upload request.
pub(crate) const MAX_BUCKET_SIZE: u64 = 40 * 1024 * 1024;
/// wrangler's `MAX_BUCKET_FILE_COUNT`: 2,000 files per upload request.
pub(crate) const MAX_BUCKET_FILE_COUNT: usize = 2000;
/// wrangler's `BULK_UPLOAD_CONCURRENCY`: upload requests in flight at once.
pub(crate) const BULK_UPLOAD_CONCURRENCY: usize = 3;

/// One file to place: its index (in the caller's list) and its cost (bytes in the body).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Item {
    pub index: usize,
    pub cost: u64,
}

/// A group of files sent in one request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Bucket {
    /// Indices into the caller's list.
    pub files: Vec<usize>,
    /// The sum of the files' costs.
    pub cost: u64,
}

/// Places `items` into buckets of at most `max_cost` total cost and `max_files` files; an item
/// costlier than `max_cost` gets a bucket of its own. Empty buckets are dropped.
pub(crate) fn plan(
    mut items: Vec<Item>,
    max_cost: u64,
    max_files: usize,
    initial: usize,
) -> Vec<Bucket> {
    // Largest first; ties by index so the plan is deterministic.
    items.sort_by(|a, b| b.cost.cmp(&a.cost).then(a.index.cmp(&b.index)));
    let mut buckets: Vec<Bucket> = vec![Bucket::default(); initial.max(1)];
    for (offset, item) in items.into_iter().enumerate() {
        let len = buckets.len();
        let slot = (0..len).map(|i| (i + offset) % len).find(|&b| {
            let bucket = &buckets[b];
            bucket.cost + item.cost <= max_cost && bucket.files.len() < max_files
        });
        match slot {
            Some(b) => {
                buckets[b].files.push(item.index);
                buckets[b].cost += item.cost;
            }
            None => buckets.push(Bucket {
                files: vec![item.index],
                cost: item.cost,
            }),
        }
    }
    buckets.retain(|b| !b.files.is_empty());
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(costs: &[u64]) -> Vec<Item> {
        costs
            .iter()
            .enumerate()
            .map(|(index, &cost)| Item { index, cost })
            .collect()
    }

    #[test]
    fn respects_both_limits_and_places_everything() {
        let costs: Vec<u64> = (0..5000u64).map(|i| (i * 7919) % 50_000 + 100).collect();
        let buckets = plan(items(&costs), 10_000_000, 2000, 3);
        let mut seen: Vec<usize> = buckets.iter().flat_map(|b| b.files.clone()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..5000).collect::<Vec<_>>());
        for b in &buckets {
            assert!(b.files.len() <= 2000);
            assert!(b.cost <= 10_000_000);
            assert_eq!(b.cost, b.files.iter().map(|&i| costs[i]).sum::<u64>());
        }
    }

    #[test]
    fn spreads_small_sites_and_isolates_giants() {
        let buckets = plan(items(&[1, 1, 1, 1]), 100, 2000, 3);
        assert_eq!(buckets.len(), 3);
        let buckets = plan(items(&[500, 1]), 100, 2000, 3);
        assert_eq!(
            buckets,
            [
                Bucket {
                    files: vec![1],
                    cost: 1
                },
                Bucket {
                    files: vec![0],
                    cost: 500
                }
            ]
        );
        assert!(plan(Vec::new(), 100, 2000, 3).is_empty());
        // Largest first: the first bucket starts with the biggest file.
        let buckets = plan(items(&[1, 2, 90, 3]), 100, 2000, 1);
        assert_eq!(buckets[0].files[0], 2);
    }
}
