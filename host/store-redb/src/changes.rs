//! Changes not in redb yet, by table section: a writer's staged changes, and the changes of a
//! whole batch (the writers that took their turns in it, in order). Reads of a write turn see
//! them laid over a snapshot of what is committed; the committer applies a batch's changes to
//! one redb transaction.

use std::borrow::Cow;
use std::collections::btree_map::Entry;
use std::collections::BTreeMap;
use std::ops::Bound;

use redb::WriteTransaction;

use super::{StoreResult, SystemTable, Table};

/// Changes of one table section (one tenant of a scoped table, or a system table), by key:
/// `Some(bytes)` written, `None` deleted.
pub(super) type Section = BTreeMap<String, Option<Vec<u8>>>;

/// Changes to scoped tables (by table, then tenant) and to system tables.
#[derive(Default)]
pub(crate) struct Changes {
    scoped: BTreeMap<Table, BTreeMap<String, Section>>,
    system: BTreeMap<SystemTable, Section>,
}

impl Changes {
    pub(super) fn is_empty(&self) -> bool {
        self.scoped.is_empty() && self.system.is_empty()
    }

    pub(super) fn scoped_section(&self, table: Table, tenant: &str) -> Option<&Section> {
        self.scoped.get(&table)?.get(tenant)
    }

    pub(super) fn system_section(&self, table: SystemTable) -> Option<&Section> {
        self.system.get(&table)
    }

    pub(super) fn stage_scoped(
        &mut self,
        table: Table,
        tenant: &str,
        key: &str,
        value: Option<Vec<u8>>,
    ) {
        let tenants = self.scoped.entry(table).or_default();
        let section = match tenants.get_mut(tenant) {
            Some(section) => section,
            None => tenants.entry(tenant.to_string()).or_default(),
        };
        section.insert(key.to_string(), value);
    }

    pub(super) fn stage_system(&mut self, table: SystemTable, key: &str, value: Option<Vec<u8>>) {
        self.system
            .entry(table)
            .or_default()
            .insert(key.to_string(), value);
    }

    /// Whether these changes touch a configuration table (`Table::is_configuration`).
    pub(super) fn touch_configuration(&self) -> bool {
        self.scoped.keys().any(|t| t.is_configuration())
            || self.system.keys().any(|t| t.is_configuration())
    }

    /// Lays `newer` over these changes: where both change a key, `newer` wins.
    pub(super) fn absorb(&mut self, newer: Changes) {
        for (table, tenants) in newer.scoped {
            let mine = self.scoped.entry(table).or_default();
            for (tenant, section) in tenants {
                lay_over(mine.entry(tenant), section);
            }
        }
        for (table, section) in newer.system {
            lay_over(self.system.entry(table), section);
        }
    }

    /// Writes the changes into `txn`.
    pub(super) fn apply(&self, txn: &WriteTransaction) -> StoreResult<()> {
        for (table, tenants) in &self.scoped {
            let mut table = txn.open_table(table.def())?;
            for (tenant, section) in tenants {
                for (key, value) in section {
                    match value {
                        Some(bytes) => {
                            table.insert((tenant.as_str(), key.as_str()), bytes.as_slice())?;
                        }
                        None => {
                            table.remove((tenant.as_str(), key.as_str()))?;
                        }
                    }
                }
            }
        }
        for (table, section) in &self.system {
            let mut table = txn.open_table(table.def())?;
            for (key, value) in section {
                match value {
                    Some(bytes) => {
                        table.insert(key.as_str(), bytes.as_slice())?;
                    }
                    None => {
                        table.remove(key.as_str())?;
                    }
                }
            }
        }
        Ok(())
    }
}

fn lay_over<K: Ord>(entry: Entry<'_, K, Section>, newer: Section) {
    match entry {
        Entry::Vacant(vacant) => {
            vacant.insert(newer);
        }
        Entry::Occupied(mut older) => older.get_mut().extend(newer),
    }
}

/// The change to `key` in the first of `layers` (newest first) that changes it: `None` when
/// none does (read the snapshot), `Some(None)` when it was deleted.
pub(super) fn layered_value(layers: &[Option<&Section>], key: &str) -> Option<Option<Vec<u8>>> {
    layers
        .iter()
        .flatten()
        .find_map(|section| section.get(key))
        .cloned()
}

/// The changes of `layers` (newest first) that a scan from `start` over keys with `prefix`
/// sees, as one section: borrowed when a single layer has any, else merged (newest wins).
pub(super) fn layered_section<'a>(
    layers: &[Option<&'a Section>],
    start: Bound<&str>,
    prefix: &str,
) -> Option<Cow<'a, Section>> {
    let mut present = layers.iter().flatten().filter(|s| !s.is_empty());
    let first = present.next()?;
    if present.next().is_none() {
        return Some(Cow::Borrowed(*first));
    }
    let mut merged = Section::new();
    for section in layers.iter().rev().flatten() {
        let in_range = section
            .range::<str, _>((start, Bound::Unbounded))
            .take_while(|(key, _)| key.starts_with(prefix));
        merged.extend(in_range.map(|(k, v)| (k.clone(), v.clone())));
    }
    Some(Cow::Owned(merged))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn section(entries: &[(&str, Option<&str>)]) -> Section {
        entries
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(|v| v.as_bytes().to_vec())))
            .collect()
    }

    #[test]
    fn newer_layers_win_and_deletes_hide() {
        let old = section(&[("a", Some("old")), ("b", Some("old")), ("c", Some("old"))]);
        let new = section(&[("a", Some("new")), ("b", None)]);
        let layers = [Some(&new), None, Some(&old)];
        assert_eq!(layered_value(&layers, "a"), Some(Some(b"new".to_vec())));
        assert_eq!(layered_value(&layers, "b"), Some(None));
        assert_eq!(layered_value(&layers, "c"), Some(Some(b"old".to_vec())));
        assert_eq!(layered_value(&layers, "d"), None);

        let merged = layered_section(&layers, Bound::Included("b"), "").unwrap();
        assert_eq!(*merged, section(&[("b", None), ("c", Some("old"))]));
        let one = layered_section(&[None, Some(&old)], Bound::Unbounded, "x").unwrap();
        assert!(matches!(one, Cow::Borrowed(_)));
        assert!(layered_section(&[None, None], Bound::Unbounded, "").is_none());
    }

    #[test]
    fn absorbing_keeps_the_newer_change() {
        let mut batch = Changes::default();
        batch.stage_scoped(Table::Users, "t1", "u1", Some(b"1".to_vec()));
        batch.stage_scoped(Table::Users, "t1", "u2", Some(b"2".to_vec()));
        let mut writer = Changes::default();
        writer.stage_scoped(Table::Users, "t1", "u1", None);
        writer.stage_scoped(Table::Users, "t2", "u9", Some(b"9".to_vec()));
        batch.absorb(writer);
        let t1 = batch.scoped_section(Table::Users, "t1").unwrap();
        assert_eq!(t1.get("u1"), Some(&None));
        assert_eq!(t1.get("u2"), Some(&Some(b"2".to_vec())));
        assert!(batch.scoped_section(Table::Users, "t2").is_some());
        assert!(!batch.touch_configuration());
    }
}
