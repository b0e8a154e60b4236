//! The notifications outbox: a message nobody acknowledges goes `NOTIFICATION_RETENTION_SECS`
//! after it was queued, shed by the messages queued after it.

use serde_json::json;

use super::*;
use portico_core::domain::notifications::NOTIFICATION_RETENTION_SECS;
use portico_core::domain::{NewUser, PageRequest};

#[test]
fn an_unacknowledged_message_is_kept_for_the_retention_and_then_goes() {
    let f = fixture();
    let new: NewUser = serde_json::from_value(json!({
        "firstName": "Pat", "lastName": "Doe", "email": "pat@x.com", "sendWelcomeEmail": false,
    }))
    .unwrap();
    let user = f.domain.users.create_user(&f.tenant, new).unwrap().id;
    // Each reset with notifyUser queues a message.
    let notify = || {
        f.domain
            .users
            .reset_password(&f.tenant, &user, true)
            .unwrap();
    };
    let queued_at = || -> Vec<DateTime<Utc>> {
        let page = f
            .domain
            .notifications
            .list_notifications(&f.tenant, &PageRequest::default());
        page.unwrap().items.iter().map(|n| n.created_at).collect()
    };
    notify();
    f.at(secs(1));
    notify();
    let (first, second) = (start(), start() + secs(1));
    assert_eq!(queued_at(), [first, second]);

    let retention = secs(NOTIFICATION_RETENTION_SECS as i64);
    f.at(retention);
    notify();
    let third = start() + retention;
    assert_eq!(queued_at(), [first, second, third], "kept to the end");
    f.at(retention + ms(1));
    notify();
    let fourth = third + ms(1);
    assert_eq!(
        queued_at(),
        [second, third, fourth],
        "just after, the first goes; the second is within the retention"
    );
}
