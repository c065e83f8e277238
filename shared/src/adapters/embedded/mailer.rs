//! A mailer that writes every message as an `.eml` file into an outbox folder, and reads them
//! back (parsed) for the local stack's `/_local/outbox` and for tests.

use crate::ports::mailer::*;
use async_trait::async_trait;
use base64::Engine;
use mail_parser::MimeHeaders;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

pub struct OutboxMailer {
    dir: PathBuf,
    seq: AtomicU64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub content_base64: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct SentMail {
    pub id: String,
    pub file: String,
    pub from: String,
    pub to: Vec<String>,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<Attachment>,
    pub headers: Vec<(String, String)>,
}

impl OutboxMailer {
    pub fn open(dir: PathBuf) -> std::io::Result<OutboxMailer> {
        std::fs::create_dir_all(&dir)?;
        let existing = std::fs::read_dir(&dir)?.count() as u64;
        Ok(OutboxMailer {
            dir,
            seq: AtomicU64::new(existing),
        })
    }

    /// Every sent message, oldest first.
    pub fn list(&self) -> std::io::Result<Vec<SentMail>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let raw = std::fs::read(&f)?;
            let name = f
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if let Some(mail) = parse_eml(&name, &raw) {
                out.push(mail);
            }
        }
        Ok(out)
    }
}

/// Reads a MIME message into the outbox's JSON shape (envelope recipients come from the
/// `X-Envelope-To` header the mailer adds; the message's own `To` otherwise).
pub fn parse_eml(file: &str, raw: &[u8]) -> Option<SentMail> {
    let msg = mail_parser::MessageParser::default().parse(raw)?;
    let addrs = |a: Option<&mail_parser::Address>| -> Vec<String> {
        a.map(|a| a.iter().filter_map(|x| x.address().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let headers: Vec<(String, String)> = msg
        .headers_raw()
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect();
    let envelope_to: Vec<String> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("X-Envelope-To"))
        .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()).collect::<Vec<_>>())
        .collect();
    let attachments = msg
        .attachments()
        .map(|a| Attachment {
            filename: a.attachment_name().unwrap_or("").to_string(),
            content_type: a
                .content_type()
                .map(|c| match c.subtype() {
                    Some(s) => format!("{}/{}", c.ctype(), s),
                    None => c.ctype().to_string(),
                })
                .unwrap_or_default(),
            content_base64: base64::engine::general_purpose::STANDARD.encode(a.contents()),
        })
        .collect();
    Some(SentMail {
        id: file.trim_end_matches(".eml").to_string(),
        file: file.to_string(),
        from: addrs(msg.from()).into_iter().next().unwrap_or_default(),
        to: if envelope_to.is_empty() {
            addrs(msg.to())
        } else {
            envelope_to
        },
        subject: msg.subject().unwrap_or("").to_string(),
        text: msg.body_text(0).map(|t| t.to_string()).unwrap_or_default(),
        html: msg.body_html(0).map(|t| t.to_string()).unwrap_or_default(),
        attachments,
        headers,
    })
}

#[async_trait]
impl Mailer for OutboxMailer {
    async fn send_raw(&self, from: &str, to: &[String], mime: Vec<u8>) -> Result<String, MailError> {
        if to.is_empty() {
            return Err(MailError::Rejected("no recipients".into()));
        }
        let n = self.seq.fetch_add(1, Ordering::SeqCst);
        let id = format!("{:06}-{}", n, crate::ids::random_id());
        let mut file = format!("X-Envelope-From: {from}\r\nX-Envelope-To: {}\r\n", to.join(", ")).into_bytes();
        file.extend_from_slice(&mime);
        let path = self.dir.join(format!("{id}.eml"));
        tokio::fs::write(&path, file)
            .await
            .map_err(|e| MailError::Unavailable(e.to_string()))?;
        Ok(id)
    }
}
