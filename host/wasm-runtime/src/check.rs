//! The checks of an upload that need no compiling: the component's imports, its exports and
//! the signature of every function of a Portico interface it exports or imports, read with
//! wasmparser and compared with the interfaces of `wit/`. An upload refused here never costs a
//! compile.

use std::collections::HashMap;
use std::sync::OnceLock;

use wasmparser::component_types::{
    ComponentAnyTypeId, ComponentDefinedType, ComponentEntityType, ComponentValType,
};
use wasmparser::types::TypesRef;
use wasmparser::{Parser, Payload, PrimitiveValType, Validator, WasmFeatures};
use wit_parser::{Resolve, Type, TypeDefKind};

use super::PROVIDED_IMPORTS;
use portico_core::plugins::{Interface, Refusal, WIT_PACKAGE, WIT_VERSIONS};

/// Longest rendering of one function signature: types are compared by their text, and a
/// component can define types that double in size at each level; past this it cannot match.
const MAX_SIGNATURE_TEXT: usize = 64 << 10;

/// The WIT files of one version of the package, as the host was built with them.
macro_rules! wit_files {
    ($version:literal) => {
        [
            wit_file!($version, "types.wit"),
            wit_file!($version, "host.wit"),
            wit_file!($version, "signup-policy.wit"),
            wit_file!($version, "field-validator.wit"),
            wit_file!($version, "lifecycle-hooks.wit"),
        ]
    };
}

macro_rules! wit_file {
    ($version:literal, $name:literal) => {
        (
            $name,
            include_str!(concat!("../../../wit/", $version, "/", $name)),
        )
    };
}

/// Every version served (`WIT_VERSIONS`) with its files.
const WIT_FILES: [(&str, [(&str, &str); 5]); 2] = [
    ("0.1.0", wit_files!("0.1.0")),
    ("0.2.0", wit_files!("0.2.0")),
];

/// One function of an interface: its signature as compared (every type spelt out) and as
/// shown (named types by name).
struct Signature {
    exact: String,
    shown: String,
}

/// The interface name (`field-validator`) -> function name -> signature, of one version.
type Expected = HashMap<String, HashMap<String, Signature>>;

/// The interfaces of `version` (one of `WIT_VERSIONS`).
fn expected(version: &str) -> &'static Expected {
    static EXPECTED: OnceLock<HashMap<&'static str, Expected>> = OnceLock::new();
    let all = EXPECTED.get_or_init(|| {
        WIT_FILES
            .iter()
            .map(|(v, files)| {
                let parsed =
                    parse_wit(files).expect("the wit/ files the host was built with parse");
                (*v, parsed)
            })
            .collect()
    });
    &all[version]
}

fn parse_wit(files: &[(&str, &str)]) -> Result<Expected, String> {
    let mut map = wit_parser::SourceMap::default();
    for &(name, text) in files {
        map.push_str(name, text);
    }
    let group = map.parse().map_err(|(_, e)| format!("{e:?}"))?;
    let mut resolve = Resolve::default();
    resolve.push_group(group).map_err(|e| format!("{e:?}"))?;
    let mut expected = Expected::new();
    for (_, iface) in resolve.interfaces.iter() {
        let Some(name) = &iface.name else { continue };
        let functions = iface
            .functions
            .iter()
            .map(|(fname, f)| {
                let params: Vec<(&str, Type)> =
                    f.params.iter().map(|p| (p.name.as_str(), p.ty)).collect();
                let render = |deep: bool| {
                    let mut text = Text::default();
                    text.push_str(fname);
                    text.push_str(": func(");
                    for (i, (pname, ty)) in params.iter().enumerate() {
                        if i > 0 {
                            text.push_str(", ");
                        }
                        text.push_str(pname);
                        text.push_str(": ");
                        wit_type(&resolve, *ty, deep, &mut text);
                    }
                    text.push(')');
                    if let Some(ty) = f.result {
                        text.push_str(" -> ");
                        wit_type(&resolve, ty, deep, &mut text);
                    }
                    text.0
                };
                let signature = Signature {
                    exact: render(true),
                    shown: render(false),
                };
                (fname.clone(), signature)
            })
            .collect();
        expected.insert(name.clone(), functions);
    }
    Ok(expected)
}

