//! Crawler verification by reverse DNS plus forward confirmation, against a real authoritative DNS
//! server started on loopback inside each test (never the internet), and the JSON range files.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hickory_server::net::runtime::{Time, TokioRuntimeProvider};
use hickory_server::proto::rr::rdata::{A, AAAA, PTR, SOA};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::server::{Request, RequestHandler, ResponseHandler, ResponseInfo};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use hickory_server::Server;
use palisade::bot::verify::{
    method_of, Method, Ranges, Verification, Verifier, VerifierConfig, MAX_PTR_NAMES,
};
use palisade::bot::{Classification, Detector};
use palisade::config::ConfigErrorKind;
use serde_json::json;

const GOOGLEBOT: &str = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";
const BINGBOT: &str = "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)";
const YANDEXBOT: &str = "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)";
const GPTBOT: &str =
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.1; +https://openai.com/gptbot)";
const FIREFOX: &str = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0";

fn claim(ua: &str) -> Classification {
    Detector::builtin().classify(ua)
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn name(s: &str) -> Name {
    Name::from_str(s).expect("test names are valid")
}

fn ptr(addr: &str, target: &str) -> Record {
    Record::from_rdata(Name::from(ip(addr)), 300, RData::PTR(PTR(name(target))))
}

fn a(owner: &str, addr: Ipv4Addr) -> Record {
    Record::from_rdata(name(owner), 300, RData::A(A(addr)))
}

/// Counts every request before the catalog answers it.
struct Counting {
    catalog: Catalog,
    queries: Arc<AtomicUsize>,
}

#[async_trait::async_trait]
impl RequestHandler for Counting {
    async fn handle_request<R: ResponseHandler, T: Time>(
        &self,
        request: &Request,
        response_handle: R,
    ) -> ResponseInfo {
        self.queries.fetch_add(1, Ordering::SeqCst);
        self.catalog
            .handle_request::<R, T>(request, response_handle)
            .await
    }
}

struct Dns {
    addr: SocketAddr,
    queries: Arc<AtomicUsize>,
    _server: Server<Counting>,
}

impl Dns {
    fn queries(&self) -> usize {
        self.queries.load(Ordering::SeqCst)
    }
}

/// Serves the test zones on 127.0.0.1 (UDP and TCP on one free port). The reverse zones cover
/// only 66/8, 157/8, 203/8 and ip6.arpa, so a PTR query for 198.51.100.0/24 is REFUSED; the
/// forward zones are googlebot.com, evilgooglebot.com, search.msn.com and yandex.com, so a
/// forward query under google.com is REFUSED.
async fn start_server() -> Dns {
    let zones = [
        "66.in-addr.arpa.",
        "157.in-addr.arpa.",
        "203.in-addr.arpa.",
        "ip6.arpa.",
        "googlebot.com.",
        "evilgooglebot.com.",
        "search.msn.com.",
        "yandex.com.",
    ];
    let mut records = vec![
        // Genuine Googlebot, as in Google's documentation.
        ptr("66.249.66.1", "crawl-66-249-66-1.googlebot.com."),
        a(
            "crawl-66-249-66-1.googlebot.com.",
            Ipv4Addr::new(66, 249, 66, 1),
        ),
        // A look-alike domain whose forward lookup does confirm: only the suffix check stops it.
        ptr("203.0.113.10", "crawl-203-0-113-10.evilgooglebot.com."),
        a(
            "crawl-203-0-113-10.evilgooglebot.com.",
            Ipv4Addr::new(203, 0, 113, 10),
        ),
        // A PTR under googlebot.com that the attacker wrote in its own reverse zone: the real
        // name points elsewhere.
        ptr("203.0.113.20", "crawl-66-249-66-99.googlebot.com."),
        a(
            "crawl-66-249-66-99.googlebot.com.",
            Ipv4Addr::new(66, 249, 66, 99),
        ),
        // Genuine Bingbot.
        ptr("157.55.39.1", "msnbot-157-55-39-1.search.msn.com."),
        a(
            "msnbot-157-55-39-1.search.msn.com.",
            Ipv4Addr::new(157, 55, 39, 1),
        ),
        // Genuine Googlebot over IPv6.
        ptr("2001:4860:4801:10::1", "crawl-ipv6.googlebot.com."),
        Record::from_rdata(
            name("crawl-ipv6.googlebot.com."),
            300,
            RData::AAAA(AAAA(Ipv6Addr::from_str("2001:4860:4801:10::1").unwrap())),
        ),
        // A PTR under google.com, whose zone this server refuses: the forward lookup fails.
        ptr(
            "203.0.113.50",
            "rate-limited-proxy-203-0-113-50.google.com.",
        ),
        // Genuine Yandex.
        ptr("203.0.113.60", "spider-203-0-113-60.yandex.com."),
        a(
            "spider-203-0-113-60.yandex.com.",
            Ipv4Addr::new(203, 0, 113, 60),
        ),
    ];
    // More PTR names than are considered, all under googlebot.com, none resolving back.
    for i in 0..MAX_PTR_NAMES + 2 {
        let host = format!("many-{i}.googlebot.com.");
        records.push(ptr("203.0.113.40", &host));
        records.push(a(&host, Ipv4Addr::new(66, 249, 66, 200)));
    }

    let mut catalog = Catalog::new();
    for origin in zones {
        let origin_name = name(origin);
        let mut zone = InMemoryZoneHandler::<TokioRuntimeProvider>::empty(
            origin_name.clone(),
            ZoneType::Primary,
            AxfrPolicy::Deny,
        );
        let soa = SOA::new(
            name("ns.test."),
            name("hostmaster.test."),
            1,
            3600,
            600,
            86400,
            60,
        );
        assert!(zone.upsert_mut(
            Record::from_rdata(origin_name.clone(), 300, RData::SOA(soa)),
            1
        ));
        for r in &records {
            if origin_name.zone_of(&r.name) {
                assert!(zone.upsert_mut(r.clone(), 1), "record accepted");
            }
        }
        catalog.upsert(LowerName::new(&origin_name), vec![Arc::new(zone)]);
    }

    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind udp");
    let addr = udp.local_addr().expect("udp addr");
    let tcp = tokio::net::TcpListener::bind(addr)
        .await
        .expect("bind tcp on the same port");
    let queries = Arc::new(AtomicUsize::new(0));
    let mut server = Server::new(Counting {
        catalog,
        queries: queries.clone(),
    });
    server.register_socket(udp);
    server.register_listener(tcp, Duration::from_secs(5), 4096);
    Dns {
        addr,
        queries,
        _server: server,
    }
}

/// A verifier that asks only the test server, with no address blocks, so that DNS decides.
fn dns_only(addr: SocketAddr) -> Verifier {
    Verifier::new(VerifierConfig {
        nameservers: vec![addr],
        timeout: Duration::from_secs(3),
        ranges: Ranges::default(),
        ..VerifierConfig::default()
    })
    .expect("explicit name server")
}

#[tokio::test]
async fn genuine_googlebot_is_verified_by_reverse_and_forward_dns() {
    let dns = start_server().await;
    let v = dns_only(dns.addr);
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("66.249.66.1")).await,
        Verification::Verified
    );
    // One PTR query, one A query.
    assert_eq!(dns.queries(), 2);
    // The IPv4-mapped form of the same client is the same client.
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("::ffff:66.249.66.1")).await,
        Verification::Verified
    );
    assert_eq!(dns.queries(), 2, "served from the cache");
}

