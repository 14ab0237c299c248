//! OS command injection: a shell separator (`;`, `|`, `&`, `&&`, `||`, a newline, `` ` ``, `$(`)
//! followed, at a token boundary, by a command word. Command names that are also English words
//! (`cat`, `echo`, `ping`, `sleep`) need an argument that only a shell user would write (`-x`,
//! `/path`, a number, `$VAR`), so `"\nMeasure"` or `Perley` stay text.

use super::normalize::{Norm, ANGLE, BACKTICK, CHAIN, CONTROL, DOLLAR, PAREN};
use super::Hit;
use regex::Regex;
use std::sync::LazyLock;

/// Commands that are not English words: a separator before them is enough.
const STRONG: &[&str] = &[
    "whoami",
    "uname",
    "ifconfig",
    "ipconfig",
    "netstat",
    "wget",
    "curl",
    "nc",
    "ncat",
    "netcat",
    "bash",
    "sh",
    "zsh",
    "ksh",
    "csh",
    "tcsh",
    "dash",
    "netsh",
    "sysinfo",
    "which",
    "wmic",
    "icacls",
    "schtasks",
    "sc",
    "cmd",
    "cmd.exe",
    "powershell",
    "pwsh",
    "passwd",
    "chmod",
    "chown",
    "nslookup",
    "systeminfo",
    "tasklist",
    "taskkill",
    "xterm",
    "perl",
    "python",
    "python2",
    "python3",
    "ruby",
    "php",
    "telnet",
    "tftp",
    "ls",
    "id",
    "pwd",
    "env",
    "printenv",
    "busybox",
    "base64",
    "xxd",
    "rm",
    "mkfifo",
    "nohup",
    "sudo",
    "su",
    "uptime",
    "hostname",
    "lsof",
    "ps",
    "dig",
    "host",
    "traceroute",
    "tracert",
    "certutil",
    "bitsadmin",
    "regsvr32",
    "rundll32",
    "mshta",
    "wscript",
    "cscript",
    "net.exe",
    "whoami.exe",
    "certutil.exe",
    "ipconfig.exe",
    "gcc",
    "awk",
    "sed",
    "xargs",
    "crontab",
    "useradd",
    "scp",
    "ssh",
    "socat",
    "telnet.exe",
    "ver",
    "vol",
    "dir",
    "nmap",
    "killall",
    "chattr",
    "lsattr",
    "getent",
    "groups",
    "last",
    "w",
    "wc",
    "od",
    "hexdump",
    "strings",
    "tac",
    "nl",
    "rev",
    "sleep",
    "ping",
    "cat",
    "echo",
    "type",
    "head",
    "tail",
    "more",
    "less",
    "find",
    "grep",
    "kill",
    "expr",
    "set",
    "net",
    "time",
    "touch",
    "cp",
    "mv",
    "tar",
    "sort",
    "uniq",
    "cut",
    "exit",
    "eval",
    "exec",
    "export",
    "unset",
];

/// Of the above, those that are also English words or very short, which need an argument.
const WEAK: &[&str] = &[
    "sleep", "ping", "cat", "echo", "type", "head", "tail", "more", "less", "find", "grep", "kill",
    "expr", "set", "net", "time", "touch", "cp", "mv", "tar", "sort", "uniq", "cut", "exit",
    "eval", "exec", "export", "unset", "host", "last", "w", "wc", "od", "nl", "rev", "tac", "dir",
    "which", "sc", "ver", "vol", "groups", "strings", "ps", "su", "dig", "rm", "id", "sh", "nc",
    "ls", "env", "sed", "awk", "php", "ruby", "perl", "python", "cmd", "ssh", "scp", "sudo",
    "hostname", "uptime",
];

