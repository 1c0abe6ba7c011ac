//! ticketdesk: a support-ticket desk that lives in the terminal.

pub mod cli;
pub mod commands;
pub mod domain;
pub mod output;
pub mod store;
pub mod transfer;
