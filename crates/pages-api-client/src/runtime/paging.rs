//! Lazily walking paged list operations.

use std::future::Future;

use futures_core::Stream;
use pages_api_types::{Envelope, ResultInfo};

use super::error::Error;

/// Streams the items of a paged list operation, fetching one page at a time as the stream is
/// polled, starting at `first_page`.
///
/// `fetch(page)` returns that page's envelope. The stream ends after the last page, as the
/// `result_info` tells it (`page >= total_pages`, `page * per_page >= total_count`, or
/// `count < per_page`), on an empty page, and after a page without any `result_info` (the
/// operation is then not paged). An error is yielded once and ends the stream.
///
/// The stream is not `Unpin`: pin it (`std::pin::pin!`) before calling `next()`.
///
/// ```
/// use futures_util::StreamExt as _;
/// use pages_api_client::{Envelope, ResultInfo, paginate};
///
/// # block_on(async {
/// let pages = paginate(1, |page| async move {
///     let mut envelope = Envelope::new(vec![page * 10, page * 10 + 1]);
///     envelope.result_info = Some(ResultInfo {
///         page: Some(page), per_page: Some(2), total_pages: Some(2), ..Default::default()
///     });
///     Ok(envelope)
/// });
/// let items: Vec<u32> = pages.map(Result::unwrap).collect().await;
/// assert_eq!(items, [10, 11, 20, 21]);
/// # });
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let waker = std::task::Waker::noop();
/// #     let mut cx = std::task::Context::from_waker(&waker);
/// #     let mut f = std::pin::pin!(f);
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// ```
pub fn paginate<T, F, Fut>(first_page: u32, fetch: F) -> impl Stream<Item = Result<T, Error>>
where
    F: FnMut(u32) -> Fut,
    Fut: Future<Output = Result<Envelope<Vec<T>>, Error>>,
{
    let state = State {
        fetch,
        next_page: Some(first_page),
        items: Vec::new().into_iter(),
    };
    futures_util::stream::unfold(state, |mut state| async move {
        loop {
            if let Some(item) = state.items.next() {
                return Some((Ok(item), state));
            }
            let page = state.next_page.take()?;
            match (state.fetch)(page).await {
                Err(error) => return Some((Err(error), state)),
                Ok(envelope) => {
                    let (items, info) = envelope.into_parts();
                    let items = items.unwrap_or_default();
                    if items.is_empty() {
                        return None;
                    }
                    state.next_page = next_page(page, items.len(), info);
                    state.items = items.into_iter();
                }
            }
        }
    })
}

struct State<T, F> {
    fetch: F,
    next_page: Option<u32>,
    items: std::vec::IntoIter<T>,
}

/// The page after `requested`, or `None` when `requested` was the last.
fn next_page(requested: u32, received: usize, info: Option<ResultInfo>) -> Option<u32> {
    let info = info?;
    let page = info.page.unwrap_or(requested);
    let per_page = info.per_page.map(u64::from);
    let count = info
        .count
        .map(u64::from)
        .unwrap_or(u64::try_from(received).unwrap_or(u64::MAX));
    if info.total_pages.is_some_and(|total| page >= total) {
        return None;
    }
    if let (Some(per_page), Some(total)) = (per_page, info.total_count)
        && u64::from(page).saturating_mul(per_page) >= u64::from(total)
    {
        return None;
    }
    if per_page.is_some_and(|per_page| count < per_page) {
        return None;
    }
    page.max(requested).checked_add(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(page: u32, per_page: u32, count: u32) -> ResultInfo {
        ResultInfo {
            page: Some(page),
            per_page: Some(per_page),
            count: Some(count),
            ..ResultInfo::default()
        }
    }

    #[test]
    fn last_page_rules() {
        assert_eq!(next_page(1, 2, None), None);
        assert_eq!(next_page(1, 2, Some(info(1, 2, 2))), Some(2));
        assert_eq!(next_page(1, 1, Some(info(1, 2, 1))), None);
        let mut i = info(3, 2, 2);
        i.total_pages = Some(3);
        assert_eq!(next_page(3, 2, Some(i)), None);
        let mut i = info(2, 2, 2);
        i.total_count = Some(4);
        assert_eq!(next_page(2, 2, Some(i)), None);
        i.total_count = Some(5);
        assert_eq!(next_page(2, 2, Some(i)), Some(3));
        assert_eq!(next_page(u32::MAX, 2, Some(info(u32::MAX, 2, 2))), None);
    }
}
