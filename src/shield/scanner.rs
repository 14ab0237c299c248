//! Vulnerability scanners: tools that name themselves in the User-Agent, and requests for files
//! that only a scanner asks a Node.js app for (`/.env`, `/.git/config`). Each signal here is one a
//! browser never produces; generic "bot" detection belongs to the bot capability.

use super::normalize::Norm;
use super::Hit;
use regex::Regex;
use std::sync::LazyLock;

static AGENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?-u:\b)(?:sqlmap|nikto|nuclei|nmap scripting engine|nmap nse|masscan|zgrab|acunetix|netsparker|invicti|wpscan|dirbuster|gobuster|feroxbuster|ffuf|wfuzz|w3af|openvas|nessus|arachni|havij|zmeu|jaeles|fimap|commix|xsstrike|dirb|hydra|burp ?collaborator|qualys|appscan|webinspect|skipfish|grabber|paros|brutus|bsqlbf|morfeus|webshag|whatweb|nessus|sf_scanner|zaproxy|owasp zap|x-?ray scanner|crowdstrike|detectify|blackwidow|sqlninja|absinthe|pangolin|metis|cgichk|teh forest lobster|webvulnscan|joomscan|droopescan|cmsmap|vega/|interactsh)(?-u:\b)",
    )
    .expect("scanner agent pattern compiles")
});

static PROBE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|/)(?:\.env(?:\.[a-z]+)?|\.git/(?:config|head|index|logs/)|\.svn/(?:entries|wc\.db)|\.hg/|\.aws/credentials|\.ssh/(?:id_[a-z0-9]+|authorized_keys)|\.htpasswd|\.ds_store|wp-config\.php(?:\.[a-z~]+)?|phpinfo\.php|\.bash_history|id_rsa|server-status|\.npmrc|\.dockercfg|docker-compose\.ya?ml|config\.php\.bak|web\.config\.bak)$")
        .expect("scanner probe pattern compiles")
});

/// Paths that scanners try against every host but that a real site may also serve.
static WEAK_PROBE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|/)(?:wp-login\.php|xmlrpc\.php|wp-admin/|phpmyadmin/?|cgi-bin/|admin\.php|setup\.php|install\.php)$")
        .expect("scanner weak probe pattern compiles")
});

pub(crate) fn detect_agent(n: &Norm) -> Option<Hit> {
    AGENT
        .find(&n.lower)
        .map(|m| Hit::new(90, m.start(), m.end()))
}

pub(crate) fn detect_path(n: &Norm) -> Option<Hit> {
    if let Some(m) = PROBE.find(&n.lower) {
        return Some(Hit::new(80, m.start(), m.end()));
    }
    WEAK_PROBE
        .find(&n.lower)
        .map(|m| Hit::new(45, m.start(), m.end()))
}
