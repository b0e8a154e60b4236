//! The backup's container: a POSIX tar archive (ustar), so that `tar -tvf` lists a backup and
//! `tar -xf` unpacks it into a data directory. Only what a backup needs: regular files, names
//! under 100 bytes, sizes past 8 GiB in the GNU base-256 form (read by GNU tar and bsdtar).
//! Every write is positional, so a database can be written straight into its entry
//! (`Region`) and its header filled in afterwards.

use std::fs::File;
use std::io;

/// Size of a tar block: headers and padding are in whole blocks.
pub(crate) const BLOCK: u64 = 512;

/// Largest size the header's 11 octal digits hold; larger ones use base-256.
const MAX_OCTAL_SIZE: u64 = (1 << 33) - 1;

/// One file of an archive: where its bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    /// Its name.
    pub name: String,
    /// Offset of its first byte in the archive.
    pub offset: u64,
    /// Its length.
    pub size: u64,
}

/// `len` rounded up to whole blocks.
pub(crate) fn blocks(len: u64) -> u64 {
    len.div_ceil(BLOCK) * BLOCK
}

/// The header of the regular file `name` of `size` bytes (mode 0600, modified at `mtime`).
fn header(name: &str, size: u64, mtime: u64) -> io::Result<[u8; BLOCK as usize]> {
    if name.len() >= 100 || name.is_empty() {
        return Err(io::Error::other(format!("tar entry name {name:?}")));
    }
    let mut h = [0u8; BLOCK as usize];
    h[..name.len()].copy_from_slice(name.as_bytes());
    octal(&mut h[100..108], 0o600);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    if size <= MAX_OCTAL_SIZE {
        octal(&mut h[124..136], size);
    } else {
        h[124] = 0x80;
        h[128..136].copy_from_slice(&size.to_be_bytes());
    }
    octal(&mut h[136..148], mtime.min(MAX_OCTAL_SIZE));
    h[156] = b'0';
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[265..272].copy_from_slice(b"portico");
    h[297..304].copy_from_slice(b"portico");
    // The checksum is computed with its own field as spaces.
    h[148..156].copy_from_slice(b"        ");
    let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
    octal(&mut h[148..155], sum);
    h[155] = b' ';
    Ok(h)
}

/// `value` in octal, zero-padded, NUL-terminated, filling `field`.
fn octal(field: &mut [u8], value: u64) {
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    field[..digits].copy_from_slice(&text.as_bytes()[text.len() - digits..]);
    field[digits] = 0;
}

/// Writes archives into a file, positionally.
pub(crate) struct Writer<'f> {
    file: &'f File,
    /// Where the next header goes.
    end: u64,
    mtime: u64,
}

