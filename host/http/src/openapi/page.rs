//! The reference page served at `/v1/docs`, rendered from the finished document.

use serde_json::Value;

/// `text` escaped, its `code spans` as `<code>`.
fn prose(text: &str) -> String {
    escape(text)
        .split('`')
        .enumerate()
        .map(|(n, part)| {
            if n % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_string()
            }
        })
        .collect()
}

/// An operation's security in words: the schemes of one requirement together ("and"), the
/// requirements as alternatives ("or").
fn security_words(operation: &Value) -> String {
    let requirements: Vec<String> = operation["security"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .map(|r| {
            r.keys()
                .map(|k| escape(k))
                .collect::<Vec<_>>()
                .join(" and ")
        })
        .collect();
    if requirements.is_empty() {
        "none".to_string()
    } else {
        requirements.join(" or ")
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A schema in a few words: its `$ref` name, its type, the items of a list.
fn schema_words(schema: &Value) -> String {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or(reference);
        return format!("<a href=\"#schema-{0}\">{0}</a>", escape(name));
    }
    if let Some(items) = schema.get("items") {
        return format!("list of {}", schema_words(items));
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema[key].as_array() {
            let words: Vec<String> = options.iter().map(schema_words).collect();
            return words.join(" or ");
        }
    }
    match &schema["type"] {
        Value::String(t) => escape(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".to_string(),
    }
}

/// The reference page: every operation (grouped by tag) with its parameters, body, answers and
/// security, then every schema as JSON. Plain HTML and a little CSS, nothing fetched.
pub(super) fn render_page(doc: &Value) -> String {
    let mut by_tag: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for (path, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let tag = op["tags"][0].as_str().unwrap_or("other").to_string();
            let mut html = format!(
                "<section class=\"op\" id=\"op-{id}\"><h3><span class=\"m {m}\">{M}</span> <code>{p}</code></h3>",
                id = escape(op["operationId"].as_str().unwrap_or("")),
                m = escape(method),
                M = escape(&method.to_uppercase()),
                p = escape(path),
            );
            if let Some(summary) = op["summary"].as_str() {
                html.push_str(&format!("<p><b>{}</b></p>", prose(summary)));
            }
            if let Some(description) = op["description"].as_str() {
                html.push_str(&format!("<p>{}</p>", prose(description)));
            }
            html.push_str(&format!("<p>Auth: {}</p>", security_words(op)));
            if let Some(parameters) = op["parameters"].as_array() {
                html.push_str("<table><tr><th>parameter</th><th>in</th><th>type</th><th>description</th></tr>");
                for p in parameters {
                    html.push_str(&format!(
                        "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                        escape(p["name"].as_str().unwrap_or("")),
                        if p["required"] == true { " *" } else { "" },
                        escape(p["in"].as_str().unwrap_or("")),
                        schema_words(&p["schema"]),
                        prose(p["description"].as_str().unwrap_or("")),
                    ));
                }
                html.push_str("</table>");
            }
            if let Some(content) = op["requestBody"]["content"].as_object() {
                for (media, c) in content {
                    html.push_str(&format!(
                        "<p>Body ({}): {}</p>",
                        escape(media),
                        schema_words(&c["schema"])
                    ));
                }
            }
            html.push_str("<table><tr><th>status</th><th>answer</th><th>description</th></tr>");
            for (status, r) in op["responses"].as_object().into_iter().flatten() {
                let body = r["content"]
                    .as_object()
                    .and_then(|c| c.values().next())
                    .map(|c| schema_words(&c["schema"]))
                    .unwrap_or_default();
                html.push_str(&format!(
                    "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                    escape(status),
                    body,
                    prose(r["description"].as_str().unwrap_or(""))
                ));
            }
            html.push_str("</table></section>");
            by_tag.entry(tag).or_default().push(html);
        }
    }
    let mut page = String::from(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Portico API reference</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>\
         body{font-family:system-ui,sans-serif;max-width:70rem;margin:auto;padding:1rem;line-height:1.4}\
         code,pre{font-family:ui-monospace,monospace}pre{background:#f5f5f5;padding:.5rem;overflow:auto}\
         table{border-collapse:collapse;margin:.3rem 0}td,th{border:1px solid #ccc;padding:.2rem .4rem;text-align:left;vertical-align:top}\
         .op{border-top:1px solid #ddd;margin-top:1rem}.m{font-weight:bold;padding:0 .3rem;border-radius:3px;color:#fff}\
         .get{background:#2a7}.post{background:#27a}.put{background:#a72}.patch{background:#a5a}.delete{background:#a33}\
         </style></head><body>",
    );
    page.push_str(&format!(
        "<h1>{} API reference</h1><p>{}</p><p>The machine-readable contract: <a href=\"/v1/openapi.json\">/v1/openapi.json</a> (OpenAPI {}).</p>",
        escape(doc["info"]["title"].as_str().unwrap_or("")),
        escape(doc["info"]["description"].as_str().unwrap_or("")),
        escape(doc["openapi"].as_str().unwrap_or("")),
    ));
    page.push_str("<h2>Authentication</h2><ul>");
    for (name, scheme) in doc["components"]["securitySchemes"]
        .as_object()
        .into_iter()
        .flatten()
    {
        page.push_str(&format!(
            "<li><code>{}</code>: {}</li>",
            escape(name),
            prose(scheme["description"].as_str().unwrap_or(""))
        ));
    }
    page.push_str("</ul><h2>Contents</h2><ul>");
    for tag in by_tag.keys() {
        page.push_str(&format!(
            "<li><a href=\"#tag-{0}\">{0}</a></li>",
            escape(tag)
        ));
    }
    page.push_str("<li><a href=\"#schemas\">schemas</a></li></ul>");
    for (tag, operations) in &by_tag {
        page.push_str(&format!("<h2 id=\"tag-{0}\">{0}</h2>", escape(tag)));
        for op in operations {
            page.push_str(op);
        }
    }
    page.push_str("<h2 id=\"schemas\">Schemas</h2>");
    for (name, schema) in doc["components"]["schemas"]
        .as_object()
        .into_iter()
        .flatten()
    {
        page.push_str(&format!(
            "<h3 id=\"schema-{0}\">{0}</h3><pre>{1}</pre>",
            escape(name),
            escape(&serde_json::to_string_pretty(schema).unwrap_or_default())
        ));
    }
    page.push_str("</body></html>");
    page
}
