//! What the client commands print: the API's JSON with `--json`, else lines and tables for
//! people. Everything goes to stdout; failures are printed by `client::finish`.

use serde_json::Value;

/// Where a command's answer goes, and in which form.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// `--json`: print the API's JSON.
    pub json: bool,
}

impl Output {
    /// Prints `value` as JSON with `--json`, else the text `text` makes of it.
    pub fn show(&self, value: &Value, text: impl FnOnce(&Value) -> String) {
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(value).expect("JSON values print")
            );
        } else {
            let text = text(value);
            if !text.is_empty() {
                println!("{}", text.trim_end());
            }
        }
    }
}

/// The text of a JSON value for a table cell: strings bare, `null` as `-`.
pub fn cell(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

/// `rows` under `headers`, in columns as wide as their widest cell.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<width$}  "));
            }
        }
        text.trim_end().to_string() + "\n"
    };
    let mut text = line(headers.to_vec());
    for row in rows {
        text.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    text
}

/// `bytes` for people: `12.3 MiB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64;
    let mut unit = "bytes";
    for next in UNITS {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    format!("{value:.1} {unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_line_up_and_sizes_read_as_people_write_them() {
        let text = table(
            &["ID", "NAME"],
            &[
                vec!["1".into(), "backend".into()],
                vec!["22".into(), "-".into()],
            ],
        );
        assert_eq!(text, "ID  NAME\n1   backend\n22  -\n");
        assert_eq!(size(512), "512 bytes");
        assert_eq!(size(1536), "1.5 KiB");
        assert_eq!(size(3 << 20), "3.0 MiB");
    }
}
