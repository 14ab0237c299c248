//! Domain and local-part classification: disposable and free providers, role accounts, typos.
//!
//! The two provider lists are embedded as one sorted, newline-separated string each. On first use
//! one hash table over both is built (about 5 ms): 2^18 slots of 4 bytes (1 MB), each holding where
//! a domain starts in its list, which list it is, and 9 bits of its hash, so that a probe almost
//! never compares text it does not need to. A lookup hashes the key once and reads one or two
//! slots. The domain text itself is never copied to the heap.

use std::sync::OnceLock;

/// Slots in the table: a power of two, at least 1.5 times the number of listed domains so that
/// linear probing stays short (a test checks the longest probe).
const SLOTS: usize = 1 << 18;
/// An empty slot. Never a real entry: that would need an offset beyond both lists (a test checks
/// that the lists are shorter than [`OFFSET_MASK`]).
const EMPTY: u32 = u32::MAX;
/// Low 22 bits: the byte offset of the domain in its list.
const OFFSET_MASK: u32 = (1 << 22) - 1;
/// Bit 31: the domain comes from the free list (else from the disposable list).
const FREE_BIT: u32 = 1 << 31;
/// Bits 22..31: 9 bits of the hash, compared before the text.
const TAG_SHIFT: u32 = 22;
const TAG_MASK: u32 = 0x1ff;

/// A 64-bit hash of a short byte string, in the style of wyhash and foldhash: the key read as at
/// most a few overlapping little-endian words, mixed by folded multiplies. The table is fixed, so
/// there is nothing for an attacker to flood; the longest probe is bounded by the data and checked
/// by a test.
fn hash(key: &[u8]) -> u64 {
    const K1: u64 = 0x9E37_79B9_7F4A_7C15;
    const K2: u64 = 0xA076_1D64_78BD_642F;
    fn fold(a: u64, b: u64) -> u64 {
        let p = u128::from(a) * u128::from(b);
        (p as u64) ^ ((p >> 64) as u64)
    }
    fn word(s: &[u8]) -> u64 {
        s.first_chunk::<8>().map_or(0, |w| u64::from_le_bytes(*w))
    }
    fn half(s: &[u8]) -> u64 {
        s.first_chunk::<4>()
            .map_or(0, |w| u64::from(u32::from_le_bytes(*w)))
    }
    let n = key.len();
    let mut h = K2 ^ n as u64;
    let (a, b) = if n > 16 {
        let mut rest = key;
        while rest.len() > 16 {
            h = fold(h ^ word(rest), K1);
            rest = &rest[8..];
        }
        (word(rest), word(&key[n - 8..]))
    } else if n >= 8 {
        // Two words, overlapping when shorter than 16 bytes.
        (word(key), word(&key[n - 8..]))
    } else if n >= 4 {
        (half(key), half(&key[n - 4..]))
    } else if n > 0 {
        let spread = u64::from(key[0]) | u64::from(key[n / 2]) << 8 | u64::from(key[n - 1]) << 16;
        (spread, 0)
    } else {
        (0, 0)
    };
    fold(fold(a ^ K1, b ^ h), K2)
}

/// The disposable and free lists, embedded sorted and newline-separated, with a hash table over
/// both built on first use.
pub(crate) struct Lists {
    disposable: &'static str,
    free: &'static str,
    table: OnceLock<Box<[u32]>>,
}

impl Lists {
    const fn new(disposable: &'static str, free: &'static str) -> Self {
        Self {
            disposable,
            free,
            table: OnceLock::new(),
        }
    }

    fn table(&self) -> &[u32] {
        self.table.get_or_init(|| {
            let mut table = vec![EMPTY; SLOTS].into_boxed_slice();
            // Disposable first: a domain on both lists is found as disposable, as it was when the
            // lists were searched one after the other.
            for (text, list_bit) in [(self.disposable, 0), (self.free, FREE_BIT)] {
                let mut pos = 0usize;
                for line in text.split_terminator('\n') {
                    let h = hash(line.as_bytes());
                    let slot = list_bit | tag(h) << TAG_SHIFT | (pos as u32 & OFFSET_MASK);
                    let mut i = h as usize & (SLOTS - 1);
                    while table[i] != EMPTY {
                        i = (i + 1) & (SLOTS - 1);
                    }
                    table[i] = slot;
                    pos += line.len() + 1;
                }
            }
            table
        })
    }

