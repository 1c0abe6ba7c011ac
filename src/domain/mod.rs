//! The ticket model and its rules, free of storage and presentation.

pub mod change;
pub mod duplicates;
pub mod event;
pub mod filter;
pub mod query;
pub mod search;
pub mod stats;
pub mod text;
pub mod ticket;
pub mod timestamp;
pub mod width;

pub use event::{Event, EventField, EventSource, Origins, Source, Suggested};
pub use filter::{Assigned, Cursor, Direction, Filter, Page};
pub use search::SearchQuery;
pub use stats::Stats;
pub use ticket::{Category, Field, NewTicket, Priority, Status, Ticket, TicketEdit, ValidationError};
