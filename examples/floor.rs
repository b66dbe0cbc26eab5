//! The floor for whole-tree validation: read every `.yaml` file under a
//! folder and parse it as YAML, in parallel, and nothing else. No validator
//! of the same files can be faster than this.
//!
//! ```text
//! cargo run --release --example floor -- DIR [events|value]
//! ```
//!
//! `events` (the default) runs the YAML event parser gitsm itself uses
//! (saphyr-parser) over each file: the least any YAML reader must do.
//! `value` builds a `serde_yaml::Value` per file, as most tools do.

use rayon::prelude::*;
use saphyr_parser::Parser;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: floor DIR [events|value]");
        std::process::exit(2);
    };
    let into_value = args.get(1).is_some_and(|m| m == "value");
    let files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "yaml"))
        .map(walkdir::DirEntry::into_path)
        .collect();
    let failed = files
        .par_iter()
        .filter(|path| {
            let Ok(text) = std::fs::read_to_string(path) else {
                return true;
            };
            if into_value {
                serde_yaml::from_str::<serde_yaml::Value>(&text).is_err()
            } else {
                Parser::new_from_str(&text).any(|event| event.is_err())
            }
        })
        .count();
    println!("parsed {} files, {failed} failed", files.len());
}
