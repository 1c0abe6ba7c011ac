//! Which tickets a list shows, and where a page of them starts.
//!
//! A [`Filter`] is what a query means once read: sets of allowed values, who
//! a ticket may belong to, a time range, ids, and the text rule. The flags of
//! `list`, the screen's filter keys and the query language all produce one.

use time::OffsetDateTime;

use super::query::{self, Bound, QueryError, TermKind, Who};
use super::search::SearchQuery;
use super::ticket::{Category, Priority, Status, Ticket};
use super::timestamp;

/// A closed set of names (categories, priorities, statuses).
pub trait Closed: Copy + PartialEq + std::fmt::Display + 'static {
    const ALL: &'static [Self];
}

/// Which values of a closed set a ticket may have: all of them unless a
/// filter narrowed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OneOf<T> {
    /// Bit i stands for `T::ALL[i]`.
    bits: u8,
    _of: std::marker::PhantomData<T>,
}

impl<T: Closed> Default for OneOf<T> {
    fn default() -> Self {
        Self::from_bits((1u16 << T::ALL.len()).wrapping_sub(1) as u8)
    }
}

impl<T: Closed> OneOf<T> {
    fn from_bits(bits: u8) -> Self {
        OneOf { bits, _of: std::marker::PhantomData }
    }

    fn bit(value: T) -> u8 {
        T::ALL.iter().position(|v| *v == value).map_or(0, |i| 1 << i)
    }

    /// Exactly these values.
    pub fn of(values: &[T]) -> Self {
        Self::from_bits(values.iter().fold(0, |bits, v| bits | Self::bit(*v)))
    }

    /// One value, or any when `None`.
    pub fn only(value: Option<T>) -> Self {
        value.map_or_else(Self::default, |v| Self::of(&[v]))
    }

    pub fn is_any(self) -> bool {
        self == Self::default()
    }

    pub fn contains(self, value: T) -> bool {
        self.bits & Self::bit(value) != 0
    }

    /// Values in both.
    pub fn and(self, other: Self) -> Self {
        Self::from_bits(self.bits & other.bits)
    }

    /// These values, less `other`'s.
    pub fn without(self, other: Self) -> Self {
        Self::from_bits(self.bits & !other.bits)
    }

    pub fn values(self) -> Vec<T> {
        T::ALL.iter().copied().filter(|v| self.contains(*v)).collect()
    }
}

/// Whose tickets a list shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assigned {
    To(String),
    Nobody,
    /// Not this account's (nobody's included).
    NotTo(String),
    /// Somebody's.
    Anybody,
}

impl Assigned {
    fn admits(&self, assignee: Option<&str>) -> bool {
        match self {
            Assigned::To(who) => assignee == Some(who.as_str()),
            Assigned::Nobody => assignee.is_none(),
            Assigned::NotTo(who) => assignee != Some(who.as_str()),
            Assigned::Anybody => assignee.is_some(),
        }
    }
}

/// Filters that combine with AND; the default lets every ticket through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub categories: OneOf<Category>,
    pub priorities: OneOf<Priority>,
    pub statuses: OneOf<Status>,
    /// Every rule must hold.
    pub assigned: Vec<Assigned>,
    /// Created at or after (stored timestamp form).
    pub created_from: Option<String>,
    /// Created strictly before (stored timestamp form).
    pub created_before: Option<String>,
    /// The ticket's id must be each of these (one, or none at all if two differ).
    pub ids: Vec<i64>,
    /// The ticket's id must be none of these.
    pub not_ids: Vec<i64>,
    pub search: Option<SearchQuery>,
}

impl Filter {
    /// Reads a query of the query language (see [`query`]); `me` is the
    /// account `assignee:me` means, `now` anchors `age:`.
    pub fn from_query(text: &str, now: OffsetDateTime, me: &str) -> Result<Filter, QueryError> {
        let mut filter = Filter::default();
        for term in query::parse(text, now)? {
            filter.add(term, me)?;
        }
        Ok(filter)
    }

    /// The filter of one qualifier, its value read whole (a `list` flag).
    pub fn from_qualifier(
        name: &str,
        value: &str,
        now: OffsetDateTime,
        me: &str,
    ) -> Result<Filter, QueryError> {
        let mut filter = Filter::default();
        filter.add(query::parse_qualifier(name, value, now)?, me)?;
        Ok(filter)
    }