/// A separator, optional quoting, then a word (the candidate command) and what follows it.
static CHAINED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:[;|&\n\r`]|\$\(|\$\{ifs\}|%0a|\\[nr])[\s+]*[\(\{]?\s*(?:["']?(?:/?usr)?(?:/s?bin/|c:\\windows\\system32\\))?([a-z][a-z0-9_.]{0,15})["']?(\$\{ifs\}|\$ifs|[ \t+]+|<|>|;|\||&|`|\)|$|,|\n|\r|\\[nr])([^\s;|&`]{0,12})"#)
        .expect("cmdi pattern compiles")
});

/// Windows batch control flow as the value, or after a separator: `FOR /F "tokens=*" %G IN
/// ('dir /b') DO ...` and `IF /I NOT EXIST x (CMD)`, `IF %ERRORLEVEL% LEQ 2 echo`, `if a==b foo`.
/// The comparison form needs a command after it, so code such as `if x == 1: y` stays text, and its
/// left side cannot open with `(` (`if (a==b) return` is C or JavaScript).
static BATCH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"^[\s&|;]*(?:"#,
        r#"for\s+(?:/[a-z]\s+(?:"[^"]{0,80}"\s+|[a-z]:\\\S{0,80}\s+)?)*%%?[^\s%]{1,30}\s+in\s*\([^)]{0,200}\)\s*do(?:[\s(@]|$)"#,
        r#"|if\s+(?:/i\s+)?(?:not\s+)?(?:exist\s+\S|defined\s+\S|errorlevel\s+\d|cmdextversion\s+\d"#,
        r#"|[^\s(]\S{0,80}\s*==\s*\S{0,80}[^\s:]\s+[a-z(@]"#,
        r#"|[^\s(]\S{0,80}\s+(?:equ|neq|lss|leq|gtr|geq)\s+\S{0,80}[^\s:]\s+[a-z(@]))"#
    ))
    .expect("cmdi batch pattern compiles")
});

/// Whether the value opens with `for` or `if` (after separators), the only way [`BATCH`] matches.
fn batch_possible(s: &str) -> bool {
    let t = s
        .trim_start_matches([' ', '\t', '&', '|', ';', '\n', '\r'])
        .as_bytes();
    (t.len() > 4 && t[..4].eq_ignore_ascii_case(b"for "))
        || (t.len() > 3 && t[..3].eq_ignore_ascii_case(b"if "))
}

/// Markup that an `echo` writes somewhere it will be served.
static DANGEROUS_ECHO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<\s*(?:script|img|svg|iframe|\?php)").expect("cmdi echo pattern compiles")
});

static SHELL_PATH: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"/bin/(?:ba|z|k|c|da)?sh(?-u:\b)|/s?bin/(?:cat|ls|id|nc|ping|echo|uname|whoami|wget|curl|busybox)(?-u:\b)")
        .expect("cmdi shell path pattern compiles")
});

/// Unambiguous shell constructs: absolute paths of shells and tools, `$(...)`, `${IFS}`, backticks.
static CONSTRUCT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<!--\s*#\s*(?:exec|include|echo|config|fsize|flastmod)(?-u:\b)|\$\{ifs\}|\$ifs(?-u:\b)|(?-u:\b)cmd(?:\.exe)?\s*/[ck](?-u:\b)|(?-u:\b)powershell(?:\.exe)?\s+-|(?-u:\b)nc(?:at)?\s+-[a-z]*e\s|(?-u:\b)bash\s+-i(?-u:\b)|>\s*/dev/tcp/|(?-u:\b)(?:wget|curl)\s+(?:-[a-z]+\s+)*(?:https?|ftp)://")
        .expect("cmdi construct pattern compiles")
});

/// Code-execution calls of server-side languages (`system('id')`, `<?php`), which reach the shell.
static CODE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?-u:\b)(?:system|exec|shell_exec|passthru|popen|proc_open|pcntl_exec|phpinfo|assert|eval|create_function|call_user_func|runtime\.getruntime\(\)\.exec|child_process|spawnsync|execsync|os\.system|os\.popen|subprocess\.\w+)\s*\(\s*(?:["'`$)]|\w+\s*\()|<\?(?:php|=)|\$\{\s*@?(?:sleep|print|system|eval|exec|phpinfo|passthru|shell_exec)\s*\(|(?-u:\b)require\s*\(\s*['"]child_process"#)
        .expect("cmdi code pattern compiles")
});

/// Whether a separator is followed by a known command, read the way [`CHAINED`] reads it; the
/// capturing regex only runs when one is (most `;` and `&` in values separate prose or arguments).
fn chained_candidate(s: &str) -> bool {
    let b = s.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        let mut j = match c {
            b';' | b'|' | b'&' | b'\n' | b'\r' | b'`' => i + 1,
            b'$' if matches!(b.get(i + 1), Some(b'(' | b'{' | b'i')) => i + 2,
            b'%' if b.get(i + 1..i + 3) == Some(b"0a") => i + 3,
            // A written-out `\n`, for apps that unescape values.
            b'\\' if matches!(b.get(i + 1), Some(b'n' | b'r')) => i + 2,
            _ => continue,
        };
        while j < b.len()
            && matches!(
                b[j],
                b' ' | b'\t'
                    | b'\n'
                    | b'\r'
                    | b'+'
                    | b'('
                    | b'{'
                    | b'"'
                    | b'\''
                    | b'}'
                    | 0x0b
                    | 0x0c
            )
        {
            j += 1;
        }
        let rest = &s[j.min(s.len())..];
        let rest = rest
            .strip_prefix("/usr")
            .unwrap_or(rest)
            .trim_start_matches("ifs}");
        let rest = rest
            .strip_prefix("/bin/")
            .or_else(|| rest.strip_prefix("/sbin/"))
            .or_else(|| rest.strip_prefix("c:\\windows\\system32\\"))
            .unwrap_or(rest);
        let end = rest
            .bytes()
            .position(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_' || c == b'.'))
            .unwrap_or(rest.len());
        if end > 0 && strong(&rest[..end]) {
            return true;
        }
    }
    false
}