    /// Which list holds exactly `key`, if any.
    pub(crate) fn find(&self, key: &str) -> Option<Provider> {
        let table = self.table();
        let key = key.as_bytes();
        let h = hash(key);
        let want = tag(h);
        let mut i = h as usize & (SLOTS - 1);
        loop {
            let slot = table[i];
            if slot == EMPTY {
                return None;
            }
            if (slot >> TAG_SHIFT) & TAG_MASK == want {
                let (text, provider) = if slot & FREE_BIT == 0 {
                    (self.disposable, Provider::Disposable)
                } else {
                    (self.free, Provider::Free)
                };
                let start = (slot & OFFSET_MASK) as usize;
                let rest = &text.as_bytes()[start..];
                if rest.starts_with(key) && matches!(rest.get(key.len()), None | Some(b'\n')) {
                    return Some(provider);
                }
            }
            i = (i + 1) & (SLOTS - 1);
        }
    }

    /// Heap bytes used by the table (0 before first use).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.table
            .get()
            .map_or(0, |t| std::mem::size_of_val::<[u32]>(t))
    }

    /// Builds the table now.
    pub(crate) fn preload(&self) {
        let _ = self.table();
    }
}

/// The hash bits kept in a slot.
fn tag(h: u64) -> u32 {
    (h >> 55) as u32 & TAG_MASK
}

/// Lower-case ASCII domains, sorted by bytes, one per line (see `data/email/` and `NOTICE`):
/// the disposable union, and free mail providers that are not disposable (`HubSpot`'s list minus
/// the disposable union).
pub(crate) static LISTS: Lists = Lists::new(
    include_str!("../../data/email/disposable-domains.txt"),
    include_str!("../../data/email/free-domains.txt"),
);

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
pub enum Provider {
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
    // First the most specific listed level, by hash lookups alone. A single label is always a
    // suffix boundary (a known or an unknown TLD), so it is never looked up.
    let mut listed = None;
    let mut candidate = domain;
    while let Some(parent) = parent(candidate) {
        if let Some(p) = LISTS.find(candidate) {
            listed = Some((candidate.len(), p));
            break;
        }
        candidate = parent;
    }
    let Some((len, p)) = listed else {
        return Provider::Unknown;
    };
    // Then the Public Suffix List, only for a hit: the walk stops at the first public suffix, so
    // the listing counts only if no level from the full domain down to it is one. The listed
    // level itself never is (no listed domain is a public suffix, checked by a test), so a
    // domain that is listed as typed (`gmail.com`) needs no suffix lookup at all.
    let mut level = domain;
    while level.len() > len {
        if is_icann_suffix(level) {
            return Provider::Unknown;
        }
        level = parent(level).unwrap_or_default();
    }
    p
}

/// `domain` without its first label, if it has more than one. A byte loop: labels are short, and
/// the general substring search costs more to set up than it saves.
fn parent(domain: &str) -> Option<&str> {
    let dot = domain.bytes().position(|b| b == b'.')?;
    domain.get(dot + 1..)
}

/// Length of the longest entry of [`ROLES`].
const LONGEST: usize = 13;

/// For each first byte, bit `n` set when some role name of `n` bytes starts with it.
const ROLE_SHAPES: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < ROLES.len() {
        let r = ROLES[i].as_bytes();
        t[r[0] as usize] |= 1 << r.len();
        i += 1;
    }
    t
};

