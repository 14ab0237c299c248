//! Domain and local-part classification: disposable and free providers, role accounts, typos.
//!
//! The two provider lists are embedded as one sorted, newline-separated string each. On first use
//! an index of line starts (`u32` per domain: 648 KB for the disposable list, 19 KB for the free
//! list) and a table of where each two-character prefix begins (6 KB per list) is built once; a
//! lookup is a binary search inside its prefix bucket, about 7 short comparisons. The domain text
//! itself is never copied to the heap.

use std::sync::OnceLock;

/// Characters a listed domain can hold, in byte order, plus "end of string" first.
const SYMBOLS: usize = 39;
/// Buckets keyed by the first two characters.
const BUCKETS: usize = SYMBOLS * SYMBOLS;

/// Rank of a domain character in byte order (`-` < `.` < digits < letters); 0 is "no character".
fn symbol(b: Option<&u8>) -> Option<usize> {
    match b {
        None => Some(0),
        Some(b'-') => Some(1),
        Some(b'.') => Some(2),
        Some(&d @ b'0'..=b'9') => Some(3 + usize::from(d - b'0')),
        Some(&l @ b'a'..=b'z') => Some(13 + usize::from(l - b'a')),
        Some(_) => None,
    }
}

/// The bucket of a domain: its first two characters. Sorting by bytes keeps buckets contiguous.
fn bucket(s: &[u8]) -> Option<usize> {
    Some(symbol(s.first())? * SYMBOLS + symbol(s.get(1))?)
}

/// Line starts, and for each two-character bucket the index of its first line.
struct Index {
    starts: Box<[u32]>,
    buckets: Box<[u32]>,
}

/// A sorted, newline-separated list embedded in the binary, with a lazily built index.
pub(crate) struct List {
    text: &'static str,
    index: OnceLock<Index>,
}

impl List {
    const fn new(text: &'static str) -> Self {
        Self {
            text,
            index: OnceLock::new(),
        }
    }

    fn index(&self) -> &Index {
        self.index.get_or_init(|| {
            let bytes = self.text.as_bytes();
            let mut starts = Vec::with_capacity(bytes.len() / 12);
            // buckets[k] = first line whose bucket is >= k; filled as the sorted lines go by.
            let mut buckets = vec![0u32; BUCKETS + 1];
            let mut next_bucket = 0usize;
            let mut pos = 0usize;
            for line in self.text.split_terminator('\n') {
                // Lines outside the domain alphabet cannot be looked up; a test keeps them out.
                let k = bucket(line.as_bytes()).unwrap_or(BUCKETS - 1);
                let n = starts.len() as u32;
                while next_bucket <= k {
                    buckets[next_bucket] = n;
                    next_bucket += 1;
                }
                // The lists are a few MB, far below u32::MAX (checked by a test).
                starts.push(pos as u32);
                pos += line.len() + 1;
            }
            let n = starts.len() as u32;
            for b in &mut buckets[next_bucket..] {
                *b = n;
            }
            debug_assert!(pos >= bytes.len());
            Index {
                starts: starts.into_boxed_slice(),
                buckets: buckets.into_boxed_slice(),
            }
        })
    }

    /// Line `i`, without its newline.
    fn line(&self, starts: &[u32], i: usize) -> &'static [u8] {
        let bytes = self.text.as_bytes();
        let start = starts[i] as usize;
        let end = starts.get(i + 1).map_or(bytes.len(), |&next| next as usize);
        let line = &bytes[start..end];
        line.strip_suffix(b"\n").unwrap_or(line)
    }

    /// Whether `key` is one of the lines.
    pub(crate) fn contains(&self, key: &str) -> bool {
        let index = self.index();
        let Some(k) = bucket(key.as_bytes()) else {
            return false;
        };
        // Binary search only inside the key's two-character bucket (about 100 lines, 7 probes).
        let (mut lo, mut hi) = (index.buckets[k] as usize, index.buckets[k + 1] as usize);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.line(&index.starts, mid).cmp(key.as_bytes()) {
                std::cmp::Ordering::Equal => return true,
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
            }
        }
        false
    }

    /// Heap bytes used by the index (0 before first use).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.index.get().map_or(0, |i| {
            std::mem::size_of_val::<[u32]>(&i.starts) + std::mem::size_of_val::<[u32]>(&i.buckets)
        })
    }

    /// Number of domains.
    pub(crate) fn len(&self) -> usize {
        self.index().starts.len()
    }
}

