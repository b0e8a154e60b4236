//! A redb storage backend on a region of a file: the database entry of a backup archive. A
//! backup's database is written straight into its entry (no second copy), and a backup is
//! checked by opening its entry in place, read-only.

use std::fs::File;
use std::io;

use super::tar::{read_at, write_at};

/// The bytes of `file` from `start`: to the end of the file (growing with it) while the
/// database is written, or exactly `len` bytes, read-only, once it is an entry of an archive.
#[derive(Debug)]
pub(crate) struct Region {
    file: File,
    start: u64,
    /// `Some`: a read-only region of this length.
    fixed_len: Option<u64>,
}

impl Region {
    /// A writable region from `start` to the end of `file`.
    pub fn writable(file: File, start: u64) -> Region {
        Region {
            file,
            start,
            fixed_len: None,
        }
    }

    /// The read-only region of `len` bytes from `start`.
    pub fn read_only(file: File, start: u64, len: u64) -> Region {
        Region {
            file,
            start,
            fixed_len: Some(len),
        }
    }

    fn refuse_write(&self) -> io::Result<()> {
        match self.fixed_len {
            Some(_) => Err(io::Error::new(
                io::ErrorKind::PermissionDenied,
                "a backup is opened read-only",
            )),
            None => Ok(()),
        }
    }
}

impl redb::StorageBackend for Region {
    fn len(&self) -> io::Result<u64> {
        match self.fixed_len {
            Some(len) => Ok(len),
            None => Ok(self.file.metadata()?.len().saturating_sub(self.start)),
        }
    }

    fn read(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        if let Some(len) = self.fixed_len {
            if offset + out.len() as u64 > len {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
        }
        read_at(&self.file, out, self.start + offset)
    }

    fn set_len(&self, len: u64) -> io::Result<()> {
        self.refuse_write()?;
        self.file.set_len(self.start + len)
    }

    fn sync_data(&self) -> io::Result<()> {
        match self.fixed_len {
            Some(_) => Ok(()),
            None => self.file.sync_data(),
        }
    }

    fn write(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.refuse_write()?;
        write_at(&self.file, data, self.start + offset)
    }
}
