use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::embedded::{Embedded, JS_SDK, PYTHON_SDK, RUST_FIELDS, RUST_SDK};
use super::*;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The files of `dir` (relative to it, recursively) whose names end in one of `suffixes`.
fn files_in(dir: &Path, suffixes: &[&str]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(at) = pending.pop() {
        for entry in std::fs::read_dir(&at).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            if path.is_dir() && !name.starts_with('.') && name != "__pycache__" {
                pending.push(path);
            } else if suffixes.iter().any(|s| name.ends_with(s)) {
                let relative = path.strip_prefix(dir).unwrap();
                found.insert(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found
}

#[test]
fn every_sdk_source_file_is_copied_into_new_projects() {
    let cases: [(&str, &[Embedded], &str, &[&str]); 4] = [
        ("plugins/sdk/src", RUST_SDK, "vendor/sdk/src/", &[".rs"]),
        (
            "plugins/fields/src",
            RUST_FIELDS,
            "vendor/fields/src/",
            &[".rs"],
        ),
        (
            "plugins/sdk-js/src",
            JS_SDK,
            "vendor/portico-plugin-sdk/src/",
            &[".js", ".ts"],
        ),
        (
            "plugins/sdk-python/portico_plugin",
            PYTHON_SDK,
            "vendor/portico_plugin/",
            &[".py"],
        ),
    ];
    for (dir, list, dest, suffixes) in cases {
        let on_disk = files_in(&repo().join(dir), suffixes);
        let copied: BTreeSet<String> = list
            .iter()
            .filter_map(|f| f.path.strip_prefix(dest))
            .filter(|path| suffixes.iter().any(|s| path.ends_with(s)))
            .map(str::to_string)
            .collect();
        assert_eq!(
            on_disk, copied,
            "{dir}: a file is missing from plugin_new/embedded.rs"
        );
    }
}

/// Each SDK carries the WIT package it binds; the copies are the repository's `wit/0.2.0`.
#[test]
fn every_sdk_carries_the_wit_package_byte_for_byte() {
    let wit = repo().join("wit/0.2.0");
    let expected = files_in(&wit, &[".wit"]);
    for sdk in [
        "plugins/sdk/wit",
        "plugins/sdk-js/wit",
        "plugins/sdk-python/portico_plugin/wit",
    ] {
        let copy = repo().join(sdk);
        assert_eq!(files_in(&copy, &[".wit"]), expected, "{sdk}");
        for name in &expected {
            let original = std::fs::read(wit.join(name)).unwrap();
            let copied = std::fs::read(copy.join(name)).unwrap();
            assert!(
                original == copied,
                "{sdk}/{name} differs from wit/0.2.0/{name}: copy it again"
            );
        }
    }
    for (list, dest) in [
        (RUST_SDK, "vendor/sdk/wit/"),
        (JS_SDK, "vendor/portico-plugin-sdk/wit/"),
        (PYTHON_SDK, "vendor/portico_plugin/wit/"),
    ] {
        let copied: BTreeSet<String> = list
            .iter()
            .filter_map(|f| f.path.strip_prefix(dest))
            .map(str::to_string)
            .collect();
        assert_eq!(copied, expected, "{dest}");
    }
}

#[test]
fn a_name_up_to_max_name_chars_is_taken_and_a_longer_one_is_refused_naming_the_limit() {
    let longest = format!("p{}", "a".repeat(MAX_NAME_CHARS - 1));
    check_name(&longest).unwrap();
    let error = check_name(&format!("{longest}a")).unwrap_err().to_string();
    assert!(error.contains("MAX_NAME_CHARS"), "{error}");
}

#[test]
fn names_no_toolchain_takes_are_refused() {
    for name in ["", "My-Plugin", "1st", "-x", "x-", "a_b", "a b", "ä"] {
        let error = check_name(name).unwrap_err().to_string();
        assert!(error.contains("invalid plugin name"), "{name}: {error}");
    }
    check_name("my-plugin-2").unwrap();
}

fn args(name: &str, lang: Lang, interface: Interface, dir: &Path) -> NewArgs {
    NewArgs {
        name: name.into(),
        lang,
        interface,
        dir: Some(dir.to_path_buf()),
    }
}

#[test]
fn a_project_gets_its_files_with_the_placeholders_filled_in() {
    let root = tempfile::tempdir().unwrap();
    for lang in [Lang::Rust, Lang::Js, Lang::Python] {
        for interface in [
            Interface::FieldValidator,
            Interface::SignupPolicy,
            Interface::LifecycleHooks,
        ] {
            let dir = root
                .path()
                .join(format!("{lang:?}-{}", interface.wit_name()));
            create(&args("my-plugin", lang, interface, &dir)).unwrap();
            let fixture = dir.join(format!("fixtures/{}.json", interface.wit_name()));
            assert!(fixture.is_file(), "{}", fixture.display());
            for (path, _) in templates(lang, interface) {
                let text = std::fs::read_to_string(dir.join(path)).unwrap();
                assert!(!text.contains("{{"), "{lang:?} {path}: {text}");
            }
        }
    }
    let cargo =
        std::fs::read_to_string(root.path().join("Rust-field-validator/Cargo.toml")).unwrap();
    assert!(cargo.contains("name = \"my-plugin\""), "{cargo}");
    let package =
        std::fs::read_to_string(root.path().join("Js-signup-policy/package.json")).unwrap();
    assert!(package.contains("-o my_plugin.wasm"), "{package}");
}

#[test]
fn a_directory_with_files_in_it_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("keep.txt"), "mine").unwrap();
    let error = create(&args("x", Lang::Js, Interface::FieldValidator, dir.path())).unwrap_err();
    assert!(error.to_string().contains("not empty"), "{error}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // An empty directory is fine.
    let empty = tempfile::tempdir().unwrap();
    create(&args(
        "x",
        Lang::Js,
        Interface::FieldValidator,
        empty.path(),
    ))
    .unwrap();
}