/// Lower-case ASCII domains, sorted by bytes, one per line (see `data/email/` and `NOTICE.email`).
pub(crate) static DISPOSABLE: List =
    List::new(include_str!("../../data/email/disposable-domains.txt"));
/// Free mail providers that are not disposable (`HubSpot`'s list minus the disposable union).
pub(crate) static FREE: List = List::new(include_str!("../../data/email/free-domains.txt"));

/// Domains of large providers whose typos are worth a suggestion. Providers whose name is three
/// letters or fewer (qq, aol, gmx) are left out: a one-letter slip from them is usually another
/// real domain.
const TYPO_TARGETS: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "ymail.com",
    "hotmail.com",
    "hotmail.co.uk",
    "hotmail.fr",
    "outlook.com",
    "live.com",
    "icloud.com",
    "protonmail.com",
    "proton.me",
    "yandex.ru",
    "comcast.net",
    "verizon.net",
    "rocketmail.com",
];

/// Local parts that name a function or a system mailbox rather than a person (RFC 2142 names plus
/// the common business and automation ones). Compared lower-case, without a `+tag`. Sorted by
/// bytes for binary search (checked by a test).
const ROLES: &[&str] = &[
    "abuse",
    "accounting",
    "accounts",
    "admin",
    "administrator",
    "billing",
    "careers",
    "compliance",
    "contact",
    "devnull",
    "dns",
    "do-not-reply",
    "donotreply",
    "enquiries",
    "feedback",
    "ftp",
    "help",
    "hostmaster",
    "hr",
    "info",
    "inquiries",
    "jobs",
    "list",
    "list-request",
    "mailer-daemon",
    "marketing",
    "media",
    "news",
    "no-reply",
    "noc",
    "noreply",
    "notifications",
    "null",
    "office",
    "postmaster",
    "press",
    "privacy",
    "root",
    "sales",
    "security",
    "support",
    "sysadmin",
    "team",
    "webmaster",
    "www",
];

/// Which provider list, if any, claims a domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Provider {
    /// Listed (or under a listed domain) as disposable.
    Disposable,
    /// Listed (or under a listed domain) as a free mail provider.
    Free,
    /// Neither list claims it.
    Unknown,
}

/// Whether `name` is itself a public suffix in the ICANN section of the PSL, or a bare unknown
/// TLD. The private section (`ddns.net`, `github.io`, ...) is deliberately not a boundary: those
/// are shared services, which is exactly where throwaway mail domains live, and the lists name
/// some of them.
fn is_icann_suffix(name: &str) -> bool {
    let Some(suffix) = psl::suffix(name.as_bytes()) else {
        return true;
    };
    suffix.as_bytes().len() == name.len()
        && (!suffix.is_known() || suffix.typ() == Some(psl::Type::Icann))
}

/// Looks the domain up, then each parent, stopping before a public suffix: `co.uk` or `com` name
/// no provider, while any subdomain of a listed domain inherits its listing (disposable services
/// hand out random subdomains, em-060). The most specific listing wins, so an address provider
/// that the free list names under a parent that the disposable lists name stays free.
pub(crate) fn provider(domain: &str) -> Provider {
    let mut candidate = domain;
    loop {
        if is_icann_suffix(candidate) {
            return Provider::Unknown;
        }
        if DISPOSABLE.contains(candidate) {
            return Provider::Disposable;
        }
        if FREE.contains(candidate) {
            return Provider::Free;
        }
        match candidate.split_once('.') {
            Some((_, parent)) => candidate = parent,
            None => return Provider::Unknown,
        }
    }
}

