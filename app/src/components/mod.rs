//! Small building blocks every page reuses (see `shared/docs/ui.md`).

pub mod access;
pub mod badge;
pub mod binding_result;
pub mod copy_button;
pub mod dialog;
pub mod empty_state;
pub mod field;
pub mod health_card;
pub mod hydration;
pub mod local_time;
pub mod page_header;
pub mod pager;
pub mod table;
pub mod theme;
pub mod toast;
pub mod url_state;