#[tokio::test]
async fn genuine_googlebot_over_ipv6_is_verified() {
    let dns = start_server().await;
    let v = dns_only(dns.addr);
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("2001:4860:4801:10::1"))
            .await,
        Verification::Verified
    );
}

#[tokio::test]
async fn genuine_bingbot_and_yandexbot_are_verified() {
    let dns = start_server().await;
    let v = dns_only(dns.addr);
    assert_eq!(
        v.verify(&claim(BINGBOT), ip("157.55.39.1")).await,
        Verification::Verified
    );
    assert_eq!(
        v.verify(&claim(YANDEXBOT), ip("203.0.113.60")).await,
        Verification::Verified
    );
    // Bing's host is not Google's: a Googlebot claim from Bing's address is spoofed.
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("157.55.39.1")).await,
        Verification::Spoofed
    );
}

#[tokio::test]
async fn a_ptr_under_a_look_alike_domain_is_spoofed_without_a_forward_lookup() {
    let dns = start_server().await;
    let v = dns_only(dns.addr);
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("203.0.113.10")).await,
        Verification::Spoofed
    );
    assert_eq!(dns.queries(), 1, "only the PTR query");
}

#[tokio::test]
async fn a_ptr_whose_name_resolves_elsewhere_is_spoofed() {
    let dns = start_server().await;
    let v = dns_only(dns.addr);
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("203.0.113.20")).await,
        Verification::Spoofed
    );
    assert_eq!(dns.queries(), 2);
}

