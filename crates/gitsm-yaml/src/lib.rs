//! YAML with positions: a spanned parse (every node knows its line and
//! column; duplicate keys and alias bombs are refused) and format-preserving
//! edits (a change touches only the lines it changes). No ITSM knowledge.

pub mod edit;
pub mod yaml;
