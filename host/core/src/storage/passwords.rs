//! The passwords port: password reset codes.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading password reset codes.
pub trait PasswordReads {}

/// Writing password reset codes.
pub trait PasswordWrites: PasswordReads {}
