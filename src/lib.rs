//! ticketdesk: a support-ticket desk that lives in the terminal.

pub mod actor;
pub mod classify;
pub mod cli;
pub mod commands;
pub mod complete;
pub mod config;
pub mod doctor;
pub mod domain;
pub mod editor;
pub mod logging;
pub mod output;
pub mod report;
pub mod samples;
pub mod store;
pub mod transfer;
pub mod tui;
