//! Deterministic support tickets: the same row count always gives the same
//! files, written once as JSONL (for ticketdesk) and CSV (for the sqlite3
//! floor) and cached under `<target>/bench-data/`.

use anyhow::{Context, Result, ensure};
use std::fmt::Write as _;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// In exactly [`RARE_COUNT`] tickets, spread evenly over the three years.
pub const RARE: &str = "zyxorbium";
pub const RARE_COUNT: usize = 20;
/// In about [`COMMON_SHARE`] of tickets, and in no other ticket.
pub const COMMON: &str = "error";
const COMMON_SHARE: f64 = 0.30;
/// Starts many words of the vocabulary (refund, reset, request, report...).
pub const PREFIX: &str = "re";

/// Bump when the generator changes, so cached files are not reused.
const VERSION: u32 = 1;
const DAY_MS: i64 = 86_400_000;
/// created_at is uniform over [START, END): the three years before a fixed date.
const START_DAY: i64 = days_from_civil(2023, 11, 1);
const END_DAY: i64 = days_from_civil(2026, 11, 1);

/// Generated files for one row count, with what was planted in them.
pub struct Dataset {
    pub rows: usize,
    pub jsonl: PathBuf,
    pub csv: PathBuf,
    pub common_rows: usize,
    pub avg_words: f64,
}

/// The cached dataset for `rows`, generating it first when missing.
pub fn ensure_dataset(dir: &Path, rows: usize) -> Result<Dataset> {
    ensure!(rows >= 1000, "TICKETDESK_BENCH_ROWS must be at least 1000 (got {rows})");
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let stem = dir.join(format!("tickets-v{VERSION}-{rows}"));
    let (jsonl, csv, meta) =
        (stem.with_extension("jsonl"), stem.with_extension("csv"), stem.with_extension("meta"));
    if let Some((common_rows, avg_words)) = read_meta(&meta).filter(|_| jsonl.exists() && csv.exists()) {
        eprintln!("[scale] using cached data for {rows} rows in {}", dir.display());
        return Ok(Dataset { rows, jsonl, csv, common_rows, avg_words });
    }
    eprintln!("[scale] generating {rows} tickets into {} ...", dir.display());
    let (tmp_jsonl, tmp_csv) = (stem.with_extension("jsonl.tmp"), stem.with_extension("csv.tmp"));
    let (common_rows, avg_words) = write_files(rows, &tmp_jsonl, &tmp_csv)?;
    fs::rename(&tmp_jsonl, &jsonl)?;
    fs::rename(&tmp_csv, &csv)?;
    fs::write(&meta, format!("{common_rows} {avg_words}\n"))?;
    Ok(Dataset { rows, jsonl, csv, common_rows, avg_words })
}

fn read_meta(path: &Path) -> Option<(usize, f64)> {
    let text = fs::read_to_string(path).ok()?;
    let mut parts = text.split_whitespace();
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

#[derive(serde::Serialize)]
struct JsonRow<'a> {
    title: &'a str,
    description: &'a str,
    category: &'a str,
    priority: &'a str,
    status: &'a str,
    created_at: &'a str,
}

fn write_files(rows: usize, jsonl: &Path, csv: &Path) -> Result<(usize, f64)> {
    let mut json_out = BufWriter::with_capacity(1 << 20, File::create(jsonl)?);
    let mut csv_out = csv::Writer::from_writer(BufWriter::with_capacity(1 << 20, File::create(csv)?));
    // The CSV carries id and updated_at too, so the floor's rows get the same
    // ids ticketdesk assigns (1, 2, ... in file order).
    csv_out.write_record([
        "id",
        "title",
        "description",
        "category",
        "priority",
        "status",
        "created_at",
        "updated_at",
    ])?;
    let mut generator = Generator { rng: Rng(0x5EED_7D5C ^ rows as u64), rows };
    let (mut common_rows, mut words) = (0, 0);
    for index in 0..rows {
        let t = generator.ticket(index);
        common_rows += usize::from(t.common);
        words += t.description.split_whitespace().count();
        let row = JsonRow {
            title: &t.title,
            description: &t.description,
            category: t.category,
            priority: t.priority,
            status: t.status,
            created_at: &t.created_at,
        };
        serde_json::to_writer(&mut json_out, &row)?;
        json_out.write_all(b"\n")?;
        let id = (index + 1).to_string();
        csv_out.write_record([
            id.as_str(),
            &t.title,
            &t.description,
            t.category,
            t.priority,
            t.status,
            &t.created_at,
            &t.created_at,
        ])?;
    }
    json_out.flush()?;
    csv_out.flush()?;
    Ok((common_rows, words as f64 / rows as f64))
}