/// The command-name lists as hash sets: a lookup runs once per separator and word of every value,
/// so it must cost one hash of a short word (a binary search over the sorted list was a quarter of
/// the shield's time on a clean request, in string comparisons).
type WordSet = std::collections::HashSet<&'static str, ahash::RandomState>;

static STRONG_SET: LazyLock<(WordSet, usize)> = LazyLock::new(|| word_set(STRONG));
static WEAK_SET: LazyLock<(WordSet, usize)> = LazyLock::new(|| word_set(WEAK));

fn word_set(words: &[&'static str]) -> (WordSet, usize) {
    let longest = words.iter().map(|w| w.len()).max().unwrap_or(0);
    (words.iter().copied().collect(), longest)
}

/// A known command name.
fn strong(word: &str) -> bool {
    let (set, longest) = &*STRONG_SET;
    word.len() <= *longest && set.contains(word)
}

/// A command name that is also an English word or very short.
fn weak(word: &str) -> bool {
    let (set, longest) = &*WEAK_SET;
    word.len() <= *longest && set.contains(word)
}

/// Text utilities and shell builtins: in pasted pipelines (`| sort -rn | head -5`, `(eval
/// $ac_compile)`) they are how people share shell snippets, so chaining one is weak evidence unless
/// it reaches a system location.
const TOOLS: &[&str] = &[
    "sort", "uniq", "head", "tail", "grep", "wc", "cut", "xargs", "du", "find", "touch", "tar",
    "cp", "mv", "awk", "sed", "tac", "rev", "nl", "od", "more", "less", "strings", "expr", "exit",
    "eval", "exec", "export", "unset", "set", "time",
];

/// Commands that only read system state and are never words: the value being exactly one of
/// them (`whoami`, `ifconfig;`) is a probe.
const PROBES: &[&str] = &[
    "whoami",
    "ifconfig",
    "ipconfig",
    "netstat",
    "systeminfo",
    "sysinfo",
    "uname",
    "tasklist",
    "printenv",
];

/// Whether `rest` names a system location (`/etc/`, `/proc/`, `C:\`, `%SYSTEMROOT%`).
fn system_location(rest: &str) -> bool {
    use super::normalize::has_str;
    has_str(rest, "/etc/")
        || has_str(rest, "/proc/")
        || has_str(rest, "/dev/")
        || has_str(rest, "c:\\")
        || has_str(rest, "c:/")
        || has_str(rest, "%systemroot%")
        || has_str(rest, "%windir%")
}

/// The value without the quotes and spaces that open it (`" ping.exe -n 31 ...`, `'uname'`) or
/// form-style `+` spaces (`+dir+c:/`): how a parameter closes a quoted argument or a field.
fn command_text(s: &str) -> &str {
    s.trim_start_matches([' ', '\t', '\'', '"', '+'])
}

/// The first word of a value, if it is a known command (cheap: used to decide whether a value
/// without shell punctuation, such as `uname -a`, needs the detector at all).
pub(crate) fn leading_command(s: &str) -> bool {
    let t = command_text(s);
    let end = t
        .bytes()
        .position(|c| !(c.is_ascii_alphanumeric() || c == b'_' || c == b'.'))
        .unwrap_or(t.len());
    if end == 0 || end > 16 {
        return false;
    }
    let mut buf = [0u8; 16];
    for (d, c) in buf.iter_mut().zip(t.as_bytes()) {
        *d = c.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..end]).is_ok_and(|w| strong(w) || w == "reg" || w == "ping.exe")
}

/// Whether a value without shell punctuation could still be a command: it opens with a known
/// command word or with batch `for`/`if`.
pub(crate) fn start_possible(s: &str) -> bool {
    leading_command(s) || batch_possible(s)
}