    fn add(&mut self, term: query::Term, me: &str) -> Result<(), QueryError> {
        let negated = term.negated;
        match term.kind {
            TermKind::Categories(values) => self.categories = narrow(self.categories, &values, negated),
            TermKind::Priorities(values) => self.priorities = narrow(self.priorities, &values, negated),
            TermKind::Statuses(values) => self.statuses = narrow(self.statuses, &values, negated),
            TermKind::Assignee(who) => self.assigned.push(match (who, negated) {
                (Who::Account(name), false) => Assigned::To(name),
                (Who::Account(name), true) => Assigned::NotTo(name),
                (Who::Me, false) => Assigned::To(me.to_owned()),
                (Who::Me, true) => Assigned::NotTo(me.to_owned()),
                (Who::Nobody, false) => Assigned::Nobody,
                (Who::Nobody, true) => Assigned::Anybody,
            }),
            TermKind::Created(bound) => match (bound, negated) {
                (Bound::From(at), false) | (Bound::Before(at), true) => self.created_from_at(at),
                (Bound::Before(at), false) | (Bound::From(at), true) => self.created_before_at(at),
            },
            TermKind::CreatedWithin { from, until } => {
                if negated {
                    return Err(QueryError {
                        message: "a day cannot be left out; use created:< or created:>= instead".into(),
                        span: term.span,
                    });
                }
                self.created_from_at(from);
                self.created_before_at(until);
            }
            TermKind::Id(id) if negated => self.not_ids.push(id),
            TermKind::Id(id) => self.ids.push(id),
            TermKind::Word(word) => {
                let search = self.search.get_or_insert_with(SearchQuery::default);
                if negated { search.exclude(&word) } else { search.require(&word) }
            }
            TermKind::Phrase(phrase) => {
                self.search.get_or_insert_with(SearchQuery::default).phrase(&phrase, !negated)
            }
        }
        if self.search.as_ref().is_some_and(SearchQuery::is_empty) {
            self.search = None;
        }
        Ok(())
    }

    fn created_from_at(&mut self, at: OffsetDateTime) {
        let at = timestamp::format(at);
        if self.created_from.as_ref().is_none_or(|from| at > *from) {
            self.created_from = Some(at);
        }
    }

    fn created_before_at(&mut self, at: OffsetDateTime) {
        let at = timestamp::format(at);
        if self.created_before.as_ref().is_none_or(|before| at < *before) {
            self.created_before = Some(at);
        }
    }

    /// Both filters at once.
    pub fn and(mut self, other: Filter) -> Filter {
        self.categories = self.categories.and(other.categories);
        self.priorities = self.priorities.and(other.priorities);
        self.statuses = self.statuses.and(other.statuses);
        self.assigned.extend(other.assigned);
        if let Some(from) = other.created_from
            && self.created_from.as_ref().is_none_or(|mine| from > *mine)
        {
            self.created_from = Some(from);
        }
        if let Some(before) = other.created_before
            && self.created_before.as_ref().is_none_or(|mine| before < *mine)
        {
            self.created_before = Some(before);
        }
        self.ids.extend(other.ids);
        self.not_ids.extend(other.not_ids);
        self.search = match (self.search, other.search) {
            (Some(mine), Some(theirs)) => Some(mine.and(theirs)),
            (mine, theirs) => mine.or(theirs),
        };
        self
    }

    /// Whether a ticket passes the field filters (not the search).
    pub fn matches_fields(&self, ticket: &Ticket) -> bool {
        self.categories.contains(ticket.category)
            && self.priorities.contains(ticket.priority)
            && self.statuses.contains(ticket.status)
            && self.assigned.iter().all(|rule| rule.admits(ticket.assignee.as_deref()))
            && self.created_from.as_ref().is_none_or(|from| ticket.created_at >= *from)
            && self.created_before.as_ref().is_none_or(|before| ticket.created_at < *before)
            && self.ids.iter().all(|id| ticket.id == *id)
            && !self.not_ids.contains(&ticket.id)
    }
}

/// A set narrowed by a term: to its values, or (negated) without them.
fn narrow<T: Closed>(set: OneOf<T>, values: &[T], negated: bool) -> OneOf<T> {
    let named = OneOf::of(values);
    if negated { set.without(named) } else { set.and(named) }
}

/// The position just after the last ticket of a page, newest first: the next
/// page starts strictly older than `(created_at, id)`. Keyset paging costs the
/// same on page 1 and page 20,000.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: String,
    pub id: i64,
}

impl Cursor {
    pub fn after(ticket: &Ticket) -> Cursor {
        Cursor { created_at: ticket.created_at.clone(), id: ticket.id }
    }

    /// Whether a ticket lies beyond this cursor, walking in `direction`.
    pub fn admits(&self, direction: Direction, ticket: &Ticket) -> bool {
        let here = (ticket.created_at.as_str(), ticket.id);
        let cursor = (self.created_at.as_str(), self.id);
        match direction {
            Direction::Older => here < cursor,
            Direction::Newer => here > cursor,
        }
    }
}

/// Which way a page of the newest-first list walks from its start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Newest first (the list's own order).
    Older,
    /// Oldest first; pages read this way are turned round before they are shown.
    Newer,
}

/// Where a page of the list starts. Every page comes back newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Page {
    /// The newest matching tickets.
    Newest,
    /// The oldest matching tickets.
    Oldest,
    /// Tickets just older than the cursor.
    Older(Cursor),
    /// Tickets just newer than the cursor.
    Newer(Cursor),
}

impl Page {
    pub fn direction(&self) -> Direction {
        match self {
            Page::Newest | Page::Older(_) => Direction::Older,
            Page::Oldest | Page::Newer(_) => Direction::Newer,
        }
    }

    pub fn cursor(&self) -> Option<&Cursor> {
        match self {
            Page::Older(c) | Page::Newer(c) => Some(c),
            Page::Newest | Page::Oldest => None,
        }
    }
}