/// splitmix64: tiny, fast and the same everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }

    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64) < p * (1u64 << 53) as f64
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }

    fn weighted<T: Copy>(&mut self, items: &[(T, u64)]) -> T {
        let mut roll = self.below(items.iter().map(|(_, w)| w).sum());
        for &(item, weight) in items {
            if roll < weight {
                return item;
            }
            roll -= weight;
        }
        unreachable!("roll is below the total weight")
    }
}

struct Ticket {
    title: String,
    description: String,
    category: &'static str,
    priority: &'static str,
    status: &'static str,
    created_at: String,
    common: bool,
}

struct Generator {
    rng: Rng,
    rows: usize,
}

impl Generator {
    fn ticket(&mut self, index: usize) -> Ticket {
        let rng = &mut self.rng;
        let category = rng.weighted(&[("technical", 38), ("billing", 27), ("account", 20), ("general", 15)]);
        let priority = rng.weighted(&[("low", 30), ("medium", 42), ("high", 20), ("critical", 8)]);
        let span = (END_DAY - START_DAY) * DAY_MS;
        // The rare tickets sit at evenly spaced rows and evenly spaced times.
        let step = self.rows / RARE_COUNT;
        let rare = index % step == step / 2 && index / step < RARE_COUNT;
        let offset = if rare {
            let slot = span / RARE_COUNT as i64;
            (index / step) as i64 * slot + rng.below(slot as u64) as i64
        } else {
            rng.below(span as u64) as i64
        };
        let age_days = (span - offset) / DAY_MS;
        let status = match age_days {
            0..14 => rng.weighted(&[("open", 55), ("in_progress", 30), ("resolved", 12), ("closed", 3)]),
            14..60 => rng.weighted(&[("open", 20), ("in_progress", 20), ("resolved", 35), ("closed", 25)]),
            _ => rng.weighted(&[("open", 4), ("in_progress", 2), ("resolved", 34), ("closed", 60)]),
        };
        let common = rng.chance(COMMON_SHARE);
        // Where a planted word goes: 0 = title, otherwise the description.
        let rare_in_title = rare && rng.below(3) == 0;
        let common_in_title = common && !rare_in_title && rng.below(3) == 0;
        let objects = objects(category);

        let title_template = if rare_in_title {
            rng.pick(RARE_TITLES)
        } else if common_in_title {
            rng.pick(COMMON_TITLES)
        } else {
            rng.pick(TITLES)
        };
        let mut title = String::new();
        fill(rng, objects, title_template, &mut title);
        if rng.chance(0.12) {
            let tail = rng.pick(LONG_TITLE_TAILS);
            fill(rng, objects, tail, &mut title);
        }
        while title.len() < 20 {
            fill(rng, objects, " on the {comp}", &mut title);
        }
        let title = capitalize(truncate_words(&title, 200));

        let target = 20 + rng.below(60) + if rng.chance(0.25) { rng.below(200) } else { 0 };
        let mut sentences: Vec<&str> = Vec::new();
        let mut words = 0;
        while words < target {
            let pool = if rng.below(3) == 0 { category_sentences(category) } else { SENTENCES };
            let sentence = rng.pick(pool);
            words += sentence.split_whitespace().count() as u64 + 1;
            sentences.push(sentence);
        }
        if common && !common_in_title {
            let at = rng.below(sentences.len() as u64 + 1) as usize;
            sentences.insert(at, rng.pick(COMMON_SENTENCES));
        }
        if rare && !rare_in_title {
            let at = rng.below(sentences.len() as u64 + 1) as usize;
            sentences.insert(at, rng.pick(RARE_SENTENCES));
        }
        let mut description = String::new();
        if rng.chance(0.7) {
            description.push_str(rng.pick(&[
                "Hi team,",
                "Hello,",
                "Hi support,",
                "Good morning,",
                "Hi there,",
            ]));
            description.push(if rng.chance(0.5) { '\n' } else { ' ' });
        }
        for (i, sentence) in sentences.iter().enumerate() {
            if i > 0 {
                description.push_str(if rng.chance(0.1) { "\n\n" } else { " " });
            }
            fill(rng, objects, sentence, &mut description);
        }
        if rng.chance(0.6) {
            description.push_str("\n\n");
            let sign_off = rng.pick(SIGN_OFFS);
            fill(rng, objects, sign_off, &mut description);
        }
        let has_common = title.to_lowercase().contains(COMMON) || description.to_lowercase().contains(COMMON);
        assert_eq!(common, has_common, "the common word is planted exactly where chosen: {title}");
        let created_at = timestamp(START_DAY * DAY_MS + offset);
        Ticket { title, description, category, priority, status, created_at, common }
    }
}