/// Length of the longest entry of [`ROLES`].
const LONGEST: usize = 13;

/// Whether the local part names a role mailbox.
pub(crate) fn is_role(local: &str) -> bool {
    let base = local.split_once('+').map_or(local, |(b, _)| b);
    // The longest role name has 13 characters; most local parts are ruled out here.
    if base.len() > LONGEST {
        return false;
    }
    let mut lower = [0u8; LONGEST];
    let lower = &mut lower[..base.len()];
    lower.copy_from_slice(base.as_bytes());
    lower.make_ascii_lowercase();
    ROLES.binary_search_by(|r| r.as_bytes().cmp(lower)).is_ok()
}

/// The provider domain that `domain` is probably a typo of, if any.
pub(crate) fn suggest(domain: &str) -> Option<&'static str> {
    // Long domains are never near a short target; this also bounds the distance work.
    if domain.len() > 32 || TYPO_TARGETS.contains(&domain) {
        return None;
    }
    let mask = char_set(domain.as_bytes());
    let mut best: Option<(usize, &'static str)> = None;
    for (&target, &target_mask) in TYPO_TARGETS.iter().zip(&TARGET_SETS) {
        // One edit on short names, two on longer ones: `gmial.com` is 1, `hotmial.co` is 2.
        let bound: u32 = if target.len() <= 9 { 1 } else { 2 };
        // Each edit brings in or removes at most one distinct character, so strings whose
        // character sets differ by more than `bound` on either side cannot be within reach. This
        // rejects almost every unrelated domain before the distance table is filled.
        if (mask & !target_mask).count_ones() > bound || (target_mask & !mask).count_ones() > bound
        {
            continue;
        }
        if let Some(d) = bounded_distance(domain.as_bytes(), target.as_bytes(), bound as usize) {
            if best.is_none_or(|(b, _)| d < b) {
                best = Some((d, target));
            }
        }
    }
    best.map(|(_, t)| t)
}

/// The set of characters in `s`, as bits: letters, digits, and one shared bit for anything else.
const fn char_set(s: &[u8]) -> u64 {
    let mut m = 0u64;
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        let bit = match b {
            b'a'..=b'z' => b - b'a',
            b'0'..=b'9' => 26 + (b - b'0'),
            b'.' => 36,
            b'-' => 37,
            _ => 38,
        };
        m |= 1u64 << bit;
        i += 1;
    }
    m
}

/// `char_set` of each typo target, computed at compile time.
const TARGET_SETS: [u64; TYPO_TARGETS.len()] = {
    let mut out = [0u64; TYPO_TARGETS.len()];
    let mut i = 0;
    while i < out.len() {
        out[i] = char_set(TYPO_TARGETS[i].as_bytes());
        i += 1;
    }
    out
};

