//! Where each pane goes, as plain arithmetic over the screen's size: the
//! views draw into these areas, and `update` reads the list's height from
//! the same sums without drawing anything.

use ratatui::layout::Rect;

use crate::tui::model::Pane;

/// At this size and above all three panes show at once.
pub const WIDE: (u16, u16) = (100, 30);

/// The screen's regions. Narrow screens show one pane (a tab) at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Areas {
    pub header: Rect,
    /// The tab bar, narrow layout only.
    pub tabs: Option<Rect>,
    pub form: Option<Rect>,
    pub list: Option<Rect>,
    pub stats: Option<Rect>,
    /// Key hints.
    pub keys: Rect,
    /// Classifier state and messages.
    pub status: Rect,
}

const HEADER: u16 = 1;
const FOOTER: u16 = 2;

pub fn is_wide(width: u16, height: u16) -> bool {
    width >= WIDE.0 && height >= WIDE.1
}

pub fn areas(area: Rect, focus: Pane) -> Areas {
    let header = Rect { height: HEADER.min(area.height), ..area };
    let footer_height = FOOTER.min(area.height.saturating_sub(HEADER));
    let keys = Rect { y: area.bottom().saturating_sub(footer_height), height: footer_height.min(1), ..area };
    let status = Rect { y: area.bottom().saturating_sub(1), height: footer_height.saturating_sub(1), ..area };
    let body_top = area.y + header.height;
    let body_height = area.height.saturating_sub(header.height + footer_height);
    let body = Rect { y: body_top, height: body_height, ..area };

    if is_wide(area.width, area.height) {
        // The list across the top; the form and the stats side by side below.
        let list_height = body.height * 55 / 100;
        let list = Rect { height: list_height, ..body };
        let lower = Rect { y: body.y + list_height, height: body.height - list_height, ..body };
        let form_width = lower.width / 2;
        let form = Rect { width: form_width, ..lower };
        let stats = Rect { x: lower.x + form_width, width: lower.width - form_width, ..lower };
        return Areas {
            header,
            tabs: None,
            form: Some(form),
            list: Some(list),
            stats: Some(stats),
            keys,
            status,
        };
    }
    let tabs = Rect { height: 1.min(body.height), ..body };
    let pane = Rect { y: body.y + tabs.height, height: body.height.saturating_sub(tabs.height), ..body };
    let only = |p: Pane| (focus == p).then_some(pane);
    Areas {
        header,
        tabs: Some(tabs),
        form: only(Pane::Form),
        list: only(Pane::List),
        stats: only(Pane::Stats),
        keys,
        status,
    }
}

/// Ticket rows the list shows: its pane less borders and the column header.
pub fn list_rows(width: u16, height: u16) -> usize {
    let area = Rect::new(0, 0, width, height);
    let pane = areas(area, Pane::List).list.unwrap_or_default();
    usize::from(pane.height.saturating_sub(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_screens_show_all_three_panes_inside_the_screen() {
        let screen = Rect::new(0, 0, 120, 35);
        let a = areas(screen, Pane::List);
        for pane in [a.form, a.list, a.stats] {
            let pane = pane.unwrap();
            assert!(
                screen.contains(pane.as_position())
                    && pane.bottom() <= screen.bottom()
                    && pane.right() <= screen.right()
            );
        }
        assert_eq!(a.tabs, None);
        assert_eq!(list_rows(120, 35), 14);
    }

    #[test]
    fn narrow_screens_show_the_focused_pane_as_a_tab() {
        let a = areas(Rect::new(0, 0, 80, 24), Pane::Form);
        assert!(a.form.is_some() && a.list.is_none() && a.stats.is_none() && a.tabs.is_some());
        assert_eq!(list_rows(80, 24), 17);
    }

    #[test]
    fn tiny_screens_never_underflow() {
        for (w, h) in [(0, 0), (1, 1), (40, 12), (10, 3), (200, 2)] {
            let a = areas(Rect::new(0, 0, w, h), Pane::Stats);
            assert!(a.status.bottom() <= h && a.keys.bottom() <= h, "{w}x{h}: {a:?}");
            let _ = list_rows(w, h);
        }
    }
}
