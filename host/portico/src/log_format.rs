//! The log line format: `tracing-subscriber`'s text and JSON lines, with the request being
//! served (`http::request_id::RequestContext`) where the crate writes a span, in the same
//! shape (`request{request_id=… method=… uri=… tenant="…" route="…"}:` in text, a `span`
//! object in JSON). The request's context is read when a line is written, from the request's
//! task or the thread doing its work, so a request that writes only its access line costs no
//! span (see `http::request_log`). The fields are written by the crate's own field formats.

use std::fmt;

use tracing::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

use crate::http::request_id::{current_request, RequestContext};
use crate::http::request_log::RedactedUri;

/// One line per event, as text or JSON.
pub struct LineFormat {
    json: bool,
}

impl LineFormat {
    /// `2026-12-06T00:20:00.123456Z  INFO portico-worker-1 request{…}: target: message fields`.
    pub fn text() -> LineFormat {
        LineFormat { json: false }
    }

    /// `{"timestamp":…,"level":…,"fields":{…},"target":…,"span":{…},"threadName":…}`.
    pub fn json() -> LineFormat {
        LineFormat { json: true }
    }
}

impl<S, N> FormatEvent<S, N> for LineFormat
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let request = current_request();
        let line = Line {
            meta: event.metadata(),
            request: request.as_deref(),
            fields: &|w: &mut Writer<'_>| ctx.field_format().format_fields(w.by_ref(), event),
        };
        match self.json {
            true => line.json(&mut writer),
            false => line.text(&mut writer),
        }
    }
}

/// What one line says.
struct Line<'l> {
    meta: &'l Metadata<'l>,
    request: Option<&'l RequestContext>,
    /// Writes the event's fields in the layer's field format.
    fields: &'l dyn Fn(&mut Writer<'_>) -> fmt::Result,
}

impl Line<'_> {
    fn text(&self, writer: &mut Writer<'_>) -> fmt::Result {
        SystemTime.format_time(writer)?;
        write_level(writer, *self.meta.level())?;
        writer.write_char(' ')?;
        write_thread_name(writer)?;
        writer.write_char(' ')?;
        if let Some(request) = self.request {
            write!(
                writer,
                "request{{request_id={} method={} uri={}",
                request.id,
                request.method,
                RedactedUri(&request.uri)
            )?;
            if let Some(tenant) = request.tenant() {
                write!(writer, " tenant={tenant:?}")?;
            }
            if let Some(route) = request.matched_route() {
                write!(writer, " route={route:?}")?;
            }
            writer.write_str("}: ")?;
        }
        write!(writer, "{}: ", self.meta.target())?;
        (self.fields)(writer)?;
        writeln!(writer)
    }

    fn json(&self, writer: &mut Writer<'_>) -> fmt::Result {
        writer.write_str("{\"timestamp\":\"")?;
        SystemTime.format_time(writer)?;
        write!(writer, "\",\"level\":\"{}\",\"fields\":", self.meta.level())?;
        // The JSON field format writes the fields as one object.
        (self.fields)(writer)?;
        writer.write_str(",\"target\":")?;
        json_string(writer, self.meta.target())?;
        if let Some(request) = self.request {
            json_request(writer, request)?;
        }
        writer.write_str(",\"threadName\":")?;
        match std::thread::current().name() {
            Some(name) => json_string(writer, name)?,
            None => json_string(writer, &format!("{:?}", std::thread::current().id()))?,
        }
        writer.write_str("}\n")
    }
}

/// The request as the `span` member of a JSON line.
fn json_request(writer: &mut Writer<'_>, request: &RequestContext) -> fmt::Result {
    writer.write_str(",\"span\":{\"request_id\":")?;
    json_string(writer, &request.id)?;
    writer.write_str(",\"method\":")?;
    json_string(writer, request.method.as_str())?;
    writer.write_str(",\"uri\":")?;
    json_string(writer, &RedactedUri(&request.uri).to_string())?;
    if let Some(tenant) = request.tenant() {
        writer.write_str(",\"tenant\":")?;
        json_string(writer, tenant)?;
    }
    if let Some(route) = request.matched_route() {
        writer.write_str(",\"route\":")?;
        json_string(writer, route)?;
    }
    writer.write_str(",\"name\":\"request\"}")
}

/// The level, right-aligned to five characters after a space, coloured on a terminal.
fn write_level(writer: &mut Writer<'_>, level: Level) -> fmt::Result {
    if !writer.has_ansi_escapes() {
        return write!(writer, " {:>5}", level.as_str());
    }
    let colour = match level {
        Level::ERROR => "31",
        Level::WARN => "33",
        Level::INFO => "32",
        Level::DEBUG => "34",
        Level::TRACE => "35",
    };
    write!(writer, " \x1b[{colour}m{:>5}\x1b[0m", level.as_str())
}

fn write_thread_name(writer: &mut Writer<'_>) -> fmt::Result {
    match std::thread::current().name() {
        Some(name) => writer.write_str(name),
        None => write!(writer, "{:?}", std::thread::current().id()),
    }
}

/// `text` as a JSON string: quoted, with `"`, `\` and control characters escaped.
fn json_string(writer: &mut impl fmt::Write, text: &str) -> fmt::Result {
    writer.write_char('"')?;
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let escaped = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            c if (c as u32) < 0x20 => "",
            _ => continue,
        };
        writer.write_str(&text[start..i])?;
        match escaped {
            "" => write!(writer, "\\u{:04x}", c as u32)?,
            escaped => writer.write_str(escaped)?,
        }
        start = i + c.len_utf8();
    }
    writer.write_str(&text[start..])?;
    writer.write_char('"')
}

#[cfg(test)]
mod tests {
    use super::json_string;

    fn quoted(text: &str) -> String {
        let mut out = String::new();
        json_string(&mut out, text).unwrap();
        out
    }

    #[test]
    fn json_strings_are_what_serde_json_reads_back() {
        for text in [
            "plain",
            "a \"quoted\" \\ path",
            "line\nbreak\ttab\r",
            "\u{1}\u{1f}é✓",
        ] {
            let out = quoted(text);
            assert_eq!(serde_json::from_str::<String>(&out).unwrap(), text, "{out}");
        }
        assert_eq!(quoted("\u{1}"), "\"\\u0001\"");
    }
}
