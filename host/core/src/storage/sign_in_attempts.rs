//! The sign in attempts port: failed sign-in counters and lockouts, in time order.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading failed sign-in counters and lockouts, in time order.
pub trait SignInAttemptReads {}

/// Writing failed sign-in counters and lockouts, in time order.
pub trait SignInAttemptWrites: SignInAttemptReads {}