#[tokio::test]
async fn an_address_without_a_ptr_is_spoofed_for_an_operator_that_names_every_crawler() {
    let dns = start_server().await;
    let v = dns_only(dns.addr);
    // NXDOMAIN in a zone the server is authoritative for.
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("203.0.113.30")).await,
        Verification::Spoofed
    );
    assert_eq!(
        v.verify(&claim(BINGBOT), ip("203.0.113.30")).await,
        Verification::Spoofed
    );
}

#[tokio::test]
async fn only_the_first_ptr_names_get_a_forward_lookup() {
    let dns = start_server().await;
    let v = dns_only(dns.addr);
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("203.0.113.40")).await,
        Verification::Spoofed
    );
    assert_eq!(dns.queries(), 1 + MAX_PTR_NAMES);
}

#[tokio::test]
async fn refused_queries_are_unverifiable_never_spoofed() {
    let dns = start_server().await;
    let v = dns_only(dns.addr);
    // The PTR query itself is refused.
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("198.51.100.7")).await,
        Verification::Unverifiable
    );
    // The PTR is under google.com, but the forward query is refused.
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("203.0.113.50")).await,
        Verification::Unverifiable
    );
}

#[tokio::test]
async fn a_ua_claiming_no_checkable_crawler_makes_no_dns_query() {
    let dns = start_server().await;
    let v = dns_only(dns.addr);
    for ua in [FIREFOX, "curl/8.5.0", "", GPTBOT] {
        assert_eq!(
            v.verify(&claim(ua), ip("66.249.66.1")).await,
            Verification::Unverifiable,
            "{ua}"
        );
    }
    assert_eq!(
        v.verify_now(&claim(FIREFOX), ip("66.249.66.1")),
        Some(Verification::Unverifiable)
    );
    assert_eq!(dns.queries(), 0);
    assert_eq!(v.cached(), 0);
}

#[tokio::test]
async fn address_blocks_answer_without_dns() {
    let dns = start_server().await;
    let v = Verifier::new(VerifierConfig {
        nameservers: vec![dns.addr],
        ..VerifierConfig::default()
    })
    .unwrap();
    // Inside Google's shipped blocks.
    assert_eq!(
        v.verify_now(&claim(GOOGLEBOT), ip("66.249.66.5")),
        Some(Verification::Verified)
    );
    // GPTBot is checked by blocks only: inside is Verified, outside is Spoofed, no DNS either way.
    assert_eq!(method_of("OPENAI_CRAWLER"), Some(Method::Ranges));
    assert_eq!(
        v.verify(&claim(GPTBOT), ip("52.230.152.9")).await,
        Verification::Verified
    );
    assert_eq!(
        v.verify(&claim(GPTBOT), ip("203.0.113.9")).await,
        Verification::Spoofed
    );
    assert_eq!(dns.queries(), 0);
    // Outside Google's shipped blocks DNS decides, since the shipped blocks may be stale.
    assert_eq!(v.verify_now(&claim(GOOGLEBOT), ip("203.0.113.20")), None);
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("203.0.113.20")).await,
        Verification::Spoofed
    );
    assert_eq!(dns.queries(), 2);
}

