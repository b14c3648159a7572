//! The commands of `scout-train` that need more than a few lines.

pub(crate) mod export;
pub(crate) mod sentiment;
