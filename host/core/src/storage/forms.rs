//! The forms port: form definitions and form data.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading form definitions and form data.
pub trait FormReads {}

/// Writing form definitions and form data.
pub trait FormWrites: FormReads {}