const LONG_TITLE_TAILS: &[&str] = &[
    " - this affects {n} users at {company} and we already tried to {verb} the {obj} twice",
    " after we tried to {verb} the {obj} from the {comp} following the advice in your help centre article",
    " (second request, still waiting for a reply about the {obj} from your team)",
];

const SIGN_OFFS: &[&str] =
    &["Thanks, {name}", "Best regards,\n{name} ({company})", "Cheers, {name}", "Kind regards, {name}"];

/// Appends `template` with every `{slot}` filled from the vocabulary.
fn fill(rng: &mut Rng, objects: &[&str], template: &str, out: &mut String) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open + rest[open..].find('}').expect("every slot is closed");
        match &rest[open + 1..close] {
            "obj" => out.push_str(rng.pick(objects)),
            "comp" => out.push_str(rng.pick(COMPONENTS)),
            "verb" => out.push_str(rng.pick(VERBS)),
            "sym" => out.push_str(rng.pick(SYMPTOMS)),
            "time" => out.push_str(rng.pick(TIMES)),
            "name" => out.push_str(rng.pick(NAMES)),
            "company" => out.push_str(rng.pick(COMPANIES)),
            "button" => out.push_str(rng.pick(&["Save", "Continue", "Apply", "Submit", "Confirm", "Next"])),
            "n" => _ = write!(out, "{}", 2 + rng.below(60)),
            "amount" => _ = write!(out, "${}.{:02}", 9 + rng.below(990), rng.below(100)),
            "code" => {
                out.push_str(rng.pick(&["500", "502", "403", "404", "429", "E1042", "E2210", "0x80070005"]))
            }
            "id" => _ = write!(out, "ws-{:06}", rng.below(1_000_000)),
            "rare" => out.push_str(RARE),
            other => unreachable!("unknown slot {other}"),
        }
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn truncate_words(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text.trim();
    }
    let cut = text[..max].rfind(' ').unwrap_or(max);
    text[..cut].trim()
}

