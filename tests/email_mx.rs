//! MX checks against a real authoritative DNS server started on loopback inside the test (never
//! the internet). Covers em-050 (null MX beside an A record).

use std::net::{Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use hickory_server::net::runtime::TokioRuntimeProvider;
use hickory_server::proto::rr::rdata::{A, MX, SOA, TXT};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use hickory_server::Server;
use palisade::email::{validate, EmailType, MxChecker, MxConfig, MxOutcome, Options};

fn name(s: &str) -> Name {
    Name::from_str(s).expect("test names are valid")
}

fn record(owner: &str, data: RData) -> Record {
    Record::from_rdata(name(owner), 300, data)
}

/// Serves zone `test.` on 127.0.0.1 (UDP and TCP on one free port) and returns its address.
async fn start_server() -> (SocketAddr, Server<Catalog>) {
    let origin = name("test.");
    let mut zone = InMemoryZoneHandler::<TokioRuntimeProvider>::empty(
        origin.clone(),
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
    let records = [
        record("test.", RData::SOA(soa)),
        record("mx.test.", RData::MX(MX::new(10, name("mail.mx.test.")))),
        record("mail.mx.test.", RData::A(A(Ipv4Addr::new(192, 0, 2, 10)))),
        // em-050: the null MX of RFC 7505, with an A record next to it for a web site.
        record("nullmx.test.", RData::MX(MX::new(0, Name::root()))),
        record("nullmx.test.", RData::A(A(Ipv4Addr::new(192, 0, 2, 50)))),
        record("aonly.test.", RData::A(A(Ipv4Addr::new(192, 0, 2, 20)))),
        record(
            "txtonly.test.",
            RData::TXT(TXT::new(vec!["v=spf1 -all".to_owned()])),
        ),
        record(
            "xn--umlut-ira.test.",
            RData::MX(MX::new(5, name("mail.mx.test."))),
        ),
    ];
    for r in records {
        assert!(zone.upsert_mut(r, 1), "record accepted");
    }
    let mut catalog = Catalog::new();
    catalog.upsert(LowerName::new(&origin), vec![Arc::new(zone)]);

    let udp = tokio::net::UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind udp");
    let addr = udp.local_addr().expect("udp addr");
    let tcp = tokio::net::TcpListener::bind(addr)
        .await
        .expect("bind tcp on the same port");
    let mut server = Server::new(catalog);
    server.register_socket(udp);
    server.register_listener(tcp, Duration::from_secs(5), 4096);
    (addr, server)
}

fn checker(addr: SocketAddr, capacity: usize) -> MxChecker {
    MxChecker::new(MxConfig {
        nameservers: vec![addr],
        timeout: Duration::from_secs(3),
        cache_capacity: capacity,
        ..MxConfig::default()
    })
    .expect("explicit name server")
}

#[tokio::test]
async fn regression_em_050_null_mx_is_no_mx_without_a_fallback() {
    let (addr, _server) = start_server().await;
    let mx = checker(addr, 100);
    let outcome = mx.check("nullmx.test").await;
    assert_eq!(outcome, MxOutcome::NullMx);
    assert_eq!(outcome.email_type(), Some(EmailType::NoMxRecords));
    // The same domain with its A record is reachable for the web: prove the A record is served, so
    // that the NullMx answer above really is a refusal to fall back.
    assert_eq!(mx.check("aonly.test").await, MxOutcome::ImplicitMx);
    // The address itself is syntactically fine: the MX outcome is a separate signal.
    let v = validate("anything@nullmx.test", &Options::default());
    assert!(v.valid);
}

#[tokio::test]
async fn classifies_mx_implicit_missing_and_nonexistent_domains() {
    let (addr, _server) = start_server().await;
    let mx = checker(addr, 100);
    assert_eq!(mx.check("mx.test").await, MxOutcome::HasMx);
    assert_eq!(mx.check("MX.Test").await, MxOutcome::HasMx);
    assert_eq!(mx.check("aonly.test").await, MxOutcome::ImplicitMx);
    assert_eq!(mx.check("txtonly.test").await, MxOutcome::NoMxRecords);
    assert_eq!(mx.check("missing.test").await, MxOutcome::NoMxRecords);
    assert_eq!(
        MxOutcome::NoMxRecords.email_type(),
        Some(EmailType::NoMxRecords)
    );
    assert_eq!(MxOutcome::HasMx.email_type(), None);
    assert_eq!(MxOutcome::ImplicitMx.email_type(), None);
}

#[tokio::test]
async fn looks_up_unicode_domains_by_their_punycode_name() {
    let (addr, _server) = start_server().await;
    let mx = checker(addr, 100);
    assert_eq!(mx.check("umläut.test").await, MxOutcome::HasMx);
    assert_eq!(mx.check("xn--umlut-ira.test").await, MxOutcome::HasMx);
}

#[tokio::test]
async fn an_invalid_domain_has_no_mx_without_a_query() {
    let (addr, _server) = start_server().await;
    let mx = checker(addr, 100);
    assert_eq!(mx.check("bad..test").await, MxOutcome::NoMxRecords);
    assert_eq!(mx.check("").await, MxOutcome::NoMxRecords);
    assert_eq!(mx.cached(), 0);
}

#[tokio::test]
async fn refused_answers_are_not_a_verdict_and_are_not_cached() {
    let (addr, _server) = start_server().await;
    let mx = checker(addr, 100);
    // The server is authoritative for `test.` only and refuses everything else.
    let outcome = mx.check("example.org").await;
    assert_eq!(outcome, MxOutcome::Unavailable);
    assert!(!outcome.is_answer());
    assert_eq!(outcome.email_type(), None);
    assert_eq!(mx.cached(), 0);
}

#[tokio::test]
async fn cache_stays_within_its_capacity() {
    let (addr, _server) = start_server().await;
    let mx = checker(addr, 2);
    for d in [
        "mx.test",
        "aonly.test",
        "txtonly.test",
        "missing.test",
        "nullmx.test",
    ] {
        mx.check(d).await;
        assert!(mx.cached() <= 2, "cache grew to {}", mx.cached());
    }
    assert!(mx.cached() >= 1);
    // A cached answer is served again.
    assert_eq!(mx.check("nullmx.test").await, MxOutcome::NullMx);
    let none = checker(addr, 0);
    none.check("mx.test").await;
    assert_eq!(none.cached(), 0);
}

#[tokio::test]
async fn a_silent_server_is_a_timeout_not_a_verdict() {
    // A socket that receives queries and never answers, plus a TCP listener that never replies.
    let silent = tokio::net::UdpSocket::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = silent.local_addr().expect("addr");
    let _tcp = tokio::net::TcpListener::bind(addr).await.expect("bind tcp");
    let mx = MxChecker::new(MxConfig {
        nameservers: vec![addr],
        timeout: Duration::from_millis(300),
        ..MxConfig::default()
    })
    .expect("explicit name server");
    let started = std::time::Instant::now();
    let outcome = mx.check("mx.test").await;
    assert_eq!(outcome, MxOutcome::Timeout);
    assert!(!outcome.is_answer());
    assert_eq!(outcome.email_type(), None);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(mx.cached(), 0);
    drop(silent);
}