/// Scores a value that starts with a command word: `netstat -an`, `cat /etc/hosts`,
/// `which curl`, `wget http://...`. English-looking words need an argument no sentence has.
fn start_score(s: &str) -> u32 {
    let t = command_text(s);
    // A quoted mention followed by more text (`"uname -p", while ...`) is prose about a command.
    if let Some(q) = s
        .trim_start()
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '\''))
    {
        if t.find(q).is_some_and(|i| !t[i + 1..].trim().is_empty()) {
            return 0;
        }
    }
    let mut words = t.split([' ', '\t', '+']).filter(|w| !w.is_empty());
    let word = words.next().unwrap_or("");
    let arg = words.next().unwrap_or("");
    let rest = &t[word.len()..];
    if arg.is_empty() {
        let bare = word.trim_end_matches([';', '|', '&', '\'', '"']);
        return if PROBES.contains(&bare) { 65 } else { 0 };
    }
    let flag = arg.len() > 1 && arg.starts_with('-');
    let url = arg.contains("://") || arg.bytes().filter(|&c| c == b'.').count() >= 3;
    let drive =
        arg.len() > 2 && arg.as_bytes()[1] == b':' && arg.as_bytes()[0].is_ascii_alphabetic();
    let path = arg.starts_with('/') || drive || arg.starts_with('%');
    if word == "reg" {
        return if matches!(arg, "add" | "query" | "delete" | "save" | "export")
            && rest.contains("hk")
        {
            75
        } else {
            0
        };
    }
    if !strong(word) && word != "ping.exe" {
        return 0;
    }
    if TOOLS.contains(&word) {
        return if system_location(rest) { 65 } else { 0 };
    }
    if word == "gcc" {
        // Compiler command lines are what build logs and mailing lists are made of.
        return 0;
    }
    if !weak(word) {
        let shell_arg = is_arg(arg) && !arg.starts_with(|c: char| c.is_ascii_digit());
        return if shell_arg || url || flag { 70 } else { 0 };
    }
    let sensitive = system_location(rest);
    if matches!(word, "perl" | "python" | "ruby" | "php") {
        return if matches!(arg, "-e" | "-c" | "-r") {
            70
        } else {
            0
        };
    }
    let shell = match word {
        "rm" => arg.starts_with('-') && arg.contains('r') && arg.contains('f'),
        "cat" | "ls" | "id" | "ps" | "env" | "sh" | "nc" | "su" | "sudo" | "ssh" | "scp" => {
            flag || sensitive || (path && word != "cat")
        }
        "ping" | "ping.exe" => flag && rest.bytes().any(|c| c.is_ascii_digit()),
        "sleep" => rest.trim().bytes().all(|c| c.is_ascii_digit()),
        "which" => {
            let a = arg.trim_end_matches([';', '|', '&']);
            strong(a) && !TOOLS.contains(&a)
        }
        "type" | "dir" => drive || sensitive || arg.starts_with('%'),
        "net" => matches!(arg, "user" | "localgroup" | "share" | "view" | "group"),
        // Echoing markup or a substitution into a page or a file.
        "echo" => rest.contains('`') || rest.contains("$(") || DANGEROUS_ECHO.is_match(rest),
        _ => false,
    };
    if shell {
        65
    } else {
        0
    }
}

fn is_arg(arg: &str) -> bool {
    match arg.as_bytes().first() {
        Some(b'-' | b'/' | b'$' | b'.' | b'~' | b'\\' | b'\'' | b'"' | b'>' | b'<' | b'%') => true,
        Some(c) if c.is_ascii_digit() => true,
        _ => arg.len() >= 2 && arg.as_bytes()[1] == b':',
    }
}

