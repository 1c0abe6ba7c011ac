//! The ticket model and its rules, free of storage and presentation.

pub mod filter;
pub mod search;
pub mod stats;
pub mod text;
pub mod ticket;
pub mod timestamp;

pub use filter::{Cursor, Direction, Filter, Page};
pub use search::SearchQuery;
pub use stats::Stats;
pub use ticket::{Category, Field, NewTicket, Priority, Status, Ticket, TicketEdit, ValidationError};