/// Signature text, abandoned (and then never equal to a real signature) past
/// `MAX_SIGNATURE_TEXT`.
#[derive(Default)]
struct Text(String);

impl Text {
    fn push_str(&mut self, s: &str) {
        if self.0.len() <= MAX_SIGNATURE_TEXT {
            self.0.push_str(s);
        }
    }
    fn push(&mut self, c: char) {
        if self.0.len() <= MAX_SIGNATURE_TEXT {
            self.0.push(c);
        }
    }
    fn full(&self) -> bool {
        self.0.len() > MAX_SIGNATURE_TEXT
    }
}

fn list_of<T>(text: &mut Text, items: impl Iterator<Item = T>, mut each: impl FnMut(&mut Text, T)) {
    for (i, item) in items.enumerate() {
        if text.full() {
            return;
        }
        if i > 0 {
            text.push_str(", ");
        }
        each(text, item);
    }
}

/// A WIT type as text: `deep` spells out records, variants, enums and flags; otherwise a named
/// type is shown by its name.
fn wit_type(resolve: &Resolve, ty: Type, deep: bool, text: &mut Text) {
    let id = match ty {
        Type::Id(id) => id,
        primitive => return text.push_str(wit_primitive(primitive)),
    };
    let def = &resolve.types[id];
    if let (false, Some(name)) = (deep, &def.name) {
        return text.push_str(name);
    }
    let mut inner = |text: &mut Text, ty: &Type| wit_type(resolve, *ty, deep, text);
    match &def.kind {
        TypeDefKind::Record(r) => {
            text.push_str("record{");
            list_of(text, r.fields.iter(), |t, f| {
                t.push_str(&f.name);
                t.push_str(": ");
                inner(t, &f.ty);
            });
            text.push('}');
        }
        TypeDefKind::Variant(v) => {
            text.push_str("variant{");
            list_of(text, v.cases.iter(), |t, c| {
                t.push_str(&c.name);
                if let Some(ty) = &c.ty {
                    t.push('(');
                    inner(t, ty);
                    t.push(')');
                }
            });
            text.push('}');
        }
        TypeDefKind::Enum(e) => {
            text.push_str("enum{");
            list_of(text, e.cases.iter(), |t, c| t.push_str(&c.name));
            text.push('}');
        }
        TypeDefKind::Flags(f) => {
            text.push_str("flags{");
            list_of(text, f.flags.iter(), |t, c| t.push_str(&c.name));
            text.push('}');
        }
        TypeDefKind::Tuple(t) => {
            text.push_str("tuple<");
            list_of(text, t.types.iter(), &mut inner);
            text.push('>');
        }
        TypeDefKind::Option(ty) => {
            text.push_str("option<");
            inner(text, ty);
            text.push('>');
        }
        TypeDefKind::Result(r) => {
            text.push_str("result<");
            optional(text, r.ok.as_ref(), &mut inner);
            text.push_str(", ");
            optional(text, r.err.as_ref(), &mut inner);
            text.push('>');
        }
        TypeDefKind::List(ty) => {
            text.push_str("list<");
            inner(text, ty);
            text.push('>');
        }
        TypeDefKind::Type(ty) => inner(text, ty),
        _ => text.push_str("<unsupported type>"),
    }
}

fn optional<T>(text: &mut Text, ty: Option<T>, mut each: impl FnMut(&mut Text, T)) {
    match ty {
        Some(ty) => each(text, ty),
        None => text.push('_'),
    }
}