/// Scores a value. `text` is true for body text lines, where `;` and newlines are punctuation.
pub(crate) fn detect(n: &Norm, text: bool) -> Option<Hit> {
    let start_possible = !text && start_possible(&n.lower);
    if !n.has(CHAIN | CONTROL | BACKTICK | DOLLAR | PAREN | ANGLE)
        && !super::normalize::has_str(&n.lower, "/bin/")
        && !super::normalize::has_str(&n.lower, "\\n")
        && !start_possible
    {
        return None;
    }
    let s: &str = &n.lower;
    let mut best: Option<Hit> = None;
    let mut take = |score: u32, start: usize, end: usize| {
        if score > 0 && best.is_none_or(|b| score > b.score) {
            best = Some(Hit::new(score, start, end));
        }
    };
    let construct_possible = n.has(DOLLAR | ANGLE) || n.words() & super::normalize::W_SHELL != 0;
    if let Some(m) = if construct_possible {
        CONSTRUCT.find(s)
    } else {
        None
    } {
        take(85, m.start(), m.end());
    }
    // Naming a shell binary is how people write about shells; it is weak on its own.
    if let Some(m) = if super::normalize::has_str(s, "bin/") {
        SHELL_PATH.find(s)
    } else {
        None
    } {
        let before = s[..m.start()]
            .trim_end_matches("/usr")
            .trim_end_matches("usr")
            .trim_end();
        let chained = before.is_empty() || before.ends_with([';', '|', '&', '`', '(', '\n']);
        take(if chained { 80 } else { 55 }, m.start(), m.end());
    }
    if let Some(m) = if n.has(PAREN | ANGLE | DOLLAR)
        && (n.words() & super::normalize::W_CODE != 0 || super::normalize::has_str(s, "<?"))
    {
        CODE.find(s)
    } else {
        None
    } {
        take(if text { 65 } else { 80 }, m.start(), m.end());
    }
    // Whether the value begins with a separator: the shape of a parameter made to end a command.
    let head = s.trim_start_matches([' ', '\t', '"', '\'']);
    let leads = head.starts_with([';', '|', '&', '`', '\n', '\r'])
        || head.starts_with("$(")
        || head.starts_with("\\n");
    if start_possible && batch_possible(s) {
        if let Some(m) = BATCH.find(s) {
            take(70, m.start(), m.end());
        }
    }
    // A command as the whole value, with shell-style arguments (`uname -a`, `netstat -an`).
    if start_possible {
        let end = s.find(['\n', ';', '|', '&']).unwrap_or(s.len());
        take(start_score(s), 0, end);
    }
    let chained_possible = (n.has(CHAIN | CONTROL | BACKTICK)
        || super::normalize::has_str(s, "$(")
        || super::normalize::has_str(s, "${ifs}")
        || super::normalize::has_str(s, "\\n"))
        && chained_candidate(s);
    for c in CHAINED.captures_iter(if chained_possible { s } else { "" }) {
        let whole = c.get(0).expect("group 0 always matches");
        let word = c.get(1).map_or("", |m| m.as_str());
        let sep = c.get(2).map_or("", |m| m.as_str());
        let arg = c.get(3).map_or("", |m| m.as_str());
        if !strong(word) {
            continue;
        }
        // The match begins with its separator (a newline is one, so it is not trimmed).
        let lead = whole.as_str().trim_start_matches([' ', '\t']);
        let separator = lead.chars().next().unwrap_or(' ');
        let at_start = whole.start() == 0
            && !matches!(separator, ';' | '|' | '&' | '\n' | '\r' | '`' | '$' | '\\');
        let is_weak = weak(word);
        // The command ends where shell syntax ends it: `;id|`, `| id`, `` `id` ``.
        let terminated = sep.is_empty()
            || matches!(sep, ";" | "|" | "&" | "`" | ")" | "<" | ">" | "\\n" | "\\r")
            || (arg.is_empty() && sep.trim().is_empty());
        // Newlines and backticks also appear in prose and Markdown (`head`).
        let line_break = matches!(separator, '\n' | '\r' | '`');
        let only_separators_before = s[..whole.start()]
            .trim_matches(|c: char| {
                matches!(c, ';' | '|' | '&' | '\n' | '\r' | ' ' | '\t' | '"' | '\'')
            })
            .trim_start_matches("\\n")
            .is_empty();
        let score = if at_start {
            0
        } else if leads && only_separators_before && !text {
            if is_weak
                && !(is_arg(arg) || terminated || arg.chars().all(|c| c.is_ascii_alphanumeric()))
            {
                60
            } else {
                85
            }
        } else if line_break || text {
            // In prose a newline or `;` is punctuation: demand a shell-looking argument.
            if is_arg(arg) && !arg.is_empty() {
                if is_weak {
                    65
                } else {
                    75
                }
            } else if !is_weak && terminated && !text {
                65
            } else {
                0
            }
        } else if is_weak {
            if is_arg(arg) || (terminated && sep != " ") {
                75
            } else {
                0
            }
        } else {
            80
        };
        // A pasted pipeline of text tools (`| sort -rn | head -5`) is shell, but not an attack on
        // this server unless it reaches a system location.
        let score = if TOOLS.contains(&word) && !system_location(&s[whole.start()..]) {
            score.min(55)
        } else {
            score
        };
        take(score, whole.start(), whole.end());
    }
    let _ = &mut take;
    best
}
