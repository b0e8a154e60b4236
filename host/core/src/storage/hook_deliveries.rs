//! The hook deliveries port: queued after-hook deliveries and the queue of due ones.
//! (Its operations move here from the rules as the rules stop naming tables.)

/// Reading queued after-hook deliveries and the queue of due ones.
pub trait HookDeliveryReads {}

/// Writing queued after-hook deliveries and the queue of due ones.
pub trait HookDeliveryWrites: HookDeliveryReads {}
