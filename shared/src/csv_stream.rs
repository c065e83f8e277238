//! CSV records streamed from a byte range of an object: ranged reads of a fixed size fed to
//! `csv_core`'s push parser, so memory stays the same whatever the file's size. Each record
//! carries its row number as a spreadsheet shows it (the header is row 1, an empty line is a
//! row) and the offset it starts at, which is where a chunk of the file may begin.

use crate::ports::blobs::{BlobError, Blobs};
use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

/// How much is read from the object at a time.
pub const READ_BYTES: u64 = 1024 * 1024;
/// A longer row (or one with more cells) is reported, not parsed.
pub const MAX_ROW_BYTES: usize = 256 * 1024;
pub const MAX_CELLS: usize = 512;

pub struct RecordStream<'a> {
    blobs: &'a dyn Blobs,
    key: &'a str,
    /// next byte to fetch, and where this stream stops (exclusive)
    fetch_at: u64,
    end: u64,
    read_bytes: u64,
    buf: Vec<u8>,
    buf_pos: usize,
    eof: bool,
    rdr: Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    nout: usize,
    nend: usize,
    /// absolute offset of the next unparsed byte
    offset: u64,
    at_record_start: bool,
    last_byte: u8,
    next_row: u64,
    too_long: bool,
    /// blank lines passed since the stream began
    pub blank_lines: u64,
}

/// Where a record begins and what row it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordAt {
    pub row: u64,
    pub offset: u64,
}

impl<'a> RecordStream<'a> {
    /// Records of `key` starting at `start` (a record boundary) up to `end`, the first being
    /// row `first_row`.
    pub fn new(blobs: &'a dyn Blobs, key: &'a str, delimiter: u8, start: u64, end: u64, first_row: u64) -> Self {
        RecordStream {
            blobs,
            key,
            fetch_at: start,
            end,
            read_bytes: READ_BYTES,
            buf: Vec::new(),
            buf_pos: 0,
            eof: false,
            rdr: ReaderBuilder::new().delimiter(delimiter).build(),
            out: vec![0; 4096],
            ends: vec![0; 64],
            nout: 0,
            nend: 0,
            offset: start,
            at_record_start: true,
            last_byte: b'\n',
            next_row: first_row,
            too_long: false,
            blank_lines: 0,
        }
    }

    pub fn with_read_bytes(mut self, n: u64) -> Self {
        self.read_bytes = n.max(1);
        self
    }

    async fn refill(&mut self) -> Result<(), BlobError> {
        if self.fetch_at >= self.end {
            self.eof = true;
            self.buf.clear();
            self.buf_pos = 0;
            return Ok(());
        }
        // the file's start is read at least 3 bytes at a time, to see a BOM whole
        let from = self.fetch_at;
        let want = if from == 0 {
            self.read_bytes.max(3)
        } else {
            self.read_bytes
        };
        let to = (from + want).min(self.end);
        // the spent buffer goes first: one read's worth of memory at a time
        self.buf = Vec::new();
        let bytes = self.blobs.get_range(self.key, from, to).await?;
        self.take(bytes);
        Ok(())
    }

    /// Installs `bytes`, read from where the stream has got to, as the buffer to parse next.
    fn take(&mut self, bytes: Vec<u8>) {
        let from = self.fetch_at;
        self.buf = bytes;
        self.buf_pos = 0;
        if from == 0 && self.buf.starts_with(b"\xef\xbb\xbf") {
            // skipped here: csv_core would take a buffer holding only the BOM for the end
            self.buf_pos = 3;
            self.offset += 3;
        }
        if self.buf.is_empty() {
            // the object is shorter than it was said to be
            self.eof = true;
        }
        self.fetch_at += self.buf.len() as u64;
    }

    /// A stream whose first bytes (from its start) were read already: they are parsed first,
    /// the rest is fetched as usual.
    pub fn primed(mut self, bytes: Vec<u8>) -> Self {
        let keep = bytes.len().min((self.end - self.fetch_at) as usize);
        let mut bytes = bytes;
        bytes.truncate(keep);
        self.take(bytes);
        self
    }