fn wit_primitive(ty: Type) -> &'static str {
    match ty {
        Type::Bool => "bool",
        Type::U8 => "u8",
        Type::U16 => "u16",
        Type::U32 => "u32",
        Type::U64 => "u64",
        Type::S8 => "s8",
        Type::S16 => "s16",
        Type::S32 => "s32",
        Type::S64 => "s64",
        Type::F32 => "f32",
        Type::F64 => "f64",
        Type::Char => "char",
        Type::String => "string",
        _ => "<unsupported type>",
    }
}

fn primitive(ty: PrimitiveValType) -> &'static str {
    match ty {
        PrimitiveValType::Bool => "bool",
        PrimitiveValType::U8 => "u8",
        PrimitiveValType::U16 => "u16",
        PrimitiveValType::U32 => "u32",
        PrimitiveValType::U64 => "u64",
        PrimitiveValType::S8 => "s8",
        PrimitiveValType::S16 => "s16",
        PrimitiveValType::S32 => "s32",
        PrimitiveValType::S64 => "s64",
        PrimitiveValType::F32 => "f32",
        PrimitiveValType::F64 => "f64",
        PrimitiveValType::Char => "char",
        PrimitiveValType::String => "string",
        _ => "<unsupported type>",
    }
}

/// A component's types, with the names its instances give them (for messages only).
struct Component<'a> {
    types: TypesRef<'a>,
    names: HashMap<ComponentAnyTypeId, String>,
}

impl Component<'_> {
    fn val_type(&self, ty: &ComponentValType, deep: bool, text: &mut Text) {
        let id = match ty {
            ComponentValType::Primitive(p) => return text.push_str(primitive(*p)),
            ComponentValType::Type(id) => *id,
        };
        if let (false, Some(name)) = (deep, self.names.get(&ComponentAnyTypeId::Defined(id))) {
            return text.push_str(name);
        }
        let mut inner = |text: &mut Text, ty: &ComponentValType| self.val_type(ty, deep, text);
        match &self.types[id] {
            ComponentDefinedType::Primitive(p) => text.push_str(primitive(*p)),
            ComponentDefinedType::Record(r) => {
                text.push_str("record{");
                list_of(text, r.fields.iter(), |t, (name, ty)| {
                    t.push_str(name.as_str());
                    t.push_str(": ");
                    inner(t, ty);
                });
                text.push('}');
            }
            ComponentDefinedType::Variant(v) => {
                text.push_str("variant{");
                list_of(text, v.cases.iter(), |t, (name, case)| {
                    t.push_str(name.as_str());
                    if let Some(ty) = &case.ty {
                        t.push('(');
                        inner(t, ty);
                        t.push(')');
                    }
                });
                text.push('}');
            }
            ComponentDefinedType::Enum(cases) => {
                text.push_str("enum{");
                list_of(text, cases.iter(), |t, c| t.push_str(c.as_str()));
                text.push('}');
            }
            ComponentDefinedType::Flags(flags) => {
                text.push_str("flags{");
                list_of(text, flags.iter(), |t, c| t.push_str(c.as_str()));
                text.push('}');
            }
            ComponentDefinedType::Tuple(t) => {
                text.push_str("tuple<");
                list_of(text, t.types.iter(), &mut inner);
                text.push('>');
            }
            ComponentDefinedType::Option { ty, .. } => {
                text.push_str("option<");
                inner(text, ty);
                text.push('>');
            }
            ComponentDefinedType::Result { ok, err, .. } => {
                text.push_str("result<");
                optional(text, ok.as_ref(), &mut inner);
                text.push_str(", ");
                optional(text, err.as_ref(), &mut inner);
                text.push('>');
            }
            ComponentDefinedType::List { element, .. } => {
                text.push_str("list<");
                inner(text, element);
                text.push('>');
            }
            _ => text.push_str("<unsupported type>"),
        }
    }

    /// A function's signature as text (see `Signature`).
    fn signature(&self, name: &str, ty: &ComponentEntityType, deep: bool) -> String {
        let ComponentEntityType::Func(id) = ty else {
            return format!("{name}: {}", ty_kind(ty));
        };
        let func = &self.types[*id];
        let mut text = Text::default();
        text.push_str(name);
        text.push_str(if func.async_ {
            ": async func("
        } else {
            ": func("
        });
        list_of(&mut text, func.params.iter(), |t, (pname, ty)| {
            t.push_str(pname.as_str());
            t.push_str(": ");
            self.val_type(ty, deep, t);
        });
        text.push(')');
        if let Some(ty) = &func.result {
            text.push_str(" -> ");
            self.val_type(ty, deep, &mut text);
        }
        text.0
    }

    /// Compares the functions of an instance with those of the WIT interface `iface` of
    /// `version`: every expected one present (`all`) or every present one expected (imports).
    fn check_instance(
        &self,
        name: &str,
        instance: &ComponentEntityType,
        (iface, version): (&str, &str),
        all: bool,
    ) -> Result<(), Refusal> {
        let mismatch = |what: String| Refusal::SignatureMismatch {
            name: name.to_string(),
            what,
        };
        let ComponentEntityType::Instance(id) = instance else {
            return Err(mismatch(format!(
                "it is a {}, not an instance",
                ty_kind(instance)
            )));
        };
        let expected = &expected(version)[iface];
        let exports = &self.types[*id].exports;
        if all {
            let mut missing: Vec<&str> = expected
                .iter()
                .filter(|(f, _)| !exports.contains_key(f.as_str()))
                .map(|(_, s)| s.shown.as_str())
                .collect();
            missing.sort();
            if !missing.is_empty() {
                return Err(mismatch(format!("it lacks `{}`", missing.join("`, `"))));
            }
        }
        for (fname, item) in exports {
            if matches!(item.ty, ComponentEntityType::Type { .. }) {
                continue;
            }
            let Some(want) = expected.get(fname) else {
                if all {
                    continue;
                }
                return Err(mismatch(format!("the interface has no function `{fname}`")));
            };
            if self.signature(fname, &item.ty, true) != want.exact {
                return Err(mismatch(format!(
                    "it has `{}` where the interface has `{}`",
                    self.signature(fname, &item.ty, false),
                    want.shown
                )));
            }
        }
        Ok(())
    }
}

