//! Domain and local-part classification: disposable and free providers, role accounts, typos.
//!
//! The two provider lists are embedded as one sorted, newline-separated string each and searched
//! in place: no start-up parsing and no heap. A binary search over the bytes lands in the middle of
//! some line, steps back to its start and compares the whole line, so every probe drops at least
//! one line and a lookup costs about log2(162k) = 18 short comparisons.

/// Lower-case ASCII domains, sorted by bytes, one per line (see `data/email/` and `NOTICE.email`).
static DISPOSABLE: &str = include_str!("../../data/email/disposable-domains.txt");
/// Free mail providers that are not disposable (`HubSpot`'s list minus the disposable union).
static FREE: &str = include_str!("../../data/email/free-domains.txt");

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
/// the common business and automation ones). Compared lower-case, without a `+tag`.
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
    "noc",
    "no-reply",
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

/// Whether `key` is one of the lines of `list` (sorted by bytes, `\n`-separated).
fn contains(list: &str, key: &str) -> bool {
    let bytes = list.as_bytes();
    let key = key.as_bytes();
    // Invariant: `lo` and `hi` are line starts (or the end), and the key, if present, starts in
    // `lo..hi`.
    let (mut lo, mut hi) = (0usize, bytes.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        let start = bytes[lo..mid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(lo, |i| lo + i + 1);
        let end = bytes[start..hi]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(hi, |i| start + i);
        match bytes[start..end].cmp(key) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => lo = end + 1,
            std::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

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
        if contains(DISPOSABLE, candidate) {
            return Provider::Disposable;
        }
        if contains(FREE, candidate) {
            return Provider::Free;
        }
        match candidate.split_once('.') {
            Some((_, parent)) => candidate = parent,
            None => return Provider::Unknown,
        }
    }
}

/// Whether the local part names a role mailbox.
pub(crate) fn is_role(local: &str) -> bool {
    if local.len() > 32 {
        return false;
    }
    let base = local.split_once('+').map_or(local, |(b, _)| b);
    ROLES.iter().any(|r| r.eq_ignore_ascii_case(base))
}

/// The provider domain that `domain` is probably a typo of, if any.
pub(crate) fn suggest(domain: &str) -> Option<&'static str> {
    // Long domains are never near a short target; this also bounds the distance work.
    if domain.len() > 32 || TYPO_TARGETS.contains(&domain) {
        return None;
    }
    let mut best: Option<(usize, &'static str)> = None;
    for &target in TYPO_TARGETS {
        // One edit on short names, two on longer ones: `gmial.com` is 1, `hotmial.co` is 2.
        let bound = if target.len() <= 9 { 1 } else { 2 };
        if let Some(d) = bounded_distance(domain.as_bytes(), target.as_bytes(), bound) {
            if best.map_or(true, |(b, _)| d < b) {
                best = Some((d, target));
            }
        }
    }
    best.map(|(_, t)| t)
}

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
    let mut prev2 = [0usize; MAX + 1];
    let mut prev = [0usize; MAX + 1];
    let mut cur = [0usize; MAX + 1];
    for (j, cell) in prev.iter_mut().enumerate().take(width) {
        *cell = j;
    }
    for i in 1..=a.len() {
        cur[0] = i;
        let mut row_min = cur[0];
        for j in 1..width {
            let cost = usize::from(a[i - 1] != b[j - 1]);
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
    Some(prev[b.len()]).filter(|&d| d <= bound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_first_middle_and_last_lines_only_whole() {
        let list = "a.com\nb.org\nc.net\n";
        for k in ["a.com", "b.org", "c.net"] {
            assert!(contains(list, k), "{k}");
        }
        for k in ["", "a", "a.co", "a.comm", "b.org\nc.net", "z.com", "0.com"] {
            assert!(!contains(list, k), "{k:?}");
        }
        assert!(contains("x.com", "x.com"));
        assert!(!contains("", "x.com"));
    }

    #[test]
    fn embedded_lists_are_sorted_unique_lowercase_ascii() {
        for list in [DISPOSABLE, FREE] {
            let lines: Vec<&str> = list.split_terminator('\n').collect();
            assert!(lines.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
            assert!(lines.iter().all(|l| !l.is_empty()
                && l.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'-'
                    || b == b'.')));
        }
    }

    #[test]
    fn distance_counts_swaps_as_one_edit() {
        assert_eq!(bounded_distance(b"gmial.com", b"gmail.com", 1), Some(1));
        assert_eq!(bounded_distance(b"gmail.com", b"gmail.com", 1), Some(0));
        assert_eq!(bounded_distance(b"gnail.con", b"gmail.com", 1), None);
        assert_eq!(bounded_distance(b"hotmial.co", b"hotmail.com", 2), Some(2));
        assert_eq!(bounded_distance(b"example.org", b"gmail.com", 2), None);
    }
}
