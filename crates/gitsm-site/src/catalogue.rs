//! The service catalogue pages: `catalog.html`, the items by category, and
//! `catalog/<item>.html`, one page per item. What they show is
//! [`gitsm_core::catalog`]'s; fulfilment and satisfaction so far are the
//! site's report's (every month up to the site's instant).

use serde::Serialize;

use crate::catalog::{self, Entry};
use crate::report::Report;

use super::data::SiteData;
use super::paths;

/// Folder of the item pages.
pub(crate) const FOLDER: &str = "catalog";

/// The page of the item `key`, relative to the site root.
pub(crate) fn item_path(key: &str) -> String {
    format!("{FOLDER}/{}.html", paths::file_stem(key))
}

/// An item as the pages show it: the core's entry and its page.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ItemView {
    #[serde(flatten)]
    pub entry: Entry,
    /// The item's page, relative to the site root.
    pub href: String,
}

/// The items of one category.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct CategoryView {
    /// `None`: items without a category.
    pub category: Option<String>,
    pub items: Vec<ItemView>,
}

/// Every item, with its page.
pub(crate) fn items(data: &SiteData<'_>, report: Option<&Report<'_>>) -> Vec<ItemView> {
    catalog::entries(data.config, report)
        .into_iter()
        .map(|entry| ItemView {
            href: item_path(&entry.key),
            entry,
        })
        .collect()
}

/// The catalogue page: the items grouped by category (in the order
/// [`catalog::entries`] gives them).
pub(crate) fn index(items: &[ItemView]) -> Vec<CategoryView> {
    let mut out: Vec<CategoryView> = Vec::new();
    for item in items {
        match out.last_mut() {
            Some(last) if last.category == item.entry.category => last.items.push(item.clone()),
            _ => out.push(CategoryView {
                category: item.entry.category.clone(),
                items: vec![item.clone()],
            }),
        }
    }
    out
}
