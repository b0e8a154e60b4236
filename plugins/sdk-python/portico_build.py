#!/usr/bin/env python3
"""Builds a Python plugin into a Portico component with componentize-py.

    portico_build.py APP_DIR -o OUT.wasm [--module app] [--wit DIR]

Reads which interfaces the module implements (classes `FieldValidator`, `SignupPolicy`,
`LifecycleHooks`), writes a WIT world that exports exactly those and imports only `host`, and
componentizes the module with this SDK on its path. `--stub-wasi` replaces every WASI import by a
trap: Portico offers no clocks or files, and the upload must not ask for them."""

import argparse
import ast
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

# The SDK's package, beside this script: in the source tree, in a project's vendor/, or in
# site-packages when the SDK is installed with pip.
PACKAGE = pathlib.Path(__file__).resolve().parent / "portico_plugin"
# The WIT package this SDK binds, carried in it (a copy of the repository's wit/0.2.0).
DEFAULT_WIT = PACKAGE / "wit"
INTERFACES = {"FieldValidator": "field-validator", "SignupPolicy": "signup-policy",
              "LifecycleHooks": "lifecycle-hooks"}


def interfaces_of(module: pathlib.Path) -> list[str]:
    tree = ast.parse(module.read_text(), str(module))
    names = [node.name for node in tree.body if isinstance(node, ast.ClassDef)]
    found = [INTERFACES[n] for n in names if n in INTERFACES]
    if not found:
        sys.exit(f"{module} defines none of the classes {', '.join(INTERFACES)}")
    return found


def build(app_dir: pathlib.Path, out: pathlib.Path, module: str, wit: pathlib.Path) -> list[str]:
    interfaces = interfaces_of(app_dir / f"{module}.py")
    componentize_py = pathlib.Path(sys.executable).parent / "componentize-py"
    with tempfile.TemporaryDirectory(prefix="portico-build-") as tmp:
        wit_dir, sdk_dir = pathlib.Path(tmp, "wit"), pathlib.Path(tmp, "sdk")
        wit_dir.mkdir()
        for f in wit.glob("*.wit"):
            shutil.copy(f, wit_dir)
        exports = "".join(f"    export {i};\n" for i in interfaces)
        (wit_dir / "zz-guest.wit").write_text(
            f"package portico:plugin@0.2.0;\n\nworld guest {{\n    import host;\n{exports}}}\n")
        # Only the SDK's modules on the component's path (not the rest of site-packages).
        shutil.copytree(PACKAGE, sdk_dir / "portico_plugin", ignore=shutil.ignore_patterns("wit", "__pycache__"))
        subprocess.run([str(componentize_py), "-q", "-d", str(wit_dir), "-w", "guest", "componentize", "--stub-wasi",
                        "-p", str(app_dir), "-p", str(sdk_dir), "-o", str(out), module], check=True)
    return interfaces


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("app_dir", type=pathlib.Path)
    parser.add_argument("-o", "--out", type=pathlib.Path, required=True)
    parser.add_argument("--module", default="app")
    parser.add_argument("--wit", type=pathlib.Path, default=DEFAULT_WIT)
    args = parser.parse_args()
    started = time.monotonic()
    interfaces = build(args.app_dir.resolve(), args.out.resolve(), args.module, args.wit.resolve())
    print(f"{args.out}: {args.out.stat().st_size} bytes, exports {', '.join(interfaces)} "
          f"(componentize-py, {time.monotonic() - started:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