fn ty_kind(ty: &ComponentEntityType) -> &'static str {
    match ty {
        ComponentEntityType::Module(_) => "core module",
        ComponentEntityType::Func(_) => "function",
        ComponentEntityType::Value(_) => "value",
        ComponentEntityType::Type { .. } => "type",
        ComponentEntityType::Instance(_) => "instance",
        ComponentEntityType::Component(_) => "component",
    }
}

/// The names of the top-level imports and exports of a component.
fn top_level_names(bytes: &[u8]) -> Result<(Vec<String>, Vec<String>), Refusal> {
    let (mut imports, mut exports) = (Vec::new(), Vec::new());
    let mut depth = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(|e| Refusal::Invalid(e.to_string()))? {
            Payload::Version { .. } => depth += 1,
            Payload::End(_) => depth -= 1,
            Payload::ComponentImportSection(reader) if depth == 1 => {
                for import in reader {
                    let import = import.map_err(|e| Refusal::Invalid(e.to_string()))?;
                    imports.push(import.name.name.to_string());
                }
            }
            Payload::ComponentExportSection(reader) if depth == 1 => {
                for export in reader {
                    let export = export.map_err(|e| Refusal::Invalid(e.to_string()))?;
                    exports.push(export.name.name.to_string());
                }
            }
            _ => {}
        }
    }
    Ok((imports, exports))
}

/// The names a component's instances give their types, for messages.
fn type_names(
    types: TypesRef<'_>,
    names: &[String],
    import: bool,
) -> HashMap<ComponentAnyTypeId, String> {
    let mut found = HashMap::new();
    for name in names {
        let item = if import {
            types.component_item_for_import(name)
        } else {
            types.component_item_for_export(name)
        };
        let Some(ComponentEntityType::Instance(id)) = item.map(|i| &i.ty) else {
            continue;
        };
        for (tname, item) in &types[*id].exports {
            if let ComponentEntityType::Type {
                referenced,
                created,
            } = item.ty
            {
                found.insert(referenced, tname.clone());
                found.insert(created, tname.clone());
            }
        }
    }
    found
}

