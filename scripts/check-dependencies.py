#!/usr/bin/env python3
"""Every target imports only what Package.swift says it depends on, and depends on nothing it does not import.

The layers of the package are its targets' dependency lists; this keeps them true. A module imported without being
declared may still build (SwiftPM makes a dependency's dependencies visible), which is how a W3C parser ends up
importing an HTTP framework; a dependency declared and never imported makes the graph claim a layer that is not there.

    scripts/check-dependencies.py     # prints each target's imports against its dependencies; exits 1 on a mismatch
"""
import json
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Modules of the toolchain, not of any package.
SYSTEM = {"Foundation", "FoundationEssentials", "Glibc", "Musl", "Darwin", "Dispatch", "Synchronization", "Testing",
          "XCTest", "_Concurrency", "os"}
# Products whose module re-exports others (`@_exported import`): importing those is using the product.
REEXPORTS = {
    "GRPCNIOTransportHTTP2": {"GRPCNIOTransportCore", "GRPCNIOTransportHTTP2Posix", "GRPCNIOTransportHTTP2TransportServices"},
}


def dependencies(target):
    names = set()
    for dependency in target.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in dependency:
                names.add(dependency[kind][0])
    return names


IMPORT = re.compile(r"^\s*(?:@testable\s+|@_exported\s+|(?:public|package|internal)\s+)?import\s+(?:struct\s+|enum\s+|class\s+|func\s+)?(\w+)", re.M)


def imports(folder, excluded):
    """The modules the target's own files import (files under an excluded folder belong to another target)."""
    found = set()
    for source in folder.rglob("*.swift"):
        if not any(e == source or e in source.parents for e in excluded):
            found |= set(IMPORT.findall(source.read_text()))
    return found


def main():
    manifest = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, capture_output=True, text=True,
                                         check=True).stdout)
    problems = []
    for target in manifest["targets"]:
        if target["type"] == "plugin":
            continue
        path = ROOT / (target.get("path") or f"Sources/{target['name']}")
        used = imports(path, [path / e for e in target.get("exclude", [])])
        used -= SYSTEM
        declared = dependencies(target)
        provided = declared | {m for d in declared for m in REEXPORTS.get(d, set())}
        undeclared = sorted(used - provided)
        unused = sorted(d for d in declared if d not in used and not (REEXPORTS.get(d, set()) & used))
        status = "ok" if not undeclared and not unused else "MISMATCH"
        print(f"{target['name']:<24} {status:<8} imports {', '.join(sorted(used)) or '-'}")
        if undeclared:
            problems.append(f"{target['name']} imports {', '.join(undeclared)} without declaring it in Package.swift")
        if unused:
            problems.append(f"{target['name']} declares {', '.join(unused)} in Package.swift but never imports it")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