impl<'f> Writer<'f> {
    /// An archive from the start of `file`, its entries dated `mtime` (Unix seconds).
    pub fn new(file: &'f File, mtime: u64) -> Writer<'f> {
        Writer {
            file,
            end: 0,
            mtime,
        }
    }

    /// Adds the file `name` holding `bytes`.
    pub fn append(&mut self, name: &str, bytes: &[u8]) -> io::Result<()> {
        let start = self.open_entry(name)?;
        write_at(self.file, bytes, start)?;
        self.close_entry(name, start, bytes.len() as u64)
    }

    /// Starts the file `name`, whose bytes the caller writes from the offset answered, then
    /// passes to `close_entry`.
    pub fn open_entry(&mut self, name: &str) -> io::Result<u64> {
        write_at(self.file, &header(name, 0, self.mtime)?, self.end)?;
        Ok(self.end + BLOCK)
    }

    /// Ends the file `name` begun at `start` with `size` bytes: its header gets its size and the
    /// entry is padded to whole blocks.
    pub fn close_entry(&mut self, name: &str, start: u64, size: u64) -> io::Result<()> {
        write_at(self.file, &header(name, size, self.mtime)?, start - BLOCK)?;
        self.end = start + blocks(size);
        self.file.set_len(self.end)
    }

    /// Ends the archive (two zero blocks) and answers its length.
    pub fn finish(self) -> io::Result<u64> {
        let end = self.end + 2 * BLOCK;
        self.file.set_len(end)?;
        Ok(end)
    }
}

/// The entries of the archive in `file` (of `len` bytes), in order; an error says why it is not
/// an archive this module wrote.
pub(crate) fn entries(file: &File, len: u64) -> Result<Vec<Entry>, String> {
    let mut entries = Vec::new();
    let mut at = 0;
    loop {
        if at + BLOCK > len {
            return Err("it ends before the end of the archive (truncated?)".into());
        }
        let mut h = [0u8; BLOCK as usize];
        read_at(file, &mut h, at).map_err(|e| e.to_string())?;
        if h.iter().all(|&b| b == 0) {
            return Ok(entries);
        }
        let entry = parse_header(&h, at + BLOCK)?;
        if entry.offset + entry.size > len {
            return Err(format!(
                "{} ends past the end of the file (truncated?)",
                entry.name
            ));
        }
        at = entry.offset + blocks(entry.size);
        entries.push(entry);
    }
}

fn parse_header(h: &[u8; BLOCK as usize], offset: u64) -> Result<Entry, String> {
    if &h[257..262] != b"ustar" {
        return Err("it is not a tar archive".into());
    }
    let mut copy = *h;
    copy[148..156].copy_from_slice(b"        ");
    let sum: u64 = copy.iter().map(|&b| u64::from(b)).sum();
    if parse_octal(&h[148..156]) != Some(sum) {
        return Err("a tar header's checksum does not match (damaged?)".into());
    }
    let name_len = h[..100].iter().position(|&b| b == 0).unwrap_or(100);
    let name = String::from_utf8_lossy(&h[..name_len]).into_owned();
    if !matches!(h[156], b'0' | 0) {
        return Err(format!("{name} is not a regular file"));
    }
    let size = if h[124] & 0x80 != 0 {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(&h[128..136]);
        u64::from_be_bytes(bytes)
    } else {
        parse_octal(&h[124..136]).ok_or_else(|| format!("{name} has no valid size"))?
    };
    Ok(Entry { name, offset, size })
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(field).ok()?;
    let text = text.trim_matches(|c: char| c == '\0' || c == ' ');
    u64::from_str_radix(text, 8).ok()
}

/// Reads `out.len()` bytes of `file` from `offset`.
pub(crate) fn read_at(file: &File, out: &mut [u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::read_exact_at(file, out, offset)
    }
    #[cfg(windows)]
    {
        let (mut out, mut offset) = (out, offset);
        while !out.is_empty() {
            match std::os::windows::fs::FileExt::seek_read(file, out, offset)? {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n => {
                    out = &mut out[n..];
                    offset += n as u64;
                }
            }
        }
        Ok(())
    }
}

/// Writes `data` into `file` at `offset`.
pub(crate) fn write_at(file: &File, data: &[u8], offset: u64) -> io::Result<()> {
    #[cfg(unix)]
    {
        std::os::unix::fs::FileExt::write_all_at(file, data, offset)
    }
    #[cfg(windows)]
    {
        let (mut data, mut offset) = (data, offset);
        while !data.is_empty() {
            let n = std::os::windows::fs::FileExt::seek_write(file, data, offset)?;
            data = &data[n..];
            offset += n as u64;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_read_back_with_their_offsets_and_sizes() {
        let file = tempfile::tempfile().unwrap();
        let mut writer = Writer::new(&file, 1_700_000_000);
        writer.append("a.json", b"{}").unwrap();
        let start = writer.open_entry("b.bin").unwrap();
        write_at(&file, &[7u8; 1000], start).unwrap();
        writer.close_entry("b.bin", start, 1000).unwrap();
        let len = writer.finish().unwrap();
        assert_eq!(len, 512 + 512 + 512 + 1024 + 1024);
        let found = entries(&file, len).unwrap();
        assert_eq!(
            found,
            [
                Entry {
                    name: "a.json".into(),
                    offset: 512,
                    size: 2
                },
                Entry {
                    name: "b.bin".into(),
                    offset: 1536,
                    size: 1000
                },
            ]
        );
        // Cut short, it is refused.
        assert!(entries(&file, len - 1024).is_err());
    }

    #[test]
    fn sizes_past_eight_gib_use_base_256() {
        let size = 10 << 30;
        let h = header("big", size, 0).unwrap();
        assert_eq!(parse_header(&h, 512).unwrap().size, size);
        let h = header("small", 12345, 0).unwrap();
        assert_eq!(parse_header(&h, 512).unwrap().size, 12345);
    }
}
