//! The one timestamp format the store uses: `YYYY-MM-DDTHH:MM:SS.sssZ`, UTC,
//! fixed width, so that text order is time order.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

const STORED: &[time::format_description::BorrowedFormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// Formats an instant in the stored form.
pub fn format(at: OffsetDateTime) -> String {
    at.to_offset(UtcOffset::UTC)
        .format(STORED)
        .unwrap_or_else(|_| unreachable!("every UTC instant in range formats"))
}

/// Parses any RFC 3339 timestamp (any offset) into the stored UTC form.
/// Years outside 0000–9999 are refused: they would break fixed width.
pub fn normalize(rfc3339: &str) -> Result<String, String> {
    let at = OffsetDateTime::parse(rfc3339.trim(), &Rfc3339)
        .map_err(|e| format!("not an RFC 3339 timestamp ({e})"))?;
    let utc = at.to_offset(UtcOffset::UTC);
    if !(0..=9999).contains(&utc.year()) {
        return Err("year must be between 0000 and 9999".into());
    }
    Ok(format(utc))
}

/// Parses a stored timestamp back into an instant.
pub fn parse_stored(stored: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(stored, &Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_offsets_to_utc_millis() {
        assert_eq!(normalize("2024-03-01T10:00:00+02:00").unwrap(), "2024-03-01T08:00:00.000Z");
        assert_eq!(normalize("2024-03-01T08:00:00.123456Z").unwrap(), "2024-03-01T08:00:00.123Z");
        assert_eq!(normalize("2024-12-31T23:30:00-01:00").unwrap(), "2025-01-01T00:30:00.000Z");
    }

    #[test]
    fn refuses_what_is_not_rfc3339() {
        for bad in ["yesterday", "2024-03-01", "2024-03-01 08:00:00", "", "2024-13-01T00:00:00Z"] {
            assert!(normalize(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stored_form_parses_back() {
        let stored = "2026-11-24T20:20:13.123Z";
        assert_eq!(format(parse_stored(stored).unwrap()), stored);
    }
}

/// A short age such as "now", "45s", "3m", "5h", "2d", "3w", "4mo" or "2y".
pub fn age(stored: &str, now: OffsetDateTime) -> String {
    let Some(at) = parse_stored(stored) else {
        return "?".into();
    };
    let secs = (now - at).whole_seconds();
    match secs {
        s if s < 5 => "now".into(),
        s if s < 60 => format!("{s}s"),
        s if s < 3_600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3_600),
        s if s < 14 * 86_400 => format!("{}d", s / 86_400),
        s if s < 60 * 86_400 => format!("{}w", s / (7 * 86_400)),
        s if s < 365 * 86_400 => format!("{}mo", s / (30 * 86_400)),
        s => format!("{}y", s / (365 * 86_400)),
    }
}

#[cfg(test)]
mod age_tests {
    use super::*;

    #[test]
    fn ages_read_at_a_glance() {
        let now = parse_stored("2026-11-24T12:00:00.000Z").unwrap();
        let cases = [
            ("2026-11-24T12:00:00.000Z", "now"),
            ("2026-11-24T11:59:15.000Z", "45s"),
            ("2026-11-24T11:57:00.000Z", "3m"),
            ("2026-11-24T07:00:00.000Z", "5h"),
            ("2026-11-22T12:00:00.000Z", "2d"),
            ("2026-11-03T12:00:00.000Z", "3w"),
            ("2026-07-24T12:00:00.000Z", "4mo"),
            ("2024-11-24T12:00:00.000Z", "2y"),
            ("2026-11-25T12:00:00.000Z", "now"),
        ];
        for (stored, want) in cases {
            assert_eq!(age(stored, now), want, "{stored}");
        }
    }
}
