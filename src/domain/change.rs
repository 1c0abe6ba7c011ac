//! What one change does to a ticket as it now is: the values that differ and
//! the history entry each writes. Every storage engine writes exactly this.

use super::{Category, EventField, Priority, Status, Ticket, TicketEdit};

/// One change to one ticket, as asked.
#[derive(Debug, Clone, Copy)]
pub enum Change<'a> {
    Fields(&'a TicketEdit),
    Assignee(Option<&'a str>),
}

/// The values to write: only those that differ from the ticket's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write<'a> {
    Fields {
        title: Option<&'a str>,
        description: Option<&'a str>,
        category: Option<Category>,
        priority: Option<Priority>,
        status: Option<Status>,
    },
    Assignee(Option<&'a str>),
}

/// One history entry: the field, its old value and its new one.
pub type Entry<'a> = (EventField, Option<&'a str>, Option<&'a str>);

/// A change that does something: one write (one version step) and its
/// history entries, in field order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan<'a> {
    pub write: Write<'a>,
    pub entries: Vec<Entry<'a>>,
}

impl<'a> Change<'a> {
    /// What this change does to `current`; `None` when the ticket already is
    /// as asked (a change to the same value writes nothing).
    pub fn plan(self, current: &'a Ticket) -> Option<Plan<'a>> {
        match self {
            Change::Fields(edit) => {
                let title = edit.title.as_deref().filter(|t| *t != current.title);
                let description = edit.description.as_deref().filter(|d| *d != current.description);
                let category = edit.category.filter(|c| *c != current.category);
                let priority = edit.priority.filter(|p| *p != current.priority);
                let status = edit.status.filter(|s| *s != current.status);
                let all: [Entry<'a>; 5] = [
                    (EventField::Title, Some(current.title.as_str()), title),
                    (EventField::Description, Some(current.description.as_str()), description),
                    (EventField::Category, Some(current.category.as_str()), category.map(Category::as_str)),
                    (EventField::Priority, Some(current.priority.as_str()), priority.map(Priority::as_str)),
                    (EventField::Status, Some(current.status.as_str()), status.map(Status::as_str)),
                ];
                let entries: Vec<Entry<'a>> = all.into_iter().filter(|(_, _, new)| new.is_some()).collect();
                let write = Write::Fields { title, description, category, priority, status };
                (!entries.is_empty()).then_some(Plan { write, entries })
            }
            Change::Assignee(assignee) => (current.assignee.as_deref() != assignee).then(|| Plan {
                write: Write::Assignee(assignee),
                entries: vec![(EventField::Assignee, current.assignee.as_deref(), assignee)],
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> Ticket {
        Ticket {
            id: 7,
            title: "Printer on fire".into(),
            description: "Smoke".into(),
            category: Category::Technical,
            priority: Priority::High,
            status: Status::Open,
            created_at: "2025-01-02T03:04:05.678Z".into(),
            updated_at: "2025-01-02T03:04:05.678Z".into(),
            assignee: None,
            version: 1,
        }
    }

    #[test]
    fn only_fields_that_differ_are_written_and_recorded() {
        let current = ticket();
        let edit = TicketEdit {
            title: Some("Printer on fire".into()),
            priority: Some(Priority::Critical),
            status: Some(Status::Resolved),
            ..TicketEdit::default()
        };
        let plan = Change::Fields(&edit).plan(&current).unwrap();
        assert_eq!(
            plan.write,
            Write::Fields {
                title: None,
                description: None,
                category: None,
                priority: Some(Priority::Critical),
                status: Some(Status::Resolved)
            }
        );
        assert_eq!(
            plan.entries,
            [
                (EventField::Priority, Some("high"), Some("critical")),
                (EventField::Status, Some("open"), Some("resolved"))
            ]
        );
    }

    #[test]
    fn a_change_to_the_same_values_does_nothing() {
        let current = ticket();
        let same = TicketEdit { category: Some(Category::Technical), ..TicketEdit::default() };
        assert_eq!(Change::Fields(&same).plan(&current), None);
        assert_eq!(Change::Fields(&TicketEdit::default()).plan(&current), None);
        assert_eq!(Change::Assignee(None).plan(&current), None);
    }

    #[test]
    fn assignment_records_who_had_it_before() {
        let mut current = ticket();
        current.assignee = Some("bob".into());
        let plan = Change::Assignee(Some("alice")).plan(&current).unwrap();
        assert_eq!(plan.write, Write::Assignee(Some("alice")));
        assert_eq!(plan.entries, [(EventField::Assignee, Some("bob"), Some("alice"))]);
    }
}
