//! The groups port on redb: groups in `Table::Groups` by id and the index of their names in
//! `Table::GroupNames` (name -> id), written only here, with the group.

use portico_core::groups::Group;
use portico_core::storage::{GroupReads, GroupWrites, StorageError, StorageResult};

use super::{ReadTx, Reader, Table, WriteTx};

fn group<R: Reader>(tx: &R, tenant: &str, id: &str) -> StorageResult<Option<Group>> {
    Ok(tx.get(Table::Groups, tenant, id)?)
}

fn group_id_by_name<R: Reader>(tx: &R, tenant: &str, name: &str) -> StorageResult<Option<String>> {
    Ok(tx.get(Table::GroupNames, tenant, name)?)
}

fn group_by_name<R: Reader>(tx: &R, tenant: &str, name: &str) -> StorageResult<Option<Group>> {
    match group_id_by_name(tx, tenant, name)? {
        Some(id) => group(tx, tenant, &id),
        None => Ok(None),
    }
}

fn groups_after<R: Reader>(
    tx: &R,
    tenant: &str,
    after: Option<&str>,
    limit: usize,
) -> StorageResult<Vec<Group>> {
    let rows: Vec<(String, Group)> = tx.scan(Table::Groups, tenant, "", after, limit)?;
    Ok(rows.into_iter().map(|(_, g)| g).collect())
}

macro_rules! group_reads {
    ($($t:ty),*) => {$(
        impl GroupReads for $t {
            fn group(&self, tenant: &str, id: &str) -> StorageResult<Option<Group>> {
                group(self, tenant, id)
            }
            fn group_by_name(&self, tenant: &str, name: &str) -> StorageResult<Option<Group>> {
                group_by_name(self, tenant, name)
            }
            fn group_name_taken(&self, tenant: &str, name: &str) -> StorageResult<bool> {
                Ok(self.exists(Table::GroupNames, tenant, name)?)
            }
            fn groups_with_label(&self, tenant: &str, label: &str) -> StorageResult<Vec<Group>> {
                // A scan: the embedded store has no index on labels.
                let mut groups = groups_after(self, tenant, None, usize::MAX)?;
                groups.retain(|g| g.label == label);
                Ok(groups)
            }
            fn groups_after(
                &self,
                tenant: &str,
                after: Option<&str>,
                limit: usize,
            ) -> StorageResult<Vec<Group>> {
                groups_after(self, tenant, after, limit)
            }
        }
    )*};
}
group_reads!(ReadTx, WriteTx<'_>);

impl GroupWrites for WriteTx<'_> {
    fn insert_group(&mut self, tenant: &str, group: &Group) -> StorageResult<()> {
        // The writers take turns, so a check made in the turn holds until its commit.
        if group_id_by_name(self, tenant, &group.name)?.is_some_and(|holder| holder != group.id) {
            return Err(StorageError::Conflict {
                code: "group_name_taken",
                message: format!("a group named '{}' already exists", group.name),
            });
        }
        self.put(Table::Groups, tenant, &group.id, group)?;
        self.put(Table::GroupNames, tenant, &group.name, &group.id)?;
        Ok(())
    }

    fn delete_group(&mut self, tenant: &str, id: &str) -> StorageResult<bool> {
        let Some(group) = group(self, tenant, id)? else {
            return Ok(false);
        };
        if group_id_by_name(self, tenant, &group.name)?.as_deref() == Some(id) {
            self.delete(Table::GroupNames, tenant, &group.name)?;
        }
        Ok(self.delete(Table::Groups, tenant, id)?)
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use portico_core::groups::Group;
    use portico_core::storage::{GroupReads, GroupWrites, StorageError};

    use crate::{Reader, Store, Table};

    fn group(id: &str, name: &str, label: &str) -> Group {
        Group {
            id: id.into(),
            name: name.into(),
            label: label.into(),
            created_at: Utc::now(),
        }
    }

    fn ids(groups: Vec<Group>) -> Vec<String> {
        groups.into_iter().map(|g| g.id).collect()
    }

    #[test]
    fn the_name_index_follows_the_group_and_refuses_a_second_holder() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        tx.insert_group("t", &group("g2", "staff", "People"))
            .unwrap();
        tx.insert_group("t", &group("g1", "admins", "People"))
            .unwrap();
        tx.insert_group("t", &group("g3", "guests", "Guests"))
            .unwrap();
        let taken = tx.insert_group("t", &group("g4", "staff", "Other"));
        assert!(matches!(
            taken,
            Err(StorageError::Conflict {
                code: "group_name_taken",
                ..
            })
        ));
        tx.insert_group("other", &group("g9", "staff", "People"))
            .unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        let indexed: Option<String> = read.get(Table::GroupNames, "t", "staff").unwrap();
        assert_eq!(indexed.as_deref(), Some("g2"));
        assert_eq!(read.group_by_name("t", "staff").unwrap().unwrap().id, "g2");
        assert!(read.group_name_taken("t", "admins").unwrap());
        assert_eq!(
            ids(read.groups_with_label("t", "People").unwrap()),
            ["g1", "g2"]
        );
        assert_eq!(ids(read.groups_after("t", None, 2).unwrap()), ["g1", "g2"]);
        assert_eq!(ids(read.groups_after("t", Some("g2"), 10).unwrap()), ["g3"]);
        drop(read);

        let mut tx = store.write().unwrap();
        assert!(tx.delete_group("t", "g2").unwrap());
        assert!(!tx.delete_group("t", "g2").unwrap());
        assert!(!tx.group_name_taken("t", "staff").unwrap());
        assert!(tx.group_name_taken("other", "staff").unwrap());
        tx.insert_group("t", &group("g5", "staff", "People"))
            .unwrap();
        tx.commit().unwrap();
        let read = store.read().unwrap();
        assert_eq!(read.group_by_name("t", "staff").unwrap().unwrap().id, "g5");
        assert!(read.group("t", "g2").unwrap().is_none());
    }
}
