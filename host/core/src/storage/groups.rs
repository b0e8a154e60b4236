//! The groups port: groups and the index of their names.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading groups and the index of their names.
pub trait GroupReads {}

/// Writing groups and the index of their names.
pub trait GroupWrites: GroupReads {}
