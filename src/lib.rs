//! ticketdesk: a support-ticket desk that lives in the terminal.

pub mod actor;
pub mod classify;
pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod editor;
pub mod output;
pub mod report;
pub mod store;
pub mod transfer;
pub mod tui;