/// Checks a component without compiling it: valid, importing only what Portico provides (the
/// `host` functions with their signatures), exporting at least one Portico interface, each
/// with every function of its WIT signature at the version it is exported at (any of
/// `WIT_VERSIONS`; the newest when several). Answers the Portico interfaces it exports.
pub fn check_component(bytes: &[u8]) -> Result<Vec<Interface>, Refusal> {
    let types = Validator::new_with_features(WasmFeatures::all())
        .validate_all(bytes)
        .map_err(|e| Refusal::Invalid(e.to_string()))?;
    let types = types.as_ref();
    let (imports, exports) = top_level_names(bytes)?;
    let mut forbidden: Vec<String> = imports
        .iter()
        .filter(|name| !PROVIDED_IMPORTS.iter().any(|p| name.starts_with(p)))
        .cloned()
        .collect();
    if !forbidden.is_empty() {
        forbidden.sort();
        return Err(Refusal::ForbiddenImports(forbidden));
    }
    let mut names = type_names(types, &imports, true);
    names.extend(type_names(types, &exports, false));
    let component = Component { types, names };
    for version in WIT_VERSIONS {
        let host = format!("{WIT_PACKAGE}/host@{version}");
        for name in imports.iter().filter(|n| **n == host) {
            if let Some(item) = types.component_item_for_import(name) {
                component.check_instance(name, &item.ty, ("host", version), false)?;
            }
        }
    }
    let mut found = Vec::new();
    for interface in Interface::ALL {
        for version in WIT_VERSIONS.into_iter().rev() {
            let name = interface.export_name_at(version);
            if let Some(item) = types.component_item_for_export(&name) {
                component.check_instance(&name, &item.ty, (interface.name(), version), true)?;
                found.push(interface);
                break;
            }
        }
    }
    if found.is_empty() {
        return Err(Refusal::NoExports);
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wit_interfaces_parse_with_their_signatures() {
        let validator = &expected("0.1.0")["field-validator"]["validate"];
        assert_eq!(
            validator.shown,
            "validate: func(fields: list<field>) -> list<violation>"
        );
        assert!(validator
            .exact
            .contains("list<record{marker: string, field-type: enum{string, integer"));
        assert_eq!(expected("0.1.0")["lifecycle-hooks"].len(), 10);
        assert!(expected("0.1.0")["host"].contains_key("find-user-by-email"));
    }

    #[test]
    fn only_0_2_0_decides_self_signups_and_user_updates_and_the_rest_is_unchanged() {
        let (old, new) = (expected("0.1.0"), expected("0.2.0"));
        assert!(!old["signup-policy"].contains_key("decide-self-signup"));
        let decide = &new["signup-policy"]["decide-self-signup"];
        assert_eq!(
            decide.shown,
            "decide-self-signup: func(request: self-signup-request) -> result<_, denial>"
        );
        assert!(decide.exact.contains("fields: list<record{marker: string"));
        assert_eq!(new["signup-policy"].len(), 2);
        for (hook, kind) in [
            ("before-update-user", "result<_, veto>"),
            ("after-update-user", "list<effect>"),
        ] {
            assert!(!old["lifecycle-hooks"].contains_key(hook));
            assert_eq!(
                new["lifecycle-hooks"][hook].shown,
                format!("{hook}: func(event: hook-event) -> {kind}")
            );
        }
        assert_eq!(new["lifecycle-hooks"].len(), 12);
        for (iface, functions) in old {
            for (name, signature) in functions {
                assert_eq!(signature.exact, new[iface][name].exact, "{iface}.{name}");
            }
        }
    }
}