    /// The next record, or `None` at the end of the range.
    pub async fn next(&mut self) -> Result<Option<RecordAt>, BlobError> {
        let mut start = self.offset;
        loop {
            if self.buf_pos >= self.buf.len() && !self.eof {
                self.refill().await?;
                continue;
            }
            if self.at_record_start {
                // Blank lines are rows to a spreadsheet: count them here (csv_core skips them
                // silently). The `\n` of a `\r\n` is not a second line.
                while self.buf_pos < self.buf.len() && matches!(self.buf[self.buf_pos], b'\n' | b'\r') {
                    let b = self.buf[self.buf_pos];
                    if b == b'\r' || self.last_byte != b'\r' {
                        self.next_row += 1;
                        self.blank_lines += 1;
                    }
                    self.last_byte = b;
                    self.buf_pos += 1;
                    self.offset += 1;
                }
                if self.buf_pos >= self.buf.len() && !self.eof {
                    continue;
                }
                start = self.offset;
                self.at_record_start = false;
                self.nout = 0;
                self.nend = 0;
                self.too_long = false;
            }
            let input: &[u8] = if self.eof { &[] } else { &self.buf[self.buf_pos..] };
            let (res, nin, nout, nend) =
                self.rdr
                    .read_record(input, &mut self.out[self.nout..], &mut self.ends[self.nend..]);
            if nin > 0 {
                self.last_byte = input[nin - 1];
            }
            self.buf_pos += nin;
            self.offset += nin as u64;
            self.nout += nout;
            self.nend += nend;
            match res {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => {
                    if self.out.len() < MAX_ROW_BYTES {
                        let n = self.out.len() * 2;
                        self.out.resize(n, 0);
                    } else {
                        // keep parsing to find the record's end, dropping what it holds
                        self.too_long = true;
                        self.nout = 0;
                    }
                }
                ReadRecordResult::OutputEndsFull => {
                    if self.ends.len() < MAX_CELLS {
                        let n = self.ends.len() * 2;
                        self.ends.resize(n, 0);
                    } else {
                        self.too_long = true;
                        self.nend = 0;
                        self.nout = 0;
                    }
                }
                ReadRecordResult::Record => {
                    self.at_record_start = true;
                    let row = self.next_row;
                    self.next_row += 1;
                    return Ok(Some(RecordAt { row, offset: start }));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }

    /// The cells of the record last returned, or why they cannot be read.
    pub fn cells(&self) -> Result<Vec<&str>, String> {
        if self.too_long {
            return Err(format!(
                "the row is longer than {} KB or has more than {MAX_CELLS} cells",
                MAX_ROW_BYTES / 1024
            ));
        }
        let mut cells = Vec::with_capacity(self.nend);
        let mut from = 0;
        for &to in &self.ends[..self.nend] {
            let bytes = self.out.get(from..to).ok_or("the row could not be read")?;
            cells.push(std::str::from_utf8(bytes).map_err(|_| "the row is not UTF-8 text".to_string())?);
            from = to;
        }
        Ok(cells)
    }

    /// Where the stream has got to: the offset after the last record returned.
    pub fn offset(&self) -> u64 {
        self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::embedded::DiskBlobs;
    use crate::ports::BlobWriter;

    async fn rows(text: &[u8], delimiter: u8, read: u64) -> Vec<(u64, Vec<String>)> {
        let dir = std::env::temp_dir().join(format!("csvstream-{}", crate::ids::random_id()));
        let blobs = DiskBlobs::open(dir.clone()).unwrap();
        blobs.put("f.csv", text.to_vec(), "text/csv").await.unwrap();
        let mut s = RecordStream::new(&blobs, "f.csv", delimiter, 0, text.len() as u64, 1).with_read_bytes(read);
        if read == 7 {
            // a stream handed its first bytes reads on from after them
            s = s.primed(text[..5].to_vec());
        }
        let mut out = vec![];
        while let Some(r) = s.next().await.unwrap() {
            out.push((r.row, s.cells().unwrap().iter().map(|c| c.to_string()).collect()));
        }
        let _ = std::fs::remove_dir_all(dir);
        out
    }

    #[tokio::test]
    async fn rows_as_a_spreadsheet_numbers_them_whatever_the_read_size() {
        let text = b"\xef\xbb\xbfe;n\r\na@b.co;\"x;\r\ny\"\r\n\r\nc@d.co;z\n\nlast@e.co;w";
        for read in [1, 2, 3, 7, 1024] {
            let got = rows(text, b';', read).await;
            let want: Vec<(u64, Vec<String>)> = vec![
                (1, vec!["e".into(), "n".into()]),
                (2, vec!["a@b.co".into(), "x;\r\ny".into()]),
                (4, vec!["c@d.co".into(), "z".into()]),
                (6, vec!["last@e.co".into(), "w".into()]),
            ];
            assert_eq!(got, want, "read size {read}");
        }
    }
}
