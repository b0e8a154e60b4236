#!/usr/bin/env python3
"""Runs a field-validator component with plain Wasmtime (wasmtime-py, pinned in requirements.txt
here) under fuel: for components Portico refuses (see ../../sdk-js/MEASUREMENTS.md), to see
what they would cost. Not Portico's engine: no pooling allocator and no limits besides fuel, and
the host functions answer like `portico plugin run` (settings from the input, no users). Each
run instantiates afresh, as Portico does per call; prints the medians of fuel and time.

    measure_wasmtime.py COMPONENT.wasm INPUT.json [RUNS]"""

import json
import statistics
import sys
import time
import types

import wasmtime
from wasmtime import component as c

# The form API's type names → WIT case names.
CASES = {"dateTime": "date-time", "textWithHeader": "text-with-header", "groupOfImages": "group-of-images",
         "radioButton": "radio-button", "timeInterval": "time-interval"}


def rec(**fields):
    """A WIT record: attributes named as the WIT fields (kebab-case)."""
    r = types.SimpleNamespace()
    for k, v in fields.items():
        setattr(r, k.replace("_", "-"), v)
    return r


def text_json(v):
    return None if v is None else json.dumps(v, separators=(",", ":"), ensure_ascii=False)


def value(case, v):
    if case in ("date", "date-time", "time"):
        p = rec(full_date=v["fullDate"], formatted_value=v.get("formattedValue") or "",
                format_string=v.get("formatString") or "")
    elif case in ("text", "text-with-header"):
        p = rec(html_value=v.get("htmlValue") or "", plain_value=v.get("plainValue") or "",
                md_value=v.get("mdValue") or "", params=text_json(v.get("params")))
        if case == "text-with-header":
            setattr(p, "header", v.get("header") or "")
    elif case in ("image", "group-of-images", "file"):
        p = [rec(filename=f["filename"], download_link=f.get("downloadLink") or "", size=f["size"],
                 preview_link=f.get("previewLink") or None, params=text_json(f.get("params"))) for f in v]
    elif case in ("radio-button", "list"):
        ch = lambda x: rec(title=x.get("title") or "", value=str(x["value"]), extended=text_json(x.get("extended")))  # noqa: E731
        p = ch(v) if case == "radio-button" else [ch(x) for x in v]
    elif case == "time-interval":
        p = [tuple(x) for x in v]
    elif case == "float":
        p = float(v)
    else:
        p = v  # string, integer, entity (ids are told apart by their Python type)
    return c.Variant(case, p)


def fields_of(input_json):
    out = []
    for f in input_json["fields"]:
        case = CASES.get(f["type"], f["type"])
        out.append(rec(marker=f["marker"], field_type=case, value=value(case, f["value"]),
                       settings=text_json(f.get("settings") or {}), form_identifier=f.get("formIdentifier"),
                       lang_code=f.get("langCode")))
    return out


def main():
    wasm, input_file = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    data = json.load(open(input_file))
    settings = text_json(data.get("settings") or {})
    config = wasmtime.Config()
    config.consume_fuel = True
    engine = wasmtime.Engine(config)
    started = time.perf_counter()
    component = c.Component.from_file(engine, wasm)
    compile_s = time.perf_counter() - started
    linker = c.Linker(engine)
    linker.add_wasip2()  # an empty WASI context, as Portico's (for guests that import WASI)
    with linker.root() as root:
        with root.add_instance("portico:plugin/types@0.2.0"):
            pass
        with root.add_instance("portico:plugin/host@0.2.0") as host:
            host.add_func("log", lambda store, level, message: None)
            host.add_func("settings", lambda store: settings)
            host.add_func("setting", lambda store, key: None)
            host.add_func("now-ms", lambda store: int(time.time() * 1000))
            host.add_func("find-user-by-email", lambda store, email: None)
            host.add_func("user-groups", lambda store, user_id: [])
    fields = fields_of(data)
    fuel, micros, found = [], [], None
    for _ in range(runs):
        store = wasmtime.Store(engine)
        store.set_wasi(wasmtime.WasiConfig())
        store.set_fuel(10_000_000_000)
        t0 = time.perf_counter()
        instance = linker.instantiate(store, component)
        iface = instance.get_export_index(store, "portico:plugin/field-validator@0.2.0")
        validate = instance.get_func(store, instance.get_export_index(store, "validate", iface))
        result = validate(store, fields)
        validate.post_return(store)
        micros.append((time.perf_counter() - t0) * 1e6)
        fuel.append(10_000_000_000 - store.get_fuel())
        found = [(getattr(v, "marker"), getattr(v, "code")) for v in result]
    print(json.dumps({"component": wasm.rsplit("/", 1)[-1], "input": input_file.rsplit("/", 1)[-1],
                      "violations": len(found), "fuel": int(statistics.median(fuel)),
                      "callMs": round(statistics.median(micros) / 1000, 2), "compileS": round(compile_s, 2),
                      "found": found}))


if __name__ == "__main__":
    main()
