//! A desk to draw: eighteen tickets from the sample set, the stats that go
//! with them, a long ticket for the detail view, and ticket text aimed at the
//! agent's terminal. Shared by the render snapshots and the screen tests.

use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use ticketdesk::domain::stats::{
    CategoryBreakdown, FieldOutcomes, Outcome, PriorityBreakdown, SuggestionOutcomes,
};
use ticketdesk::domain::{Category, Priority, Stats, Status, Ticket, timestamp};
use ticketdesk::tui::model::StatsView;

/// The moment every fixture is seen from.
pub const NOW: OffsetDateTime = datetime!(2026-11-24 12:00 UTC);

pub fn ticket(
    id: i64,
    title: &str,
    description: &str,
    category: Category,
    priority: Priority,
    status: Status,
    minutes_ago: i64,
) -> Ticket {
    let created = NOW - Duration::minutes(minutes_ago);
    Ticket {
        id,
        title: title.to_owned(),
        description: description.to_owned(),
        category,
        priority,
        status,
        created_at: timestamp::format(created),
        updated_at: timestamp::format(created + Duration::minutes(minutes_ago / 3)),
        assignee: None,
        version: 1,
    }
}

/// Eighteen tickets from the sample set, newest first.
pub fn sample_rows() -> Vec<Ticket> {
    let rows = [
        (
            "Fastest support ever, thanks",
            "Asked a question 4 minutes ago and already had a correct answer. Fastest support I've dealt with this year, thank you!",
            Category::General,
            Priority::Low,
            Status::Open,
            3,
        ),
        (
            "429 Too Many Requests at ~10 req/min on Scale plan",
            "We're on the Scale plan (600 requests per minute) but the API has been returning 429 Too Many Requests after about 10 requests per minute since this morning. Our order sync is now hours behind.",
            Category::Technical,
            Priority::High,
            Status::Open,
            17,
        ),
        (
            "My saved 2FA recovery codes are all 'invalid'",
            "I'm trying the recovery codes I saved when I set up 2FA and every one says 'invalid code'. I've tried 5 of the 10. I'm certain they're the right ones, they're in my password manager with the date. How else can I get back in?",
            Category::Account,
            Priority::High,
            Status::InProgress,
            42,
        ),
        (
            "student pricing??",
            "hey do u have any student pricing? im running a small etsy shop while at uni and the starter plan is a bit much for me rn. thanks!!",
            Category::Billing,
            Priority::Low,
            Status::Open,
            65,
        ),
        (
            "Bulk edit 'select all 340' only updates the first page",
            "Selecting 'all 340 orders' and changing the service to Express only updates the 50 on the first page. I can do it page by page in the meantime, but that's seven rounds of clicking.",
            Category::Technical,
            Priority::Medium,
            Status::Resolved,
            130,
        ),
        (
            "Black Friday: label creation failing on every carrier",
            "It's Black Friday and label creation fails with 'carrier service unavailable' on every single carrier we use. We have 9,000 orders queued. Genuinely the worst possible day for this. Please tell me someone is working on it.",
            Category::Technical,
            Priority::Critical,
            Status::Open,
            200,
        ),
        (
            "Does Parcelly handle dangerous goods (lithium batteries)?",
            "We're about to start selling lithium batteries. Does Parcelly support dangerous goods declarations for UPS and FedEx, and what would we need to set up on our side?",
            Category::General,
            Priority::Medium,
            Status::Closed,
            420,
        ),
        (
            "Is the annual price locked in at renewal?",
            "If we buy annual now at $99/month, is that price locked at renewal or could it go up? Just budgeting for next year, thanks.",
            Category::Billing,
            Priority::Low,
            Status::Open,
            900,
        ),
        (
            "Any plans to accept crypto for annual plans?",
            "Any plans to accept crypto (USDC, for example) for annual plans? Asking for our CFO, who is... enthusiastic. Totally fine if the answer is no.",
            Category::Billing,
            Priority::Low,
            Status::InProgress,
            1500,
        ),
        (
            "500 error creating return label for one order",
            "Return label creation gives a 500 every time for order #10-4481. Other orders work fine. This customer has been waiting a week for the return label and is now threatening a chargeback.",
            Category::Technical,
            Priority::High,
            Status::Open,
            2900,
        ),
        (
            "Dashboard slow every morning between 8 and 10",
            "The dashboard takes around 20 seconds to load between 8 and 10am. After that it's fine. Not the end of the world, but it's annoying at exactly our busiest time.",
            Category::Technical,
            Priority::Medium,
            Status::Open,
            4400,
        ),
        (
            "Refund sent to a card I closed last month",
            "You issued my refund to my old card, which I closed last month. The bank says the money will bounce back to you and could take weeks. Can you send it by bank transfer instead? It's $640 and I really do need it.",
            Category::Billing,
            Priority::High,
            Status::Resolved,
            7000,
        ),
        (
            "Annual renewal debited three times from our operating account",
            "Our annual Business plan renewed on the 3rd and you debited €5,880 three separate times (references ending 771, 772 and 773). Our account is now overdrawn and payroll runs tomorrow.\nI need written confirmation of the refunds today and a direct phone number for someone in billing, not a ticket queue.",
            Category::Billing,
            Priority::Critical,
            Status::Open,
            9900,
        ),
        (
            "Can we have two owners?",
            "For redundancy we'd like two people with owner rights. Is that possible? If not, what's the closest alternative so we're not dependent on one person?",
            Category::Account,
            Priority::Medium,
            Status::InProgress,
            15000,
        ),
        (
            "GDPR data access request",
            "Under GDPR I request a copy of all personal data you hold about me (lena.fischer@example.com), including login history and any data received from merchants who shipped parcels to me. Please respond within the statutory period.",
            Category::Account,
            Priority::Medium,
            Status::Open,
            22000,
        ),
        (
            "Replace personal mobile number used for 2FA",
            "I'd like to remove my personal mobile number from my profile since I'm switching to a company phone. When I try, it says the number is needed for 2FA. How do I swap it over?",
            Category::Account,
            Priority::Medium,
            Status::Closed,
            40000,
        ),
        (
            "Invoice bills 1,200 seats, we have 45 users",
            "Our invoice this month bills 1,200 seats at $12 each. We have 45 users. The payment has already gone through on auto-pay, $14,400. That's a huge chunk of our cash for the month and our finance director is asking me how I let this happen.\nI need this reversed, not a credit note for future invoices.",
            Category::Billing,
            Priority::High,
            Status::Open,
            70000,
        ),
        (
            "End-of-day manifest times out (504)",
            "The end-of-day manifest for our main warehouse times out with a 504 every time. The driver arrives at 17:30 and won't take parcels without a manifest. Same thing happened yesterday and we had to write it out by hand.",
            Category::Technical,
            Priority::High,
            Status::Open,
            130000,
        ),
    ];
    rows.into_iter()
        .enumerate()
        .map(|(i, (title, description, category, priority, status, minutes))| {
            ticket(340 - i as i64, title, description, category, priority, status, minutes)
        })
        .collect()
}