#[tokio::test]
async fn a_cached_answer_makes_no_second_query() {
    let dns = start_server().await;
    // Control: without the verdict cache every call asks again, so the resolver itself caches
    // nothing and the counts below measure the verdict cache.
    let uncached = Verifier::new(VerifierConfig {
        nameservers: vec![dns.addr],
        ranges: Ranges::default(),
        cache_capacity: 0,
        ..VerifierConfig::default()
    })
    .unwrap();
    uncached.verify(&claim(GOOGLEBOT), ip("66.249.66.1")).await;
    uncached.verify(&claim(GOOGLEBOT), ip("66.249.66.1")).await;
    assert_eq!(dns.queries(), 4);

    let v = dns_only(dns.addr);
    assert_eq!(v.verify_now(&claim(GOOGLEBOT), ip("66.249.66.1")), None);
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("66.249.66.1")).await,
        Verification::Verified
    );
    assert_eq!(dns.queries(), 6);
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("66.249.66.1")).await,
        Verification::Verified
    );
    assert_eq!(
        v.verify_now(&claim(GOOGLEBOT), ip("66.249.66.1")),
        Some(Verification::Verified)
    );
    assert_eq!(dns.queries(), 6);
    assert_eq!(v.cached(), 1);
    // Spoofed answers are cached too (for a shorter time), also without a second query.
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("203.0.113.30")).await,
        Verification::Spoofed
    );
    assert_eq!(
        v.verify_now(&claim(GOOGLEBOT), ip("203.0.113.30")),
        Some(Verification::Spoofed)
    );
    assert_eq!(dns.queries(), 7);
}

#[tokio::test]
async fn each_outcome_is_kept_for_its_own_time() {
    let dns = start_server().await;
    // A zero time to live stores nothing: only Verified answers are kept here.
    let v = Verifier::new(VerifierConfig {
        nameservers: vec![dns.addr],
        ranges: Ranges::default(),
        spoofed_ttl: Duration::ZERO,
        failure_ttl: Duration::ZERO,
        ..VerifierConfig::default()
    })
    .unwrap();
    v.verify(&claim(GOOGLEBOT), ip("203.0.113.30")).await;
    v.verify(&claim(GOOGLEBOT), ip("198.51.100.7")).await;
    assert_eq!(v.cached(), 0);
    v.verify(&claim(GOOGLEBOT), ip("66.249.66.1")).await;
    assert_eq!(v.cached(), 1);
}

