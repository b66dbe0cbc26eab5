//! The Git layer: raw trees and blobs read through libgit2, the index file
//! read directly (stat data, racy entries), a cache of parsed trees, file
//! locks and atomic writes. No ITSM knowledge.

pub mod commit;
pub mod git;
pub mod index_file;
pub mod lock;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;
pub mod tree_cache;
pub mod write;