pub fn stats_view() -> StatsView {
    StatsView {
        stats: Stats {
            total_tickets: 360,
            open_tickets: 118,
            avg_tickets_per_day: 11.612903,
            priority_breakdown: PriorityBreakdown { low: 96, medium: 131, high: 93, critical: 40 },
            category_breakdown: CategoryBreakdown { billing: 104, technical: 139, account: 71, general: 46 },
            // A team where Claude has answered most of the year and the
            // local model has caught up on categories, less on priorities.
            suggestions: SuggestionOutcomes {
                claude: FieldOutcomes {
                    category: Outcome { kept: 177, changed: 34 },
                    priority: Outcome { kept: 152, changed: 59 },
                },
                local: FieldOutcomes {
                    category: Outcome { kept: 105, changed: 25 },
                    priority: Outcome { kept: 92, changed: 38 },
                },
            },
        },
        per_day: vec![
            9, 12, 8, 14, 11, 3, 2, 10, 13, 15, 12, 16, 4, 3, 12, 11, 17, 14, 13, 5, 2, 15, 18, 21, 16, 14,
            6, 4, 19, 8,
        ],
    }
}

pub fn empty_stats() -> StatsView {
    StatsView { stats: Stats::default(), per_day: vec![0; 30] }
}

pub fn detail_ticket() -> Ticket {
    ticket(
        331,
        "Annual renewal debited three times from our operating account",
        "Our annual renewal was taken three times this morning:\n\n\
         \t- 08:02  $4,788.00\n\t- 08:03  $4,788.00\n\t- 08:05  $4,788.00\n\n\
         That is $14,364 out of an account that pays our carriers. Two of the three need to come back \
         today, and we need to know why the retry logic charged a card that had already succeeded. \
         Please call me on the number in the account, or reply here with the refund references so our \
         bank can trace them.\n\nThanks,\nMarta (finance)",
        Category::Billing,
        Priority::Critical,
        Status::InProgress,
        185,
    )
}

/// Titles and descriptions aimed at the agent's terminal, and wide ones.
pub fn hostile_rows() -> Vec<Ticket> {
    let rows = [
        ("\u{1b}]0;pwned title\u{7}", "\u{1b}[2J\u{1b}[Hclear the screen", Category::Technical),
        ("copy \u{1b}]52;c;ZWNobyBoYWNrZWQ=\u{7}", "OSC 52 writes the clipboard", Category::Account),
        ("\u{9b}31mred via C1 CSI", "\u{9d}0;title via C1 OSC\u{9c}", Category::Billing),
        ("invoice \u{202e}fdp.exe", "\u{2066}isolated\u{2069} text", Category::Billing),
        (
            "請求書が二重に請求されました（至急）",
            "カードに二回請求されています。返金をお願いします。",
            Category::Billing,
        ),
        (
            "🎫🎫 emoji 🔥 title 👩‍💻 with ❤️ and more",
            "🙂 description\twith a tab\nand a newline",
            Category::General,
        ),
        (
            "退款 refund 退款 refund 退款 refund 退款 refund 退款 refund",
            "漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字",
            Category::Technical,
        ),
        (
            "bell\u{7}\u{8}backspace\r carriage del\u{7f}ete",
            "link \u{1b}]8;;https://evil.example\u{1b}\\click\u{1b}]8;;\u{1b}\\",
            Category::General,
        ),
    ];
    rows.into_iter()
        .enumerate()
        .map(|(i, (title, description, category))| {
            ticket(
                90 - i as i64,
                title,
                description,
                category,
                Priority::ALL[i % 4],
                Status::ALL[i % 4],
                10 * i as i64,
            )
        })
        .collect()
}