/// Whether the local part names a role mailbox.
pub(crate) fn is_role(local: &str) -> bool {
    let base = local.split_once('+').map_or(local, |(b, _)| b);
    // The longest role name has 13 characters; most local parts are ruled out here.
    if base.len() > LONGEST {
        return false;
    }
    // Then by first letter and length together, which rules out nearly every personal name
    // before any string comparison.
    let Some(&first) = base.as_bytes().first() else {
        return false;
    };
    if ROLE_SHAPES[usize::from(first.to_ascii_lowercase())] & (1 << base.len()) == 0 {
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
    // Every target is 8 to 14 bytes and at most two edits away: most domains stop here.
    if !(SHORTEST_TARGET - 2..=LONGEST_TARGET + 2).contains(&domain.len()) {
        return None;
    }
    let mask = char_set(domain.as_bytes());
    let mut best: Option<(usize, &'static str)> = None;
    for (&target, &target_mask) in TYPO_TARGETS.iter().zip(&TARGET_SETS) {
        // One edit on short names, two on longer ones: `gmial.com` is 1, `hotmial.co` is 2.
        let bound: u32 = if target.len() <= 9 { 1 } else { 2 };
        // Each edit changes the length by at most one.
        if domain.len().abs_diff(target.len()) > bound as usize {
            continue;
        }
        // Each edit brings in or removes at most one distinct character, so strings whose
        // character sets differ by more than `bound` on either side cannot be within reach. This
        // rejects almost every unrelated domain before the distance table is filled.
        if (mask & !target_mask).count_ones() > bound || (target_mask & !mask).count_ones() > bound
        {
            continue;
        }
        // A target itself is never "corrected", whatever else it is near.
        if mask == target_mask && domain == target {
            return None;
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

/// Length of the shortest entry of [`TYPO_TARGETS`] (checked by a test).
const SHORTEST_TARGET: usize = 8;
/// Length of the longest entry of [`TYPO_TARGETS`] (checked by a test).
const LONGEST_TARGET: usize = 14;

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
        let lists = Lists::new("a.com\nb.org\nc.net\n", "d.com\nb.org\ne.io");
        for k in ["a.com", "b.org", "c.net"] {
            assert_eq!(lists.find(k), Some(Provider::Disposable), "{k}");
        }
        // `b.org` is on both lists: disposable wins, as when the lists were searched in turn.
        for k in ["d.com", "e.io"] {
            assert_eq!(lists.find(k), Some(Provider::Free), "{k}");
        }
        for k in [
            "",
            "a",
            "a.co",
            "a.comm",
            "b.org\nc.net",
            "z.com",
            "0.com",
            "\n",
            "e.i",
        ] {
            assert_eq!(lists.find(k), None, "{k:?}");
        }
        assert_eq!(
            Lists::new("x.com", "").find("x.com"),
            Some(Provider::Disposable)
        );
        assert_eq!(Lists::new("", "").find("x.com"), None);
    }

    #[test]
    fn embedded_lists_are_sorted_unique_lowercase_ascii_and_addressable() {
        for text in [LISTS.disposable, LISTS.free] {
            // Every offset must fit the slot's offset bits, and no slot can equal `EMPTY`.
            assert!(text.len() < OFFSET_MASK as usize);
            let lines: Vec<&str> = text.split_terminator('\n').collect();
            assert!(lines.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
            assert!(lines.iter().all(|l| !l.is_empty()
                && l.bytes().all(|b| b.is_ascii_lowercase()
                    || b.is_ascii_digit()
                    || b == b'-'
                    || b == b'.')));
        }
    }

    #[test]
    fn every_listed_domain_is_found_within_a_short_probe() {
        let count = LISTS.disposable.split_terminator('\n').count()
            + LISTS.free.split_terminator('\n').count();
        assert!(SLOTS * 2 >= count * 3, "{count} domains for {SLOTS} slots");
        for line in LISTS.disposable.split_terminator('\n') {
            assert_eq!(LISTS.find(line), Some(Provider::Disposable), "{line}");
        }
        for line in LISTS.free.split_terminator('\n') {
            assert!(LISTS.find(line).is_some(), "{line}");
        }
        // The longest run of occupied slots bounds every lookup, hit or miss.
        let table = LISTS.table();
        let (mut longest, mut run) = (0, 0);
        for &slot in table.iter().chain(table.iter()) {
            run = if slot == EMPTY { 0 } else { run + 1 };
            longest = longest.max(run);
        }
        assert!(longest < 128, "longest probe {longest}");
    }

    #[test]
    fn no_listed_domain_is_a_public_suffix() {
        // `provider` relies on this to skip the suffix lookup for the listed level itself. A
        // listed public suffix could never match anyway: drop it from the list.
        for text in [LISTS.disposable, LISTS.free] {
            for line in text.split_terminator('\n') {
                assert!(!is_icann_suffix(line), "{line}");
            }
        }
    }

    #[test]
    fn typo_target_lengths_match_the_prefilter() {
        let lens = TYPO_TARGETS.iter().map(|t| t.len());
        assert_eq!(lens.clone().min(), Some(SHORTEST_TARGET));
        assert_eq!(lens.max(), Some(LONGEST_TARGET));
    }

    #[test]
    fn a_single_label_is_always_a_suffix_boundary() {
        for label in [
            "com",
            "uk",
            "zz",
            "foo-bar",
            "123",
            "xn--p1ai",
            "a",
            "mailinator",
        ] {
            assert!(is_icann_suffix(label), "{label}");
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
