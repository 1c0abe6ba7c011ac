//! The stats pane: totals, per-priority and per-category bars (labels and
//! counts written out), how often suggestions are kept ([`trust`]), and the
//! last 30 days as a sparkline.

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline, Widget, Wrap};

use super::theme::Theme;
use super::{fit, pane_block, trust};
use crate::domain::text::sanitize_line;
use crate::domain::{Category, Priority};
use crate::tui::model::{Loading, Model, Pane, StatsView};

/// The narrowest a bar group can be: label, count and a few cells of bar.
const MIN_GROUP: u16 = 17;
const LABEL_WIDTH: usize = 9;
const EIGHTHS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];

pub fn render(frame: &mut Frame, area: Rect, model: &Model, theme: Theme) {
    if area.is_empty() {
        return;
    }
    let focused = model.focus == Pane::Stats;
    let loading = matches!(model.stats, Loading::Loading);
    let extra = if loading { vec![Span::styled("loading… ", theme.dim())] } else { vec![] };
    let block = pane_block("Stats", extra, focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.is_empty() {
        return;
    }
    let buf = frame.buffer_mut();
    match &model.stats {
        Loading::Idle | Loading::Loading => {
            fit::put(buf, inner, &Line::styled("loading…", theme.dim()));
        }
        Loading::Failed(why) => {
            let text = format!("✗ Could not load the stats: {}", sanitize_line(&why.to_string()));
            Paragraph::new(Line::styled(text, theme.error())).wrap(Wrap { trim: true }).render(inner, buf);
        }
        Loading::Ready(view) => ready(buf, inner, view, theme),
    }
}

fn ready(buf: &mut Buffer, area: Rect, view: &StatsView, theme: Theme) {
    let stats = &view.stats;
    let number = |n: String| Span::styled(n, theme.bold());
    let label = |s: &'static str| Span::styled(s, theme.dim());
    let summary = Line::from(vec![
        label("Total "),
        number(stats.total_tickets.to_string()),
        label("   Open "),
        number(stats.open_tickets.to_string()),
        label("   Per day "),
        number(format!("{:.2}", stats.avg_tickets_per_day)),
    ]);

    let p = &stats.priority_breakdown;
    let priorities: Vec<Bar> = [
        (Priority::Critical, p.critical),
        (Priority::High, p.high),
        (Priority::Medium, p.medium),
        (Priority::Low, p.low),
    ]
    .into_iter()
    .map(|(priority, n)| Bar { label: priority.as_str(), value: n, style: theme.priority(priority) })
    .collect();
    let c = &stats.category_breakdown;
    let categories: Vec<Bar> = [
        (Category::Billing, c.billing),
        (Category::Technical, c.technical),
        (Category::Account, c.account),
        (Category::General, c.general),
    ]
    .into_iter()
    .map(|(category, n)| Bar { label: category.as_str(), value: n, style: theme.category() })
    .collect();

    // Rows, most important first: the summary, the bars, how often
    // suggestions are kept, then the sparkline.
    let side_by_side = area.width >= 2 * MIN_GROUP + 2;
    let bars_height: u16 = if side_by_side { 5 } else { 10 };
    let kept = trust::lines(&stats.suggestions, theme);
    let kept_height = u16::try_from(kept.len()).unwrap_or(u16::MAX);
    let mut y = area.y;
    let bottom = area.bottom();
    fit::put(buf, Rect { y, height: 1, ..area }, &summary);
    y += 1;
    let spare = bottom.saturating_sub(y);
    let gap = u16::from(spare >= bars_height + kept_height + 4 + u16::from(kept_height > 0));
    y += gap;
    if y >= bottom {
        return;
    }
    let bars_area = Rect { y, height: bars_height.min(bottom - y), ..area };
    if side_by_side {
        let half = bars_area.width / 2;
        let left = Rect { width: half - 1, ..bars_area };
        let right = Rect { x: bars_area.x + half + 1, width: bars_area.width - half - 1, ..bars_area };
        bar_group(buf, left, "By priority", &priorities, theme);
        bar_group(buf, right, "By category", &categories, theme);
    } else {
        bar_group(
            buf,
            Rect { height: bars_area.height.min(5), ..bars_area },
            "By priority",
            &priorities,
            theme,
        );
        if bars_area.height > 5 {
            let lower = Rect { y: bars_area.y + 5, height: bars_area.height - 5, ..bars_area };
            bar_group(buf, lower, "By category", &categories, theme);
        }
    }
    y += bars_area.height;
    if kept_height > 0 {
        y += u16::from(bottom.saturating_sub(y) >= kept_height + 4);
        for line in &kept {
            if y >= bottom {
                return;
            }
            fit::put(buf, Rect { y, height: 1, ..area }, line);
            y += 1;
        }
    }
    // A gap only if the sparkline still gets its heading and two rows.
    y += u16::from(bottom.saturating_sub(y) >= 4);
    if y < bottom {
        last_days(buf, Rect { y, height: bottom - y, ..area }, &view.per_day, theme);
    }
}

struct Bar {
    label: &'static str,
    value: i64,
    style: Style,
}

/// A heading, then one row per bar: `critical   40 ████████▍`.
fn bar_group(buf: &mut Buffer, area: Rect, heading: &str, bars: &[Bar], theme: Theme) {
    let width = usize::from(area.width);
    fit::put(buf, area, &Line::styled(fit::truncate(heading, width).into_owned(), theme.heading()));
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(0);
    let count_width = bars.iter().map(|b| b.value.to_string().len()).max().unwrap_or(1);
    let bar_width = width.saturating_sub(LABEL_WIDTH + 1 + count_width + 1);
    for (i, bar) in bars.iter().enumerate() {
        let Some(row) = fit::row(area, u16::try_from(i + 1).unwrap_or(u16::MAX)) else { break };
        let line = Line::from(vec![
            Span::raw(fit::pad(bar.label, LABEL_WIDTH)),
            Span::raw(" "),
            Span::styled(fit::pad_left(&bar.value.to_string(), count_width), theme.bold()),
            Span::raw(" "),
            Span::styled(blocks(bar.value, max, bar_width), bar.style),
        ]);
        fit::put(buf, row, &line);
    }
}

/// `value` of `max` as a bar of up to `cells` cells, in eighths of a cell.
/// Anything above zero shows at least a sliver.
fn blocks(value: i64, max: i64, cells: usize) -> String {
    if value <= 0 || max <= 0 || cells == 0 {
        return String::new();
    }
    let eighths = (i128::from(value) * (cells as i128) * 8 / i128::from(max)).max(1);
    let eighths = usize::try_from(eighths).unwrap_or(cells * 8).min(cells * 8);
    format!("{}{}", "█".repeat(eighths / 8), EIGHTHS[eighths % 8])
}

/// "last 30 days" with the total and the busiest day, then the sparkline,
/// each day one to three cells wide, today at the right.
fn last_days(buf: &mut Buffer, area: Rect, per_day: &[u64], theme: Theme) {
    let total: u64 = per_day.iter().sum();
    let peak = per_day.iter().copied().max().unwrap_or(0);
    let heading = Line::from(vec![
        Span::styled("last 30 days", theme.heading()),
        Span::styled(format!("  {total} new · busiest day {peak}"), theme.dim()),
    ]);
    fit::put(buf, area, &heading);
    if area.height < 2 || per_day.is_empty() {
        return;
    }
    let width = usize::from(area.width);
    let scale = (width / per_day.len()).clamp(1, 3);
    // On a narrow pane, the most recent days.
    let days = &per_day[per_day.len().saturating_sub(width / scale)..];
    let data: Vec<u64> = days.iter().flat_map(|n| std::iter::repeat_n(*n, scale)).collect();
    let axis = area.height >= 4;
    let spark_height = (area.height - 1 - u16::from(axis)).min(6);
    let spark_width = u16::try_from(data.len()).unwrap_or(u16::MAX).min(area.width);
    let spark = Rect { y: area.y + 1, height: spark_height, width: spark_width, ..area };
    Sparkline::default().data(&data).style(theme.accent()).render(spark, buf);
    if axis && days.len() > 1 {
        let row = Rect { y: spark.bottom(), height: 1, width: spark_width, ..area };
        let left = format!("{} days ago", days.len() - 1);
        let gap = usize::from(spark_width).saturating_sub(left.len() + "today".len());
        if gap >= 1 {
            let line = Line::styled(format!("{left}{}today", " ".repeat(gap)), theme.dim());
            fit::put(buf, row, &line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest() {
        assert_eq!(blocks(10, 10, 4), "████");
        assert_eq!(blocks(5, 10, 4), "██");
        assert_eq!(blocks(1, 1000, 4), "▏");
        assert_eq!(blocks(0, 10, 4), "");
        assert_eq!(blocks(3, 0, 4), "");
        assert_eq!(blocks(i64::MAX, i64::MAX, 4), "████");
    }
}