/// `YYYY-MM-DDTHH:MM:SS.sssZ` for milliseconds since the Unix epoch.
fn timestamp(ms: i64) -> String {
    let (day, ms) = (ms.div_euclid(DAY_MS), ms.rem_euclid(DAY_MS));
    let (y, m, d) = civil_from_days(day);
    let (h, min, s, milli) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let (d, m) = (doy - (153 * mp + 2) / 5 + 1, if mp < 10 { mp + 3 } else { mp - 9 });
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

// ---- vocabulary: none of it may contain the common or the rare word ----

#[rustfmt::skip]
fn objects(category: &str) -> &'static [&'static str] {
    match category {
        "billing" => &[
            "invoice", "refund", "receipt", "annual plan", "monthly plan", "subscription", "credit card",
            "payment method", "VAT number", "billing address", "discount code", "promo code", "renewal",
            "free trial", "proration", "tax exemption certificate", "purchase order", "bank transfer",
            "seat count", "plan upgrade", "plan downgrade", "payment receipt", "billing contact",
            "usage report", "last charge", "pending payment", "credit note", "billing history",
        ],
        "technical" => &[
            "webhook", "sync job", "CSV export", "PDF report", "SSO login", "API token", "rate limit",
            "push notification", "background job", "nightly backup", "search index", "attachment",
            "dark mode", "time zone setting", "calendar sync", "integration", "custom field",
            "dashboard widget", "bulk import", "audit log", "file preview", "email digest", "shared link",
            "recurring task", "data retention rule", "redirect URL", "release notes page", "mobile login",
        ],
        "account" => &[
            "password", "email address", "username", "two-factor authentication", "recovery code",
            "profile picture", "team member", "admin role", "permissions", "account owner", "login link",
            "security question", "session", "linked Google account", "deactivated account",
            "workspace invite", "registration email", "phone number", "reset link", "guest access",
            "account region", "company name", "notification settings", "connected device",
        ],
        _ => &[
            "feature request", "documentation", "roadmap", "onboarding call", "training session",
            "feedback form", "pricing page", "data retention policy", "GDPR request", "partner program",
            "accessibility statement", "language support", "status page", "newsletter", "case study",
            "reference call", "product demo", "community forum", "release schedule", "reseller agreement",
            "security questionnaire", "uptime report",
        ],
    }
}

#[rustfmt::skip]
const COMPONENTS: &[&str] = &[
    "dashboard", "mobile app", "web app", "desktop client", "admin console", "reporting module", "public API",
    "billing portal", "settings page", "login page", "checkout page", "search bar", "calendar view",
    "file uploader", "notification centre", "export tool", "import wizard", "Slack integration",
    "Salesforce connector", "Android app", "iOS app", "browser extension", "team workspace", "analytics page",
    "user directory", "help centre", "inbox", "reports tab",
];

#[rustfmt::skip]
const VERBS: &[&str] = &[
    "update", "change", "cancel", "download", "open", "save", "sync", "export", "import", "reset", "renew",
    "delete", "edit", "share", "upload", "access", "view", "connect", "remove", "restore", "verify",
    "configure", "enable", "disable", "transfer", "merge", "approve", "submit", "print", "refresh", "review",
    "reactivate",
];

#[rustfmt::skip]
const SYMPTOMS: &[&str] = &[
    "freezes", "crashes", "times out", "shows a blank screen", "loads forever", "logs me out",
    "returns a 500 status", "duplicates every entry", "drops the last row", "shows the wrong total",
    "sends two emails", "is extremely slow", "refuses the request", "rejects my input",
    "displays outdated data", "does nothing", "redirects back to the start page", "hangs at 99 percent",
    "repeats the same step", "resets my changes",
];

#[rustfmt::skip]
const TIMES: &[&str] = &[
    "yesterday", "this morning", "last Friday", "the last update", "two days ago", "last week",
    "the release on Monday", "we migrated", "early this month", "the weekend", "the renewal",
    "our trial ended",
];

#[rustfmt::skip]
const NAMES: &[&str] = &[
    "Maria", "James", "Aisha", "Kenji", "Lucas", "Priya", "Oliver", "Fatima", "Chen", "Sofia", "Noah",
    "Elena", "Tom", "Grace", "Ivan", "Nadia", "Rafael", "Mei",
];

#[rustfmt::skip]
const COMPANIES: &[&str] = &[
    "Acme Logistics", "Northwind", "Bluebird Dental", "Harbor Analytics", "Greenleaf Foods",
    "Pinecrest Legal", "Summit Realty", "Orbit Travel", "Riverside Clinic", "Copperleaf Studio",
];

const TITLES: &[&str] = &[
    "Cannot {verb} {obj}",
    "{comp} {sym} when I {verb} the {obj}",
    "Question about my {obj}",
    "Request to {verb} the {obj}",
    "{obj} not working since {time}",
    "Problem with {obj} on the {comp}",
    "Urgent: {comp} {sym}",
    "How do I {verb} the {obj}?",
    "Wrong {obj} after {time}",
    "Need help with the {obj}",
    "{obj} missing from the {comp}",
    "Unable to {verb} {obj} for our team",
    "Follow-up on {obj} request",
];

