"""The 15 field types, the helpers a validator needs, and the form API's JSON read into the
component's values as the host reads it (for tests and tools)."""

import json

from wit_world.imports.types import (
    Choice, DateValue, EntityId_Numeric, EntityId_Text, Field, FieldType, FieldValue_Date,
    FieldValue_DateTime, FieldValue_Entity, FieldValue_File, FieldValue_Float,
    FieldValue_GroupOfImages, FieldValue_Image, FieldValue_Integer, FieldValue_List,
    FieldValue_RadioButton, FieldValue_String, FieldValue_Text, FieldValue_TextWithHeader,
    FieldValue_Time, FieldValue_TimeInterval, FileValue, TextValue, TextWithHeaderValue,
    Violation,
)

# Field type → (the form API's name, the value case), in WIT order.
_TYPES = {
    FieldType.STRING: ("string", FieldValue_String),
    FieldType.INTEGER: ("integer", FieldValue_Integer),
    FieldType.FLOAT: ("float", FieldValue_Float),
    FieldType.DATE: ("date", FieldValue_Date),
    FieldType.DATE_TIME: ("dateTime", FieldValue_DateTime),
    FieldType.TIME: ("time", FieldValue_Time),
    FieldType.TEXT: ("text", FieldValue_Text),
    FieldType.TEXT_WITH_HEADER: ("textWithHeader", FieldValue_TextWithHeader),
    FieldType.IMAGE: ("image", FieldValue_Image),
    FieldType.GROUP_OF_IMAGES: ("groupOfImages", FieldValue_GroupOfImages),
    FieldType.FILE: ("file", FieldValue_File),
    FieldType.RADIO_BUTTON: ("radioButton", FieldValue_RadioButton),
    FieldType.LIST: ("list", FieldValue_List),
    FieldType.ENTITY: ("entity", FieldValue_Entity),
    FieldType.TIME_INTERVAL: ("timeInterval", FieldValue_TimeInterval),
}
_BY_NAME = {name: t for t, (name, _) in _TYPES.items()}
_BY_CASE = {case: t for t, (_, case) in _TYPES.items()}

#: Every field type, in WIT order.
FIELD_TYPES = list(_TYPES)


def json_name(field_type: FieldType) -> str:
    """The name the form API uses in `"type"`, e.g. `dateTime`."""
    return _TYPES[field_type][0]


def from_json_name(name: str) -> FieldType | None:
    """The field type the form API calls `name`, or None."""
    return _BY_NAME.get(name)


def value_type(value) -> FieldType:
    """The field type a value (a `FieldValue_*` case) belongs to."""
    return _BY_CASE[type(value)]


def violation(marker: str, code: str, message: str) -> Violation:
    """A violation of the field `marker`, with a stable `code` and a message."""
    return Violation(marker, code, str(message))


def field_violation(field: Field, code: str, message: str) -> Violation:
    """A violation of `field` (its marker)."""
    return Violation(field.marker, code, str(message))


def entity_id_text(entity_id) -> str:
    """An entity id as text, whatever its JSON form."""
    return str(entity_id.value)


# ---- The form API's JSON → the component's values. ----

def _fail(path, what):
    raise ValueError(f"{path} must be {what}")


def _str(v, path):
    if not isinstance(v, str):
        _fail(path, "a string")
    return v


def _opt_str(obj, key, path, default=""):
    v = obj.get(key)
    return default if v is None else _str(v, f"{path}.{key}")


def _json_text(v):
    return None if v is None else json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _obj(v, path):
    if not isinstance(v, dict):
        _fail(path, "an object")
    return v


def _array(v, path):
    if not isinstance(v, list):
        _fail(path, "an array")
    return v


def _whole(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _date(v, path):
    o = _obj(v, path)
    return DateValue(_str(o.get("fullDate"), f"{path}.fullDate"), _opt_str(o, "formattedValue", path),
                     _opt_str(o, "formatString", path))


def _text(o, path):
    return (_opt_str(o, "htmlValue", path), _opt_str(o, "plainValue", path), _opt_str(o, "mdValue", path),
            _json_text(o.get("params")))


def _files(v, path):
    out = []
    for i, f in enumerate(_array(v, path)):
        p = f"{path}[{i}]"
        o = _obj(f, p)
        preview = _opt_str(o, "previewLink", p)
        size = o.get("size")
        if not _whole(size) or size < 0:
            _fail(f"{p}.size", "a whole number of bytes")
        out.append(FileValue(_str(o.get("filename"), f"{p}.filename"), _opt_str(o, "downloadLink", p), size,
                             preview or None, _json_text(o.get("params"))))
    return out


def _choice(v, path):
    o = _obj(v, path)
    value = o.get("value")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        _fail(f"{path}.value", "a string or a number")
    return Choice(_opt_str(o, "title", path), value if isinstance(value, str) else json.dumps(value),
                  _json_text(o.get("extended")))


def _entity(v, path):
    if isinstance(v, str):
        return EntityId_Text(v)
    if _whole(v):
        return EntityId_Numeric(v)
    _fail(path, "a whole number" if isinstance(v, float) else "a number or a string")


def _interval(v, path):
    if not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)):
        _fail(path, "a [start, end] pair of strings")
    return (v[0], v[1])


def value_from_json(field_type: FieldType, v, path="value"):
    """A value of `field_type` from the form API's JSON; errors name the offending part."""
    case = _TYPES[field_type][1]
    if field_type == FieldType.STRING:
        return case(_str(v, path))
    if field_type == FieldType.INTEGER:
        return case(v) if _whole(v) else _fail(path, "a whole number")
    if field_type == FieldType.FLOAT:
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            _fail(path, "a number")
        return case(float(v))
    if field_type in (FieldType.DATE, FieldType.DATE_TIME, FieldType.TIME):
        return case(_date(v, path))
    if field_type == FieldType.TEXT:
        return case(TextValue(*_text(_obj(v, path), path)))
    if field_type == FieldType.TEXT_WITH_HEADER:
        o = _obj(v, path)
        return case(TextWithHeaderValue(_opt_str(o, "header", path), *_text(o, path)))
    if field_type in (FieldType.IMAGE, FieldType.GROUP_OF_IMAGES, FieldType.FILE):
        return case(_files(v, path))
    if field_type == FieldType.RADIO_BUTTON:
        return case(_choice(v, path))
    item = {FieldType.LIST: _choice, FieldType.ENTITY: _entity, FieldType.TIME_INTERVAL: _interval}[field_type]
    return case([item(x, f"{path}[{i}]") for i, x in enumerate(_array(v, path))])


def field_from_json(v, path="field") -> Field:
    """A field from `{"marker", "type", "value", "settings", "formIdentifier", "langCode"}`."""
    o = _obj(v, path)
    marker = _str(o.get("marker"), f"{path}.marker")
    name = _str(o.get("type"), f"{path}.type")
    field_type = from_json_name(name)
    if field_type is None:
        names = ", ".join(n for n, _ in _TYPES.values())
        raise ValueError(f"{path}.type: unknown field type '{name}' (expected one of {names})")
    settings = o.get("settings")
    settings = {} if settings is None else settings
    if not isinstance(settings, dict):
        _fail(f"{path}.settings", "an object")
    opt = lambda key: o.get(key) if isinstance(o.get(key), str) else None  # noqa: E731
    return Field(marker, field_type, value_from_json(field_type, o.get("value"), f"{path}.value"),
                 _json_text(settings), opt("formIdentifier"), opt("langCode"))