#[tokio::test]
async fn a_silent_name_server_is_unverifiable_within_the_timeout() {
    // A socket that reads queries and drops them, plus a TCP listener that never replies.
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = silent.local_addr().expect("addr");
    let _tcp = tokio::net::TcpListener::bind(addr).await.expect("bind tcp");
    let dropped = Arc::new(AtomicUsize::new(0));
    let counter = dropped.clone();
    let sink = tokio::spawn(async move {
        let mut buf = [0u8; 1500];
        while silent.recv_from(&mut buf).await.is_ok() {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    let v = Verifier::new(VerifierConfig {
        nameservers: vec![addr],
        timeout: Duration::from_millis(300),
        ranges: Ranges::default(),
        ..VerifierConfig::default()
    })
    .unwrap();
    let started = std::time::Instant::now();
    assert_eq!(
        v.verify(&claim(GOOGLEBOT), ip("66.249.66.1")).await,
        Verification::Unverifiable
    );
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert!(dropped.load(Ordering::SeqCst) >= 1, "the query was sent");
    // The failure is remembered briefly, so the next request from that address does not wait.
    assert_eq!(
        v.verify_now(&claim(GOOGLEBOT), ip("66.249.66.1")),
        Some(Verification::Unverifiable)
    );
    sink.abort();
}

#[test]
fn a_verifier_is_built_outside_a_runtime_and_shared_across_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Verifier>();
    let v = Verifier::new(VerifierConfig {
        nameservers: vec!["127.0.0.1:53".parse().unwrap()],
        ..VerifierConfig::default()
    })
    .unwrap();
    assert_eq!(
        v.verify_now(&claim(GOOGLEBOT), ip("66.249.66.1")),
        Some(Verification::Verified)
    );
}

#[test]
fn ranges_from_json_read_operator_files_and_plain_lists_by_bot_id() {
    let text = r#"{
        "GOOGLE_CRAWLER": {"creationTime": "2026-01-01T00:00:00", "prefixes": [
            {"ipv4Prefix": "192.0.2.0/24"}, {"ipv6Prefix": "2001:db8::/32"}]},
        "DUCKDUCKGO_CRAWLER": ["198.51.100.0/24", "203.0.113.7"]
    }"#;
    let ranges = Ranges::from_json(text, "ranges.json").unwrap();
    assert!(ranges.covers("GOOGLE_CRAWLER") && ranges.covers("DUCKDUCKGO_CRAWLER"));
    let google = claim(GOOGLEBOT);
    assert_eq!(
        ranges.verify(&google, ip("192.0.2.9")),
        Verification::Verified
    );
    assert_eq!(
        ranges.verify(&google, ip("2001:db8::1")),
        Verification::Verified
    );
    assert_eq!(
        ranges.verify(&google, ip("66.249.66.1")),
        Verification::Spoofed
    );
    let ddg = claim("DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)");
    assert_eq!(
        ranges.verify(&ddg, ip("203.0.113.7")),
        Verification::Verified
    );
    assert_eq!(
        ranges.verify(&ddg, ip("203.0.113.8")),
        Verification::Spoofed
    );

    // Loaded ranges replace the shipped blocks of the bots they list and keep the others.
    let mut merged = Ranges::builtin().clone();
    merged.update(ranges);
    assert_eq!(
        merged.verify(&google, ip("66.249.66.1")),
        Verification::Spoofed
    );
    assert_eq!(
        merged.verify(&claim(BINGBOT), ip("157.55.39.1")),
        Verification::Verified
    );
}

#[test]
fn ranges_from_json_errors_name_the_key_path() {
    let cases = [
        (
            r#"{"GOOGLE_CRAWLER": {"prefixes": [{"ipv4Prefix": "192.0.2.0/24"}, {"ipv4Prefix": "192.0.2.1/24"}]}}"#,
            ConfigErrorKind::Cidr,
            "r.json.GOOGLE_CRAWLER.prefixes[1]",
        ),
        (
            r#"{"GOOGLE_CRAWLER": {"prefixes": [{"ipv6": "2001:db8::/32"}]}}"#,
            ConfigErrorKind::Missing,
            "r.json.GOOGLE_CRAWLER.prefixes[0]",
        ),
        (
            r#"{"GOOGLE_CRAWLER": {"syncToken": "1"}}"#,
            ConfigErrorKind::Missing,
            "r.json.GOOGLE_CRAWLER.prefixes",
        ),
        (
            r#"{"GOOGLE_CRAWLER": {"prefixes": []}}"#,
            ConfigErrorKind::Range,
            "r.json.GOOGLE_CRAWLER.prefixes",
        ),
        (
            r#"{"DUCKDUCKGO_CRAWLER": ["10.0.0.0/33"]}"#,
            ConfigErrorKind::Cidr,
            "r.json.DUCKDUCKGO_CRAWLER[0]",
        ),
        (
            r#"{"DUCKDUCKGO_CRAWLER": ["10.0.0.0/8", 7]}"#,
            ConfigErrorKind::Type,
            "r.json.DUCKDUCKGO_CRAWLER[1]",
        ),
        (
            r#"{"DUCKDUCKGO_CRAWLER": []}"#,
            ConfigErrorKind::Range,
            "r.json.DUCKDUCKGO_CRAWLER",
        ),
        (
            r#"{"DUCKDUCKGO_CRAWLER": "10.0.0.0/8"}"#,
            ConfigErrorKind::Type,
            "r.json.DUCKDUCKGO_CRAWLER",
        ),
        (
            r#"{"googlebot": ["10.0.0.0/8"]}"#,
            ConfigErrorKind::Type,
            "r.json.googlebot",
        ),
        (r#"["10.0.0.0/8"]"#, ConfigErrorKind::Type, "r.json"),
        (r#"{"GOOGLE_CRAWLER": "#, ConfigErrorKind::Type, "r.json"),
    ];
    for (text, kind, path) in cases {
        let e = Ranges::from_json(text, "r.json").unwrap_err();
        assert_eq!((e.kind, e.path.as_str()), (kind, path), "{text}");
        assert!(e.code().starts_with("PALISADE_CONFIG_"));
    }
}

#[test]
fn a_ranges_file_is_read_as_json_or_as_lines() {
    let dir = std::env::temp_dir().join(format!("palisade-ranges-dns-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let json = dir.join("ranges.json");
    std::fs::write(&json, r#"  {"PERPLEXITY_CRAWLER": ["192.0.2.0/24"]}"#).unwrap();
    let lines = dir.join("ranges.txt");
    std::fs::write(&lines, "PERPLEXITY_CRAWLER 192.0.2.0/24\n").unwrap();
    let from_json = Ranges::from_file(&json).unwrap();
    assert_eq!(from_json, Ranges::from_file(&lines).unwrap());
    assert!(from_json.covers("PERPLEXITY_CRAWLER"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn verifier_config_reads_camel_case_options() {
    let dir = std::env::temp_dir().join(format!("palisade-verify-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("ranges.json");
    std::fs::write(&file, r#"{"DUCKDUCKGO_CRAWLER": ["192.0.2.0/24"]}"#).unwrap();

    let c = VerifierConfig::from_value(
        &json!({
            "nameservers": ["127.0.0.1:5353", "::1"],
            "timeoutMs": 250,
            "rangesFile": file.to_str().unwrap(),
        }),
        "verify",
    )
    .unwrap();
    assert_eq!(
        c.nameservers,
        vec![
            "127.0.0.1:5353".parse::<SocketAddr>().unwrap(),
            "[::1]:53".parse().unwrap()
        ]
    );
    assert_eq!(c.timeout, Duration::from_millis(250));
    assert!(c.ranges.covers("DUCKDUCKGO_CRAWLER"));
    assert!(c.ranges.covers("GOOGLE_CRAWLER"), "shipped blocks kept");

    let inline = VerifierConfig::from_value(
        &json!({"ranges": {"GOOGLE_CRAWLER": {"prefixes": [{"ipv4Prefix": "192.0.2.0/24"}]}}}),
        "verify",
    )
    .unwrap();
    assert_eq!(
        inline.ranges.verify(&claim(GOOGLEBOT), ip("66.249.66.1")),
        Verification::Spoofed,
        "listed bots are replaced"
    );
    assert_eq!(
        VerifierConfig::from_value(&json!({}), "verify").unwrap(),
        VerifierConfig::default()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn verifier_config_errors_have_codes_and_key_paths() {
    let nine: Vec<String> = (0..9).map(|i| format!("127.0.0.{i}")).collect();
    let cases = [
        (json!([]), "PALISADE_CONFIG_TYPE", "verify"),
        (
            json!({"timeout": 5}),
            "PALISADE_CONFIG_UNKNOWN",
            "verify.timeout",
        ),
        (
            json!({"timeoutMs": 0}),
            "PALISADE_CONFIG_RANGE",
            "verify.timeoutMs",
        ),
        (
            json!({"timeoutMs": 60_000}),
            "PALISADE_CONFIG_RANGE",
            "verify.timeoutMs",
        ),
        (
            json!({"timeoutMs": "1s"}),
            "PALISADE_CONFIG_TYPE",
            "verify.timeoutMs",
        ),
        (
            json!({"nameservers": ["127.0.0.1:53", "dns.google"]}),
            "PALISADE_CONFIG_CIDR",
            "verify.nameservers[1]",
        ),
        (
            json!({"nameservers": "127.0.0.1"}),
            "PALISADE_CONFIG_TYPE",
            "verify.nameservers",
        ),
        (
            json!({"nameservers": nine}),
            "PALISADE_CONFIG_RANGE",
            "verify.nameservers",
        ),
        (
            json!({"ranges": {"X": ["nope"]}}),
            "PALISADE_CONFIG_CIDR",
            "verify.ranges.X[0]",
        ),
        (
            json!({"ranges": {}, "rangesFile": "/x"}),
            "PALISADE_CONFIG_TYPE",
            "verify.ranges",
        ),
        (
            json!({"rangesFile": 3}),
            "PALISADE_CONFIG_TYPE",
            "verify.rangesFile",
        ),
    ];
    for (value, code, path) in cases {
        let e = VerifierConfig::from_value(&value, "verify").unwrap_err();
        assert_eq!((e.code(), e.path.as_str()), (code, path), "{value}");
    }
    let missing =
        VerifierConfig::from_value(&json!({"rangesFile": "/nonexistent/ranges.json"}), "verify")
            .unwrap_err();
    assert_eq!(missing.code(), "PALISADE_CONFIG_MISSING");
    assert_eq!(missing.path, "verify.rangesFile (/nonexistent/ranges.json)");
}
