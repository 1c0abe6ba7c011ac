//! Examples of every rule, the leaks that were closed, and the guarantees
//! (idempotent, never panics, ordinary text untouched).

use super::*;

/// (input, expected output) pairs: each kind with positive and negative cases.
const TABLE: &[(&str, &str)] = &[
    // Emails.
    ("write to jane.doe@example.com please", "write to [EMAIL] please"),
    ("JOHN+billing@mail.example.co.uk.", "[EMAIL]."),
    ("ünïcödé@exämple.de", "[EMAIL]"),
    ("the @mention and user@localhost stay", "the @mention and user@localhost stay"),
    // Phones, international.
    ("call +44 20 7946 0958 now", "call [PHONE] now"),
    ("+1 (555) 123-4567", "[PHONE]"),
    ("+33 1 23 45 67 89", "[PHONE]"),
    ("+44 (0)20 7946 0958", "[PHONE]"),
    ("0049 30 1234567", "[PHONE]"),
    ("+4915112345678", "[PHONE]"),
    // Phones, national.
    ("(555) 123-4567", "[PHONE]"),
    ("555-123-4567", "[PHONE]"),
    ("555.123.4567", "[PHONE]"),
    ("1-800-555-0199", "[PHONE]"),
    ("020 7946 0958", "[PHONE]"),
    ("07700 900123", "[PHONE]"),
    ("06 12 34 56 78", "[PHONE]"),
    ("(03) 9123 4567", "[PHONE]"),
    ("my phone number is 5551234567", "my phone number is [PHONE]"),
    ("Tel: 5551234", "Tel: [PHONE]"),
    // Ordinary numbers stay.
    ("order #12345 failed", "order #12345 failed"),
    ("order #0012345678 failed", "order #0012345678 failed"),
    ("since 2019 and in 2024", "since 2019 and in 2024"),
    ("got a 500 error", "got a 500 error"),
    ("between 2019-2024", "between 2019-2024"),
    ("on 01.02.2024 at 10:30", "on 01.02.2024 at 10:30"),
    ("charged $1,234.56 twice", "charged $1,234.56 twice"),
    ("Windows 10.0.19045.3803", "Windows 10.0.19045.3803"),
    ("5551234567 is an account number", "5551234567 is an account number"),
    ("invoice 1234567 and 7654321", "invoice 1234567 and 7654321"),
    // Cards (Luhn-valid) and non-cards.
    ("card 4111 1111 1111 1111 exp 12/27", "card [CARD] exp 12/27"),
    ("4111-1111-1111-1111", "[CARD]"),
    ("5500005555555559", "[CARD]"),
    ("amex 3782 822463 10005", "amex [CARD]"),
    ("4111 1111 1111 1111 12", "[CARD] 12"),
    ("4111 1111 1111 1112", "4111 1111 1111 1112"),
    ("1234567890123456", "1234567890123456"),
    // IBANs (mod-97) and near misses.
    ("IBAN DE89 3704 0044 0532 0130 00 thanks", "IBAN [IBAN] thanks"),
    ("GB82WEST12345698765432", "[IBAN]"),
    ("fr14 2004 1010 0505 0001 3m02 606", "[IBAN]"),
    ("GB82WEST12345698765433 and GB82 WEST 1234", "GB82WEST12345698765433 and GB82 WEST 1234"),
    // IP addresses.
    ("from 192.168.1.20 and 10.0.0.1", "from [IP] and [IP]"),
    ("subnet 10.0.0.0/8", "subnet [IP]"),
    ("host 2001:db8:85a3::8a2e:370:7334 down", "host [IP] down"),
    ("::1 and fe80::1%eth0", "[IP] and [IP]"),
    ("::ffff:192.0.2.128", "[IP]"),
    ("version 1.2.3.4.5 and 999.1.1.1", "version 1.2.3.4.5 and 999.1.1.1"),
    ("at 10:30:00 use std::vector or dead::beef", "at 10:30:00 use std::vector or dead::beef"),
    ("mac 00:1A:2B:3C:4D:5E", "mac 00:1A:2B:3C:4D:5E"),
    // Tokens.
    ("key sk-ant-api03-AbCdEf0123456789_xyz-QRS", "key [TOKEN]"),
    ("sk-proj-abcdefghijklmnop1234", "[TOKEN]"),
    ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "[TOKEN]"),
    ("xoxb-1234567890-abcdefghij", "[TOKEN]"),
    ("AKIAIOSFODNN7EXAMPLE", "[TOKEN]"),
    ("Authorization: Bearer abc.def-123_XYZ", "Authorization: Bearer [TOKEN]"),
    ("bearer instruments are fine", "bearer instruments are fine"),
    ("sha 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "sha [TOKEN]"),
    ("dGhpcyBpcyBhIHNlY3JldCB0b2tlbiB2YWx1ZQ==", "[TOKEN]"),
    ("api_key=abc123", "api_key=[TOKEN]"),
    (r#"{"token": "q1w2e3r4"}"#, r#"{"token": [TOKEN]}"#),
    ("supercalifragilisticexpialidocious_words", "supercalifragilisticexpialidocious_words"),
    ("id 550e8400-e29b-41d4-a716-446655440000", "id 550e8400-e29b-41d4-a716-446655440000"),
    ("/var/log/application/server/errors.log", "/var/log/application/server/errors.log"),
    ("the token expired yesterday", "the token expired yesterday"),
    ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLE", "aws_secret_access_key = [TOKEN]"),
    // Passwords keep their label.
    ("password: hunter2", "password: [PASSWORD]"),
    ("Password=S3cr3t!", "Password=[PASSWORD]"),
    ("pwd: abc def", "pwd: [PASSWORD] def"),
    ("my passcode is 4242", "my passcode is [PASSWORD]"),
    (r#"password: "correct horse battery""#, "password: [PASSWORD]"),
    (r#"{"password":"hunter2"}"#, r#"{"password":[PASSWORD]}"#),
    ("my password is wrong", "my password is wrong"),
    ("password was reset", "password was reset"),
    ("forgot my password again", "forgot my password again"),
];

#[test]
fn table_of_examples() {
    let mut failures = Vec::new();
    for (input, expected) in TABLE {
        let got = redact(input);
        if got != *expected {
            failures.push(format!("{input:?}\n   expected {expected:?}\n        got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} redaction mismatches:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn a_realistic_ticket_keeps_its_meaning() {
    let ticket = "Hi, I'm Jane (jane@corp.example, +1 415 555 0134). I was charged twice on card \
                  4242 4242 4242 4242 for order #88231. Our server 203.0.113.9 shows a 500 error \
                  since 2024. password: Tr0ub4dor&3";
    let out = redact(ticket);
    assert_eq!(
        out,
        "Hi, I'm Jane ([EMAIL], [PHONE]). I was charged twice on card [CARD] for order #88231. \
         Our server [IP] shows a 500 error since 2024. password: [PASSWORD]"
    );
}

#[test]
fn text_without_secrets_is_unchanged() {
    for text in ["", "   ", "The app crashes when I click Save.", "Refund for invoice 2024-0042?"] {
        assert_eq!(redact(text), text);
    }
}

#[test]
fn redaction_is_idempotent() {
    for (input, _) in TABLE.iter().chain(CLOSED_LEAKS).chain(NUMBERS_IN_COMPANY) {
        let once = redact(input);
        assert_eq!(redact(&once), once, "second pass changed {input:?}");
    }
}

#[test]
fn luhn_and_iban_checks() {
    assert!(luhn_valid("4111111111111111"));
    assert!(luhn_valid("378282246310005"));
    assert!(!luhn_valid("4111111111111112"));
    assert!(!luhn_valid(""));
    assert!(!luhn_valid("41x1"));
    assert!(is_valid_iban("DE89370400440532013000"));
    assert!(is_valid_iban("gb82 west 1234 5698 7654 32"));
    assert!(!is_valid_iban("GB82WEST12345698765433"));
    assert!(!is_valid_iban("DE89"));
    assert!(!is_valid_iban("DE89 3704 0044 0532 0130 0Ä"));
}

#[test]
fn never_panics_on_awkward_input() {
    let awkward = [
        "\u{0}\u{1b}[31m+",
        "++++++++",
        "0000000000000000000000000000000000000000000000000000",
        "password:",
        "password: ",
        "@@@@.com",
        "::::::::::",
        "é4111 1111 1111 1111é",
        "+",
        "1.1.1.1.1.1.1.1",
        "Bearer",
        "🙂 4111111111111111 🙂 jane@example.com 🙂",
    ];
    for text in awkward {
        let _ = redact(text);
    }
    // Thousands of pseudo-random mixes of the awkward pieces of every rule.
    let pieces = [
        "+", "00", "4111", " ", "-", ".", ":", "::", "@", "é", "🙂", "(", ")", "#", "/", "=", "\"", "'",
        "password", " is ", "Bearer ", "sk-ant-", "DE89", "1", "0", "255", "ab", "\n", "[TOKEN]", "token=",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..(seed % 24) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
        }
        let _ = redact(&text);
    }
    // A 200,000-character pseudo-random paste is one token, found in linear time.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let long: String =
        (0..200_000usize).map(|i| alphabet[(i * 7919 + i / 13) % alphabet.len()] as char).collect();
    assert_eq!(redact(&long), TOKEN);
}

/// Values that used to leave the machine, written the ways customers write
/// them: obfuscated, in other scripts, in other countries' formats.
const CLOSED_LEAKS: &[(&str, &str)] = &[
    // E-mails spelled out, bracketed, quoted, hidden by invisible or fullwidth characters.
    ("reach me: maria dot lopez at outlook dot com thanks", "reach me: [EMAIL] thanks"),
    ("maria.lopez [at] outlook [dot] com", "[EMAIL]"),
    ("maria.lopez(AT)outlook(DOT)com!", "[EMAIL]!"),
    ("write to m.lopez at outlook.com", "write to [EMAIL]"),
    ("hello at m.lopez at outlook.com", "hello at [EMAIL]"),
    (r#"from "maria lopez"@example.org today"#, "from [EMAIL] today"),
    ("maria\u{200B}@outlook.com", "[EMAIL]"),
    ("maria\u{00AD}lopez@outlook.com", "[EMAIL]"),
    ("maria＠outlook.com", "[EMAIL]"),
    ("maria @ outlook.com", "[EMAIL]"),
    ("maria﹫outlook．com", "[EMAIL]"),
    // Phones in other countries' shapes, or introduced as a number.
    ("call 98765 43210 after six", "call [PHONE] after six"),
    ("cel (11) 91234-5678", "cel [PHONE]"),
    ("móvil 612 345 678", "móvil [PHONE]"),
    ("my number is 555-1234", "my number is [PHONE]"),
    ("contact number: 555 0199", "contact number: [PHONE]"),
    // A dashed IBAN is one IBAN, not a phone number with a prefix.
    ("IBAN DE89-3704-0044-0532-0130-00", "IBAN [IBAN]"),
    // Cards wrapped, dotted, slashed, underscored, in other digits.
    ("card 4111 1111\n1111 1111 expires", "card [CARD] expires"),
    ("4111.1111.1111.1111", "[CARD]"),
    ("5500/0055/5555/5559", "[CARD]"),
    ("4242_4242_4242_4242", "[CARD]"),
    ("４１１１ １１１１ １１１１ １１１１", "[CARD]"),
    ("٤١١١ ١١١١ ١١١١ ١١١١", "[CARD]"),
    ("۴۲۴۲۴۲۴۲۴۲۴۲۴۲۴۲", "[CARD]"),
    ("४१११ ११११११११११११", "[CARD]"),
    // Passwords under other labels and languages.
    ("pass: tr0ub4dor", "pass: [PASSWORD]"),
    ("pw: hunter2", "pw: [PASSWORD]"),
    ("PIN: 4321", "PIN: [PASSWORD]"),
    ("my pin is 4321", "my pin is [PASSWORD]"),
    ("Passwort: Sommer2024", "Passwort: [PASSWORD]"),
    ("mot de passe: soleil42", "mot de passe: [PASSWORD]"),
    ("contraseña: gato99", "contraseña: [PASSWORD]"),
    ("DB_PASSWORD=s3cret", "DB_PASSWORD=[PASSWORD]"),
    ("我的密码：abc123", "我的密码：[PASSWORD]"),
    ("newPassword: Sommer2024", "newPassword: [PASSWORD]"),
    (r#"{"userPassword":"Sommer2024"}"#, r#"{"userPassword":[PASSWORD]}"#),
    ("if password == 'hunter2'", "if password == [PASSWORD]"),
    ("<db_password>hunter2</db_password>", "<db_password>[PASSWORD]</db_password>"),
    // Labelled keys as pasted from code and config.
    ("theApiKey: Xk2mPq9RtVwLz4", "theApiKey: [TOKEN]"),
    (r#"settings["secret"] = "swordfish""#, r#"settings["secret"] = [TOKEN]"#),
    (r#"private_key "swordfish";"#, r#"private_key [TOKEN];"#),
    ("<apiKey>swordfish</apiKey>", "<apiKey>[TOKEN]</apiKey>"),
    (
        "AccountKey=bm90IGEgcmVhbCBrZXk=;EndpointSuffix=core.windows.net",
        "AccountKey=[TOKEN];EndpointSuffix=core.windows.net",
    ),
    // Session tokens, webhook URLs, zero-padded addresses.
    ("session 8f14e45fceea167a", "session [TOKEN]"),
    ("Cookie: JSESSIONID=a3f9c2e1b7d84f60c2e1b7d84f", "Cookie: JSESSIONID=[TOKEN]"),
    (
        "https://discord.com/api/webhooks/1234567890/abcdefghijklmnopqrstuvwxyzabcdefgh",
        "https://discord.com/api/webhooks/[TOKEN]",
    ),
    (
        "https://hooks.slack.com/services/Tabcdefgh/Babcdefgh/abcdefghijklmnopqrstuvwx.",
        "https://hooks.slack.com/services/[TOKEN].",
    ),
    ("https://deploy:hunter2@10.0.0.5/repo", "https://deploy:[PASSWORD]@[IP]/repo"),
    (
        "https://api.example.com/v1/report?sig=abcdefghijklmnop&user=7",
        "https://api.example.com/v1/report?sig=[TOKEN]&user=7",
    ),
    ("host 192.168.001.020 down", "host [IP] down"),
    // Token formats beyond AKIA and ghp_.
    ("ABIAZK4PQ7RTWMXLJWEA", "[TOKEN]"),
    ("ACCABGTQVLMZWXRWPQKD", "[TOKEN]"),
    ("A3T7KQ2ZMXR9PLW4TE6B", "[TOKEN]"),
    ("sid ACkqzmwnvbxplrtyeuioasdfghjklzxcvb", "sid [TOKEN]"),
    ("SKkqzmwnvbxplrtyeuioasdfghjklzxcvb", "[TOKEN]"),
    ("glrt-Rt5kLmNpQ2sVwXyZ7aBc", "[TOKEN]"),
    ("gldt-Rt5kLmNpQ2sVwXyZ7aBc", "[TOKEN]"),
    ("//registry.npmjs.org/:_auth=bWFyaWE6czNjcmV0", "//registry.npmjs.org/:_auth=[TOKEN]"),
    ("jfrog AKCpkqzmwnvbxpl", "jfrog [TOKEN]"),
    ("jfrog AP7kqzmwnvbxpl", "jfrog [TOKEN]"),
    ("MTIzNDU2Nzg5MDEyMzQ1Njc4.GhJkLm.abcdefghijklmnopqrstuvwxyzA", "[TOKEN]"),
    ("bot7213808860:AAGkqzmwnvbxplrtyeuioasdfghjklzxcv", "[TOKEN]"),
    ("sent with SG.Xk2mPq9RtVwLz4NbHc7YdF.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ", "sent with [TOKEN]"),
];

#[test]
fn closes_known_leaks() {
    let mut failures = Vec::new();
    for (input, expected) in CLOSED_LEAKS {
        let got = redact(input);
        if got != *expected {
            failures.push(format!("{input:?}\n   expected {expected:?}\n        got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{} leaks:\n{}", failures.len(), failures.join("\n"));
}

/// Numbers written against other numbers, dates and times: cases the
/// generated checks in `props.rs` once found.
const NUMBERS_IN_COMPANY: &[(&str, &str)] = &[
    ("v2.3.10\t4000 0000 0000 0002", "v2.3.10\t[CARD]"),
    ("ref 48213 4111 1111 1111 1111", "ref [CARD]"),
    ("1-800-001-0000", "[PHONE]"),
    ("phone: 0000100005 2026-11-28", "phone: [PHONE] 2026-11-28"),
    ("#123 020 0000 0000", "#123 [PHONE]"),
    ("020 0010 0000", "[PHONE]"),
    ("4000 0010 0000 0000", "[CARD]"),
    ("3700\n000000\n00101 2026-11-28", "[CARD] 2026-11-28"),
    ("020 2011 0030 2026-11-28", "[PHONE] 2026-11-28"),
    ("order 48213 4104 3648 2858 0008\n14:05", "order [CARD]\n14:05"),
    ("14:05 020 0000 0000", "14:05 [PHONE]"),
    ("(000) 001-0000", "[PHONE]"),
    ("order 48213 +44 20 0000 0000", "order 48213 [PHONE]"),
];

#[test]
fn numbers_next_to_other_numbers_are_still_found() {
    for (input, expected) in NUMBERS_IN_COMPANY {
        assert_eq!(redact(input), *expected, "{input:?}");
    }
}

#[test]
fn text_around_a_normalised_match_comes_out_as_written() {
    // Fullwidth prose stays fullwidth; only the number inside is replaced.
    assert_eq!(
        redact("ｃａｌｌ ＋４４ ２０ ７９４６ ０９５８ ｐｌｅａｓｅ"),
        "ｃａｌｌ [PHONE] ｐｌｅａｓｅ"
    );
    // Zero-width characters outside a match, ligatures and emoji joiners are kept.
    let text = "ﬁnal\u{200B}ly 👩\u{200D}💻 — «déjà vu» ①②③";
    assert_eq!(redact(text), text);
    // The invisible character inside the address goes with it.
    assert_eq!(redact("x jo\u{200B}hn@example.com y"), "x [EMAIL] y");
}

/// Ordinary ticket text that no rule may touch.
pub(super) const ORDINARY: &[&str] = &[
    "Refund of $1,299.00 please",
    "charged €49.99 on 2026-11-28",
    "since 14:05 today",
    "after updating to v2.3.10",
    "see #123 and #4521",
    "order 48213 never arrived",
    "orders 48213 and 48214",
    "invoice 2024-0042",
    "3 items, 2 hours, 10% off",
    "page 2 of 5",
    "Windows 11 build 22631",
    "error 500 at 09:30:15",
    "expires 12/27",
    "on 28.11.2026 at 10:30",
    "between 2019-2024",
    "tracking 1Z 999 AA1",
    "version 4.18.2-beta.1",
    "ticket id 550e8400-e29b-41d4-a716-446655440000",
    "see https://status.example.com/incidents/2026-11-28",
    "log in at app.example.com",
    "all our logins are @oldname.example",
    "at NotificationServiceImplem.handle.processIncomingMessagesQueue(Queue.java)",
    "the password is wrong",
    "my session expired",
    "the token expired",
    "press key: Escape",
    "look at the attached file",
    "bearer instruments. Refund",
    "room 101, floor 3",
    "qty 1,000 at $2.50",
];

#[test]
fn ordinary_ticket_text_is_left_alone() {
    for text in ORDINARY {
        assert_eq!(redact(text), *text);
    }
}
/// `n` characters cycling through `seed`: a stand-in for random key material.
fn fill(seed: &str, n: usize) -> String {
    seed.chars().cycle().take(n).collect()
}

const MIXED: &str = "Rt5kLmNpQ2sVwXyZ7aBc9dEf";
const HEX: &str = "3f9a0c7e1b2d4e6f8a5c";
const UPPER: &str = "Q7ZK2MXR9PLW4TE6BN3J";
const LOWER: &str = "kq7zmw2nvb5xpl8rty";

fn m(n: usize) -> String {
    fill(MIXED, n)
}

fn h(n: usize) -> String {
    fill(HEX, n)
}

/// Realistic examples of the cloud, forge, CI and registry token formats.
fn infrastructure_examples() -> Vec<(&'static str, String)> {
    vec![
        ("aws-access-key-id", format!("AKIA{}", fill(UPPER, 16))),
        ("aws-access-key-id", format!("ASIA{}", fill(UPPER, 16))),
        ("aws-access-key-id", format!("ABIA{}", fill(UPPER, 16))),
        ("aws-access-key-id", format!("ACCA{}", fill(UPPER, 16))),
        ("aws-access-key-id", format!("A3TX{}", fill(UPPER, 16))),
        ("aws-bedrock", format!("ABSK{}=", m(110))),
        ("aws-bedrock", format!("bedrock-api-key-{}", m(40))),
        ("google-api-key", format!("AIza{}", m(35))),
        ("google-oauth", format!("GOCSPX-{}", m(28))),
        ("google-oauth", format!("ya29.{}", m(60))),
        ("google-client-id", format!("731904562218-{}.apps.googleusercontent.com", fill(LOWER, 32))),
        ("azure-ad-client-secret", format!("xY48Q~{}", m(32))),
        ("alibaba", format!("LTAI{}", m(20))),
        ("digitalocean", format!("dop_v1_{}", h(64))),
        ("cloudflare-origin-ca", format!("v1.0-{}-{}", h(24), h(146))),
        ("hashicorp-vault", format!("hvs.{}", m(30))),
        ("hashicorp-vault-legacy", format!("s.{}", m(36))),
        ("terraform-cloud", format!("{}.atlasv1.{}", m(14), m(70))),
        ("heroku", format!("HRKU-{}", m(60))),
        ("aiven", format!("AVNS_{}", m(21))),
        ("github", format!("ghp_{}", m(36))),
        ("github", format!("gho_{}", m(36))),
        ("github", format!("ghu_{}", m(36))),
        ("github", format!("ghs_{}", m(36))),
        ("github", format!("ghr_{}", m(36))),
        ("github", format!("github_pat_11{}", m(80))),
        ("gitlab", format!("glpat-{}", m(20))),
        ("gitlab", format!("gldt-{}", m(20))),
        ("gitlab", format!("glrt-{}", m(20))),
        ("gitlab", format!("glsoat-{}", m(20))),
        ("gitlab", format!("glcbt-64_{}", m(20))),
        ("gitlab", format!("GR1348941{}", m(20))),
        ("bitbucket", format!("ATBB{}", m(32))),
        ("atlassian", format!("ATATT3{}", m(60))),
        ("npm", format!("npm_{}", m(36))),
        ("pypi", format!("pypi-AgEIcHlwaS5vcmc{}", m(70))),
        ("rubygems", format!("rubygems_{}", h(48))),
        ("clojars", format!("CLOJARS_{}", fill(LOWER, 60))),
        ("docker-hub", format!("dckr_pat_{}", m(27))),
        ("artifactory-api-key", format!("AKCp{}", m(69))),
        ("artifactory-password", format!("AP6{}", m(10))),
        ("artifactory-password", format!("APB{}", fill(LOWER, 10))),
        ("jfrog-reference-token", format!("cmVmdGtuOjAxOj{}", m(50))),
        ("buildkite", format!("bkua_{}", h(40))),
        ("circleci", format!("CCIPAT_{}_{}", m(22), h(40))),
        ("databricks", format!("dapi{}", h(32))),
        ("pulumi", format!("pul-{}", h(40))),
        ("prefect", format!("pnu_{}", m(36))),
        ("doppler", format!("dp.pt.{}", m(43))),
        ("sentry", format!("sntrys_{}", m(60))),
        ("grafana", format!("glc_{}", m(40))),
        ("grafana", format!("glsa_{}_{}", m(32), h(8))),
        ("grafana", format!("eyJrIjoi{}==", m(60))),
        ("new-relic", format!("NRAK-{}", fill(UPPER, 27))),
        ("dynatrace", format!("dt0c01.{}.{}", fill(UPPER, 24), fill(UPPER, 64))),
        ("planetscale", format!("pscale_tkn_{}", m(43))),
        ("supabase", format!("sbp_{}", h(40))),
        ("fly-io", format!("fo1_{}", m(43))),
        ("netlify", format!("nfp_{}", m(36))),
        ("postman", format!("PMAK-{}-{}", h(24), h(34))),
        ("linear", format!("lin_api_{}", m(40))),
        ("figma", format!("figd_{}", m(40))),
        ("airtable", format!("pat{}.{}", m(14), h(64))),
        ("notion", format!("ntn_{}", m(46))),
        ("shopify", format!("shpat_{}", h(32))),
        ("hugging-face", format!("hf_{}", m(34))),
        ("readme", format!("rdme_{}", fill(LOWER, 70))),
        ("typeform", format!("tfp_{}", m(59))),
        ("frame-io", format!("fio-u-{}", m(64))),
        ("contentful", format!("CFPAT-{}", m(43))),
        ("age", format!("AGE-SECRET-KEY-1{}", fill(UPPER, 58))),
    ]
}

/// Realistic examples of the messaging, mail, payment and AI token formats.
fn service_examples() -> Vec<(&'static str, String)> {
    vec![
        ("1password", format!("ops_eyJ{}", m(150))),
        ("slack", format!("xoxb-1234567890-{}", m(24))),
        ("slack", format!("xoxp-1234567890-1234567890-{}", fill(HEX, 32))),
        ("slack", format!("xapp-1-{}-1234567890-{}", fill(UPPER, 11), h(64))),
        ("discord-bot", format!("MTIzNDU2Nzg5MDEyMzQ1Njc4.GhJkLm.{}", m(27))),
        ("telegram-bot", format!("7213808860:AAG{}", m(32))),
        ("twilio", format!("AC{}", h(32))),
        ("twilio", format!("SK{}", h(32))),
        ("sendgrid", format!("SG.{}.{}", m(22), m(43))),
        ("mailchimp", format!("{}-us14", h(32))),
        ("mailgun", format!("key-{}", m(32))),
        ("facebook", format!("EAAC{}", m(120))),
        ("twitter-bearer", format!("AAAAAAAAAAAAAAAAAAAAA{}", m(60))),
        ("mapbox", format!("pk.eyJ1Ijoi{}.{}", m(30), m(22))),
        ("dropbox", format!("sl.{}", m(130))),
        ("stripe", format!("sk_live_{}", m(24))),
        ("stripe", format!("rk_live_{}", m(24))),
        ("stripe", format!("whsec_{}", m(32))),
        ("square", format!("sq0csp-{}", m(43))),
        ("square", format!("EAAA{}", m(60))),
        ("shippo", format!("shippo_live_{}", h(40))),
        ("duffel", format!("duffel_test_{}", m(43))),
        ("flutterwave", format!("FLWSECK_TEST-{}-X", h(32))),
        ("easypost", format!("EZAK{}", m(54))),
        ("anthropic", format!("sk-ant-api03-{}", m(40))),
        ("openai", format!("sk-proj-{}", m(48))),
        ("xai", format!("xai-{}", m(80))),
        ("groq", format!("gsk_{}", m(52))),
        ("replicate", format!("r8_{}", m(37))),
        ("perplexity", format!("pplx-{}", m(48))),
        ("jwt", format!("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI{}.{}", m(20), m(43))),
        ("jwt", format!("eyJhbGciOiJub25lIn0.eyJzdWIiOiI{}.", m(20))),
    ]
}

/// One or more realistic examples of every known token format.
fn token_examples() -> Vec<(&'static str, String)> {
    let mut all = infrastructure_examples();
    all.extend(service_examples());
    all
}

#[test]
fn every_token_format_has_an_example_that_it_catches() {
    let examples = token_examples();
    for family in tokens::FAMILIES {
        assert!(examples.iter().any(|(name, _)| *name == family.name), "no example for {}", family.name);
    }
    for (name, example) in &examples {
        let family = tokens::FAMILIES.iter().find(|f| f.name == *name).expect("a known family");
        let whole = regex::Regex::new(&format!("^(?:{})$", family.pattern)).expect("pattern");
        assert!(whole.is_match(example) && (family.check)(example), "{name}'s pattern misses {example}");
        assert_eq!(redact(&format!("see {example} now")), "see [TOKEN] now", "{name}");
    }
}

#[test]
fn private_keys_go_whole() {
    let body = format!("{}\n{}", fill("MIIEpAIBAAKCAQEAx7Zq", 64), fill("b3BlbnNzaC1rZXktdjE", 64));
    let whole =
        format!("key:\n-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\nthanks");
    assert_eq!(redact(&whole), "key:\n[TOKEN]\nthanks");
    let truncated = format!("-----BEGIN OPENSSH PRIVATE KEY-----\n{body}\nthe rest is missing");
    assert_eq!(redact(&truncated), "[TOKEN]\nthe rest is missing");
    let escaped = format!(
        r#"{{"key": "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n"}}"#,
        fill("MIIEvQ", 64)
    );
    assert_eq!(redact(&escaped), r#"{"key": "[TOKEN]\n"}"#);
    // A block cut short does not run on to the END of the next one.
    let two = format!("-----BEGIN EC PRIVATE KEY-----\n{body}\nsorry, cut off\n{whole}");
    assert_eq!(redact(&two), "[TOKEN]\nsorry, cut off\nkey:\n[TOKEN]\nthanks");
    let putty = "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nPrivate-Lines: 1\nAAAAIB\nPrivate-MAC: 9f86d081884c7d65";
    assert_eq!(redact(putty), "[TOKEN]");
}