const COMMON_TITLES: &[&str] = &[
    "Error {code} when trying to {verb} {obj}",
    "{comp} error on {obj}",
    "Getting an error after {time}",
    "Error message when I {verb} the {obj}",
];

const RARE_TITLES: &[&str] = &["{rare} module {sym}", "Question about the {rare} add-on and my {obj}"];

const SENTENCES: &[&str] = &[
    "Since {time}, the {comp} {sym} whenever I try to {verb} the {obj}.",
    "I tried to {verb} the {obj} from the {comp} but it {sym}.",
    "Could you please {verb} the {obj} for our account?",
    "This affects about {n} people on our team at {company}.",
    "We need this resolved before our quarterly review, so a quick reply would be really appreciated.",
    "I have already cleared the cache, restarted the browser and tried a different device.",
    "Steps to reproduce: open the {comp}, go to the {obj} section and click {button}.",
    "The {obj} was working fine until {time}.",
    "Is there a way to {verb} the {obj} without contacting support every time?",
    "Our admin says the {obj} was changed without any notice.",
    "Please let me know if you need logs, screenshots or anything else.",
    "Thanks in advance for looking into this.",
    "Other users in the same workspace do not seem to have this problem.",
    "The same thing happens on the {comp} and on the {comp}.",
    "We rely on the {obj} every day, so this is quite urgent for us.",
    "I read the help article about the {obj} but the steps there do not match what I see.",
    "When I {verb} the {obj}, nothing changes and the old value comes back after a refresh.",
    "Our account manager told us to open a ticket about the {obj}.",
    "It would be great if the {comp} could {verb} the {obj} automatically.",
    "For reference, our workspace ID is {id} and the account is registered to {name}.",
    "The last time this happened it took {n} days to get it sorted out.",
    "I am attaching a screenshot of what the {comp} shows right now.",
    "My colleague {name} reported the same issue {time} but never heard back.",
    "We are on the {n} seat plan and have been customers for several years.",
];

fn category_sentences(category: &str) -> &'static [&'static str] {
    match category {
        "billing" => &[
            "I was charged {amount} for the {obj} but expected a much lower amount.",
            "The invoice we received {time} does not show our VAT number.",
            "Please send a refund of {amount} to the original payment method.",
            "Our finance team needs a corrected receipt for the {obj} by the end of the month.",
            "We were billed twice for the same period after the renewal.",
        ],
        "technical" => &[
            "The {comp} {sym} roughly {n} times a day, always around the same hour.",
            "Our developers checked the request and the response takes more than {n} seconds.",
            "We tested on Chrome, Firefox and Safari with the same result.",
            "The {obj} works on staging but not in our production workspace.",
        ],
        "account" => &[
            "I no longer have access to the phone number linked to my {obj}.",
            "The reset link in the email expires before I can use it.",
            "A former employee is still listed as the account owner and we need to transfer it.",
            "I would like to change the {obj} for {name} who moved to another team.",
        ],
        _ => &[
            "We are evaluating your product for a team of {n} people and have a few questions.",
            "Is the {obj} available in languages other than English?",
            "Could someone from your team walk us through the {obj}?",
            "We would love to see better reporting on the roadmap.",
        ],
    }
}

const COMMON_SENTENCES: &[&str] = &[
    "I keep getting an error message that says \"Something went wrong\" when I {verb} the {obj}.",
    "The {comp} shows error {code} after I click {button}.",
    "There seems to be an error in the {obj} since {time}.",
    "Every time I {verb} the {obj}, an error pops up and the page reloads.",
    "The log shows errors like {code} for every request from the {comp}.",
];

const RARE_SENTENCES: &[&str] = &[
    "The {rare} module {sym} when I {verb} the {obj}.",
    "We installed the {rare} add-on {time} and the {comp} has not been the same since.",
];