/// Optimal-string-alignment distance (insert, delete, substitute, swap neighbours) if it is at most
/// `bound`.
fn bounded_distance(a: &[u8], b: &[u8], bound: usize) -> Option<usize> {
    /// Longest string compared; `suggest` never passes longer ones, so rows fit on the stack.
    const MAX: usize = 32;
    if a.len().abs_diff(b.len()) > bound || a.len() > MAX || b.len() > MAX {
        return None;
    }
    // Three rolling rows: the swap rule looks two rows back.
    let width = b.len() + 1;
    // Distances never exceed MAX, so bytes suffice and the rows stay cheap to rotate.
    let mut prev2 = [0u8; MAX + 1];
    let mut prev = [0u8; MAX + 1];
    let mut cur = [0u8; MAX + 1];
    for (j, cell) in (0u8..).zip(prev.iter_mut().take(width)) {
        *cell = j;
    }
    let bound = bound.min(MAX) as u8;
    for (i, row_label) in (1..=a.len()).zip(1u8..) {
        cur[0] = row_label;
        let mut row_min = cur[0];
        for j in 1..width {
            let cost = u8::from(a[i - 1] != b[j - 1]);
            let mut v = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                v = v.min(prev2[j - 2] + 1);
            }
            cur[j] = v;
            row_min = row_min.min(v);
        }
        // Every later row is at least this row's minimum: stop as soon as the bound is exceeded.
        if row_min > bound {
            return None;
        }
        prev2 = prev;
        prev = cur;
    }
    Some(prev[b.len()]).filter(|&d| d <= bound).map(usize::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_first_middle_and_last_lines_only_whole() {
        let list = List::new("a.com\nb.org\nc.net\n");
        for k in ["a.com", "b.org", "c.net"] {
            assert!(list.contains(k), "{k}");
        }
        for k in ["", "a", "a.co", "a.comm", "b.org\nc.net", "z.com", "0.com"] {
            assert!(!list.contains(k), "{k:?}");
        }
        assert_eq!(list.len(), 3);
        assert!(List::new("x.com").contains("x.com"));
        assert!(!List::new("").contains("x.com"));
        assert_eq!(List::new("").len(), 0);
    }

    #[test]
    fn embedded_lists_are_sorted_unique_lowercase_ascii() {
        for list in [&DISPOSABLE, &FREE] {
            assert!(u32::try_from(list.text.len()).is_ok());
            let lines: Vec<&str> = list.text.split_terminator('\n').collect();
            assert_eq!(lines.len(), list.len());
            assert!(lines.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
            assert!(lines.iter().all(|l| !l.is_empty()
                && l.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'-'
                    || b == b'.')));
        }
    }

    #[test]
    fn roles_are_sorted_lowercase_and_fit_the_length_cut() {
        assert!(ROLES.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
        assert!(ROLES
            .iter()
            .all(|r| r.len() <= 13 && !r.bytes().any(|b| b.is_ascii_uppercase())));
        assert!(is_role("NoReply+x") && is_role("no-reply") && is_role("administrator"));
        assert!(!is_role("administrators") && !is_role("") && !is_role("jane"));
    }

    #[test]
    fn distance_counts_swaps_as_one_edit() {
        assert_eq!(bounded_distance(b"gmial.com", b"gmail.com", 1), Some(1));
        assert_eq!(bounded_distance(b"gmail.com", b"gmail.com", 1), Some(0));
        assert_eq!(bounded_distance(b"gnail.con", b"gmail.com", 1), None);
        assert_eq!(bounded_distance(b"hotmial.co", b"hotmail.com", 2), Some(2));
        assert_eq!(bounded_distance(b"example.org", b"gmail.com", 2), None);
    }

    #[test]
    fn character_set_filter_never_drops_a_reachable_typo() {
        // Everything within one edit of gmail.com must pass the set filter.
        let target = b"gmail.com";
        let alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789.-";
        let t = char_set(target);
        let mut variants: Vec<Vec<u8>> = Vec::new();
        for i in 0..=target.len() {
            for &c in alphabet {
                let mut ins = target.to_vec();
                ins.insert(i, c);
                variants.push(ins);
                if i < target.len() {
                    let mut sub = target.to_vec();
                    sub[i] = c;
                    variants.push(sub);
                }
            }
            if i < target.len() {
                let mut del = target.to_vec();
                del.remove(i);
                variants.push(del);
            }
            if i + 1 < target.len() {
                let mut swap = target.to_vec();
                swap.swap(i, i + 1);
                variants.push(swap);
            }
        }
        for v in variants {
            let m = char_set(&v);
            assert!(
                (m & !t).count_ones() <= 1 && (t & !m).count_ones() <= 1,
                "{}",
                String::from_utf8_lossy(&v)
            );
            assert!(bounded_distance(&v, target, 1).is_some());
        }
    }
}
