//! A store-only (uncompressed) ZIP archive writer: local headers, the data, the central
//! directory. Enough for a download of a few files; `unzip`, Python's `zipfile` and every
//! desktop read it. (The `zip` crate would bring deflate and its dependencies for data that
//! hardly compress: float32 values.)

/// A file of an archive: its path inside the archive and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZipEntry {
    pub name: String,
    pub bytes: Vec<u8>,
    /// Unix permission bits, e.g. 0o644 (0o755 for a script).
    pub mode: u32,
}

/// Why an archive cannot be written without ZIP64.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("the archive would exceed the 4 GiB / 65535 files of a plain ZIP")]
pub struct ZipTooLarge;

/// 1980-01-01 00:00 in MS-DOS date and time: every archive of the same files is identical.
const DOS_DATE: u16 = (1 << 5) | 1;
const DOS_TIME: u16 = 0;
/// Version 2.0 of the format, made on Unix (so the permission bits count).
const VERSION: u16 = 20;
const MADE_BY_UNIX: u16 = (3 << 8) | VERSION;

/// The stored (uncompressed) archive of `entries`, in order.
pub fn store_zip(entries: &[ZipEntry]) -> Result<Vec<u8>, ZipTooLarge> {
    let count = u16::try_from(entries.len()).map_err(|_| ZipTooLarge)?;
    let mut out = Vec::new();
    let mut central = Vec::new();
    for e in entries {
        let offset = u32::try_from(out.len()).map_err(|_| ZipTooLarge)?;
        let size = u32::try_from(e.bytes.len()).map_err(|_| ZipTooLarge)?;
        let name_len = u16::try_from(e.name.len()).map_err(|_| ZipTooLarge)?;
        let crc = crc32(&e.bytes);
        // local file header
        put32(&mut out, 0x0403_4b50);
        put16s(&mut out, &[VERSION, 0, 0, DOS_TIME, DOS_DATE]);
        put32s(&mut out, &[crc, size, size]);
        put16s(&mut out, &[name_len, 0]);
        out.extend_from_slice(e.name.as_bytes());
        out.extend_from_slice(&e.bytes);
        // its central directory record
        put32(&mut central, 0x0201_4b50);
        put16s(
            &mut central,
            &[MADE_BY_UNIX, VERSION, 0, 0, DOS_TIME, DOS_DATE],
        );
        put32s(&mut central, &[crc, size, size]);
        put16s(&mut central, &[name_len, 0, 0, 0, 0]);
        put32s(&mut central, &[(0o100_000 | e.mode) << 16, offset]);
        central.extend_from_slice(e.name.as_bytes());
    }
    let cd_offset = u32::try_from(out.len()).map_err(|_| ZipTooLarge)?;
    let cd_size = u32::try_from(central.len()).map_err(|_| ZipTooLarge)?;
    u32::try_from(out.len() + central.len() + 22).map_err(|_| ZipTooLarge)?;
    out.extend_from_slice(&central);
    // end of central directory
    put32(&mut out, 0x0605_4b50);
    put16s(&mut out, &[0, 0, count, count]);
    put32s(&mut out, &[cd_size, cd_offset]);
    put16s(&mut out, &[0]);
    Ok(out)
}

fn put16s(out: &mut Vec<u8>, values: &[u16]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

fn put32(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

fn put32s(out: &mut Vec<u8>, values: &[u32]) {
    for v in values {
        put32(out, *v);
    }
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as ZIP requires.
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in bytes {
        crc = CRC_TABLE[((crc ^ *b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}

const CRC_TABLE: [u32; 256] = crc_table();

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_matches_the_standard_check_values() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
        assert_eq!(
            crc32(b"The quick brown fox jumps over the lazy dog"),
            0x414F_A339
        );
    }

    #[test]
    fn archive_lists_its_entries_in_the_central_directory() {
        let entries = [
            ZipEntry {
                name: "a/one.txt".into(),
                bytes: b"hello".to_vec(),
                mode: 0o644,
            },
            ZipEntry {
                name: "a/run.py".into(),
                bytes: vec![7; 300],
                mode: 0o755,
            },
        ];
        let zip = store_zip(&entries).unwrap();
        // end record: 2 entries, the directory right after both files' headers and data
        let end = &zip[zip.len() - 22..];
        assert_eq!(&end[..4], &[0x50, 0x4b, 0x05, 0x06]);
        assert_eq!(u16::from_le_bytes([end[10], end[11]]), 2);
        let cd_offset = u32::from_le_bytes([end[16], end[17], end[18], end[19]]) as usize;
        assert_eq!(cd_offset, (30 + 9 + 5) + (30 + 8 + 300));
        assert_eq!(&zip[cd_offset..cd_offset + 4], &[0x50, 0x4b, 0x01, 0x02]);
        // the first file's data and CRC sit where its local header says
        assert_eq!(&zip[30 + 9..30 + 9 + 5], b"hello");
        assert_eq!(
            u32::from_le_bytes([zip[14], zip[15], zip[16], zip[17]]),
            crc32(b"hello")
        );
        // the script is executable: 0o100755 in the high half of the external attributes
        let second = cd_offset + 46 + 9;
        let attrs = u32::from_le_bytes([
            zip[second + 38],
            zip[second + 39],
            zip[second + 40],
            zip[second + 41],
        ]);
        assert_eq!(attrs >> 16, 0o100_755);
        assert_eq!(
            store_zip(&entries).unwrap(),
            zip,
            "archives are deterministic"
        );
    }
}
