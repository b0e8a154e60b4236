//! Groups and membership: addGroup, removeGroup, containsGroup, isPrimaryGroup, getPrimaryGroup.

use reqwest::StatusCode;
use serde_json::json;

use crate::support::{assert_error, create_user, Server};

#[tokio::test]
async fn group_crud_and_lookup_by_id_name_or_label() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    let (status, g) = t
        .post(
            "/groups",
            json!({"name": "admins", "label": "Administrators"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let id = g["id"].as_str().unwrap();
    for key in [id, "admins", "Administrators"] {
        assert_eq!(
            t.get(&format!("/groups/{key}")).await.1["id"],
            id,
            "lookup by {key}"
        );
    }
    let (_, plain) = t.post("/groups", json!({"name": "staff"})).await;
    assert_eq!(plain["label"], "staff", "the label defaults to the name");
    assert_error(
        t.post("/groups", json!({"name": "admins"})).await,
        StatusCode::CONFLICT,
        "group_name_taken",
    );
    assert_error(
        t.post("/groups", json!({"name": "bad name!"})).await,
        StatusCode::BAD_REQUEST,
        "invalid_group_name",
    );
    // Two groups with one label: the label alone is ambiguous.
    t.post("/groups", json!({"name": "ops", "label": "Team"}))
        .await;
    t.post("/groups", json!({"name": "devs", "label": "Team"}))
        .await;
    assert_error(
        t.get("/groups/Team").await,
        StatusCode::BAD_REQUEST,
        "ambiguous_group",
    );
    let (_, page) = t.get("/groups?limit=2").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert!(page["nextCursor"].is_string());
    assert_error(
        t.get("/groups/nope").await,
        StatusCode::NOT_FOUND,
        "group_not_found",
    );
}

#[tokio::test]
async fn one_primary_group_and_what_happens_when_it_goes() {
    let server = Server::start();
    let t = server.tenant("acme").await;
    for name in ["g1", "g2", "g3"] {
        t.post(
            "/groups",
            json!({"name": name, "label": format!("Group {name}")}),
        )
        .await;
    }
    let user = create_user(&t, "a@x.com").await;
    let u = format!("/users/{}", user["id"].as_str().unwrap());
    assert_error(
        t.get(&format!("{u}/primary-group")).await,
        StatusCode::NOT_FOUND,
        "primary_group_not_found",
    );

    // The first group becomes primary even without the flag.
    let (status, view) = t.post(&format!("{u}/groups"), json!({"group": "g1"})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["groups"][0]["primary"], true);
    t.post(&format!("{u}/groups"), json!({"group": "Group g2"}))
        .await;
    assert_eq!(t.get(&format!("{u}/primary-group")).await.1["name"], "g1");
    // Adding with primary moves the primary flag.
    let (_, view) = t
        .post(
            &format!("{u}/groups"),
            json!({"group": "g3", "primary": true}),
        )
        .await;
    let primaries: Vec<_> = view["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["primary"] == true)
        .collect();
    assert_eq!(primaries.len(), 1);
    let (_, primary) = t.get(&format!("{u}/primary-group")).await;
    assert_eq!(primary["name"], "g3");
    assert_eq!(
        primary.as_object().unwrap().len(),
        3,
        "{{id, name, label}}: {primary}"
    );
    assert_eq!(primary["label"], "Group g3");
    // Re-adding a member with primary only moves the flag.
    let (_, view) = t
        .post(
            &format!("{u}/groups"),
            json!({"group": "g2", "primary": true}),
        )
        .await;
    assert_eq!(view["groups"].as_array().unwrap().len(), 3);
    assert_eq!(
        t.get(&format!("{u}/groups/g2/is-primary")).await.1,
        json!({"result": true})
    );
    assert_eq!(
        t.get(&format!("{u}/groups/g3/is-primary")).await.1,
        json!({"result": false})
    );
    assert_eq!(
        t.get(&format!("{u}/groups/g3/contains")).await.1,
        json!({"result": true})
    );

    // Removing the primary group: the earliest-joined remaining group (g1) becomes primary.
    t.delete(&format!("{u}/groups/g2")).await;
    assert_eq!(
        t.get(&format!("{u}/groups/g2/contains")).await.1,
        json!({"result": false})
    );
    assert_eq!(t.get(&format!("{u}/primary-group")).await.1["name"], "g1");
    // Removing a group the user is not in changes nothing.
    let (status, view) = t.delete(&format!("{u}/groups/g2")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["groups"].as_array().unwrap().len(), 2);
    // Deleting the primary group from the tenant re-elects too.
    assert_eq!(t.delete("/groups/g1").await.0, StatusCode::NO_CONTENT);
    assert_eq!(t.get(&format!("{u}/primary-group")).await.1["name"], "g3");
    t.delete(&format!("{u}/groups/g3")).await;
    assert_error(
        t.get(&format!("{u}/primary-group")).await,
        StatusCode::NOT_FOUND,
        "primary_group_not_found",
    );

    assert_error(
        t.post(&format!("{u}/groups"), json!({"group": "nope"}))
            .await,
        StatusCode::NOT_FOUND,
        "group_not_found",
    );
    assert_error(
        t.post(&format!("{u}/groups"), json!({"group": ""})).await,
        StatusCode::BAD_REQUEST,
        "invalid_group",
    );
    assert_error(
        t.get(&format!("{u}/groups/nope/contains")).await,
        StatusCode::NOT_FOUND,
        "group_not_found",
    );
    assert_error(
        t.post("/users/missing/groups", json!({"group": "g3"}))
            .await,
        StatusCode::NOT_FOUND,
        "user_not_found",
    );
}
