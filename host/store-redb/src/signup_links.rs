//! The signup links port on redb: links in `Table::SignupLinks` by digest, and the index of each
//! profile's links in `Table::ProfileSignupLinks` (`profile_id \u{1f} digest` -> the link's
//! expiry, so that counting live links reads no link; `null` in entries written before the
//! expiry was kept there), written only here.

use chrono::{DateTime, Utc};
use portico_core::signup_links::SignupLink;
use portico_core::storage::{SignupLinkReads, SignupLinkWrites, StorageResult};

use super::{composite_key, ReadTx, Reader, Table, WriteTx};

/// A profile's index entry for one of its links.
type IndexedLink = Option<DateTime<Utc>>;

fn signup_link<R: Reader>(tx: &R, tenant: &str, digest: &str) -> StorageResult<Option<SignupLink>> {
    Ok(tx.get(Table::SignupLinks, tenant, digest)?)
}

/// Each link's expiry: from its index entry, or from the link itself for an older entry.
fn signup_links_of_profile<R: Reader>(
    tx: &R,
    tenant: &str,
    profile_id: &str,
) -> StorageResult<Vec<(String, Option<DateTime<Utc>>)>> {
    let prefix = composite_key(profile_id, "");
    let entries: Vec<(String, IndexedLink)> =
        tx.scan(Table::ProfileSignupLinks, tenant, &prefix, None, usize::MAX)?;
    entries
        .into_iter()
        .map(|(key, indexed)| {
            let digest = key[prefix.len()..].to_string();
            let expires_at = match indexed {
                Some(expires_at) => Some(expires_at),
                None => signup_link(tx, tenant, &digest)?.map(|l| l.expires_at),
            };
            Ok((digest, expires_at))
        })
        .collect()
}

macro_rules! signup_link_reads {
    ($($t:ty),*) => {$(
        impl SignupLinkReads for $t {
            fn signup_link(
                &self,
                tenant: &str,
                digest: &str,
            ) -> StorageResult<Option<SignupLink>> {
                signup_link(self, tenant, digest)
            }
            fn signup_links_of_profile(
                &self,
                tenant: &str,
                profile_id: &str,
            ) -> StorageResult<Vec<(String, Option<DateTime<Utc>>)>> {
                signup_links_of_profile(self, tenant, profile_id)
            }
        }
    )*};
}
signup_link_reads!(ReadTx, WriteTx<'_>);

impl SignupLinkWrites for WriteTx<'_> {
    fn insert_signup_link(
        &mut self,
        tenant: &str,
        digest: &str,
        link: &SignupLink,
    ) -> StorageResult<()> {
        self.put(Table::SignupLinks, tenant, digest, link)?;
        let key = composite_key(&link.profile_id, digest);
        let indexed: IndexedLink = Some(link.expires_at);
        Ok(self.put(Table::ProfileSignupLinks, tenant, &key, &indexed)?)
    }

    fn update_signup_link(
        &mut self,
        tenant: &str,
        digest: &str,
        link: &SignupLink,
    ) -> StorageResult<()> {
        Ok(self.put(Table::SignupLinks, tenant, digest, link)?)
    }

    fn delete_signup_link(
        &mut self,
        tenant: &str,
        profile_id: &str,
        digest: &str,
    ) -> StorageResult<()> {
        self.delete(Table::SignupLinks, tenant, digest)?;
        let key = composite_key(profile_id, digest);
        self.delete(Table::ProfileSignupLinks, tenant, &key)?;
        Ok(())
    }
}

// Fixtures for the rules' tests (states an earlier build could leave).
#[cfg(any(test, feature = "test-knobs"))]
impl WriteTx<'_> {
    /// Makes the index entry of a link look as written before the expiry was kept there.
    pub fn index_signup_link_without_expiry(
        &mut self,
        tenant: &str,
        profile_id: &str,
        digest: &str,
    ) {
        let key = composite_key(profile_id, digest);
        let indexed: IndexedLink = None;
        self.put(Table::ProfileSignupLinks, tenant, &key, &indexed)
            .unwrap();
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, Utc};
    use portico_core::signup_links::SignupLink;
    use portico_core::storage::{SignupLinkReads, SignupLinkWrites};

    use crate::Store;

    fn link(profile: &str, expires_in_secs: i64) -> SignupLink {
        SignupLink {
            profile_id: profile.into(),
            with_sign: true,
            expires_at: Utc::now() + Duration::seconds(expires_in_secs),
            confirmation_digest: None,
            failed_confirmations: 0,
            claims: Default::default(),
        }
    }

    #[test]
    fn the_profile_index_keeps_each_links_expiry() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let mut tx = store.write().unwrap();
        let (a, b, c) = (link("p", 60), link("p", 120), link("q", 60));
        tx.insert_signup_link("t", "a", &a).unwrap();
        tx.insert_signup_link("t", "b", &b).unwrap();
        tx.insert_signup_link("t", "c", &c).unwrap();
        // An older entry without the expiry, whose link is read instead, and one whose link
        // is gone.
        tx.index_signup_link_without_expiry("t", "p", "b");
        tx.index_signup_link_without_expiry("t", "p", "gone");
        tx.commit().unwrap();

        let mut tx = store.write().unwrap();
        assert_eq!(
            tx.signup_links_of_profile("t", "p").unwrap(),
            [
                ("a".into(), Some(a.expires_at)),
                ("b".into(), Some(b.expires_at)),
                ("gone".into(), None),
            ]
        );
        let mut confirmed = a.clone();
        confirmed.failed_confirmations = 1;
        tx.update_signup_link("t", "a", &confirmed).unwrap();
        tx.delete_signup_link("t", "p", "b").unwrap();
        tx.delete_signup_link("t", "p", "gone").unwrap();
        tx.commit().unwrap();

        let read = store.read().unwrap();
        assert_eq!(
            read.signup_links_of_profile("t", "p").unwrap(),
            [("a".into(), Some(a.expires_at))]
        );
        assert_eq!(
            read.signup_link("t", "a")
                .unwrap()
                .unwrap()
                .failed_confirmations,
            1
        );
        assert!(read.signup_link("t", "b").unwrap().is_none());
        assert_eq!(read.signup_links_of_profile("t", "q").unwrap().len(), 1);
        assert!(read
            .signup_links_of_profile("other", "p")
            .unwrap()
            .is_empty());
    }
}
