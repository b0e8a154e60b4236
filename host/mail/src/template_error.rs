//! Why a template did not render, told in terms of the template and the data.

use std::fmt;

use minijinja::{Environment, ErrorKind};

/// One of a message's three templates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// The subject line.
    Subject,
    /// The plain-text part.
    Text,
    /// The HTML part.
    Html,
}

impl Part {
    /// The suffix of the part's template name (`welcome.subject`, `welcome.txt`, `welcome.html`).
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Part::Subject => "subject",
            Part::Text => "txt",
            Part::Html => "html",
        }
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Part::Subject => "subject",
            Part::Text => "text part",
            Part::Html => "HTML part",
        })
    }
}

/// A template that does not render, or a message that cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// No built-in template has this name.
    #[error("there is no template `{0}`")]
    UnknownTemplate(String),
    /// The message's data is not a JSON object.
    #[error("the message data is not a JSON object")]
    DataNotObject,
    /// An override's source is larger than `MAX_OVERRIDE_BYTES`.
    #[error("the {part} template is larger than {max} bytes")]
    TooLarge {
        /// The template.
        part: Part,
        /// The limit.
        max: usize,
    },
    /// The template does not parse.
    #[error("the {part} template does not parse: {message}")]
    Syntax {
        /// The template.
        part: Part,
        /// What is wrong, and where.
        message: String,
    },
    /// The template uses a value the data does not have.
    #[error("the {part} template needs a value the data lacks: {message}")]
    MissingValue {
        /// The template.
        part: Part,
        /// Which value, and where it is used.
        message: String,
    },
    /// The template parses but fails while rendering (a bad filter, too much work, ...).
    #[error("the {part} template does not render: {message}")]
    Render {
        /// The template.
        part: Part,
        /// What failed, and where.
        message: String,
    },
    /// The subject renders to nothing.
    #[error("the subject is empty")]
    EmptySubject,
}

/// `error`, raised while parsing or rendering `part`, told with what went wrong (for a missing
/// value, its name) and the line it happened on.
pub(crate) fn explain(
    env: &Environment<'_>,
    part: Part,
    error: &minijinja::Error,
) -> TemplateError {
    let place = place(env, error);
    let detail = error.detail().unwrap_or_default();
    match error.kind() {
        ErrorKind::SyntaxError | ErrorKind::BadEscape | ErrorKind::InvalidDelimiter => {
            TemplateError::Syntax {
                part,
                message: join(&[&error.kind().to_string(), detail, &place.text]),
            }
        }
        ErrorKind::UndefinedError => TemplateError::MissingValue {
            part,
            message: join(&[
                match detail.is_empty() {
                    true => "an undefined value",
                    false => detail,
                },
                &place.text,
            ]),
        },
        _ => TemplateError::Render {
            part,
            message: join(&[&error.kind().to_string(), detail, &place.text]),
        },
    }
}

/// Where an error happened: `line 3 of welcome.txt: {{ link }}`, and that line's source.
struct Place {
    text: String,
}

fn place(env: &Environment<'_>, error: &minijinja::Error) -> Place {
    let (Some(name), Some(number)) = (error.name(), error.line()) else {
        return Place {
            text: String::new(),
        };
    };
    let line = env
        .get_template(name)
        .ok()
        .and_then(|t| {
            t.source()
                .lines()
                .nth(number.saturating_sub(1))
                .map(str::to_string)
        })
        .unwrap_or_default();
    let shown = name.rsplit('/').next().unwrap_or(name);
    Place {
        text: format!("line {number} of {shown}: {}", line.trim()),
    }
}

fn join(pieces: &[&str]) -> String {
    let kept: Vec<&str> = pieces.iter().copied().filter(|p| !p.is_empty()).collect();
    kept.join("; ")
}
