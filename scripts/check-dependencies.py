#!/usr/bin/env python3
"""Every target imports only what Package.swift says it depends on, and depends on nothing it does not import; and
every file that imports one of this package's modules uses something that module declares.

The layers of the package are its targets' dependency lists; this keeps them true. A module imported without being
declared may still build (SwiftPM makes a dependency's dependencies visible), which is how a W3C parser ends up
importing an HTTP framework; a dependency declared and never imported makes the graph claim a layer that is not there.
A per-target check cannot see a file that imports a module and uses none of it (the target's other files may): the
per-file check reads the names each of our modules declares and looks for one of them in every file importing it.
Modules of other packages are checked per target only (their declarations are not read here).

    scripts/check-dependencies.py           # each target's imports against its dependencies, then every file's
                                            # imports of our modules; exits 1 on a mismatch
    scripts/check-dependencies.py --graph   # prints the graph of our modules (the README's "Layout" shows it)
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


COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)
STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"')


def swift_files(folder, excluded):
    return [s for s in folder.rglob("*.swift") if not any(e == s or e in s.parents for e in excluded)]


TYPE = re.compile(r"\b(?:struct|class|enum|protocol|actor|typealias)\s+`?([A-Za-z_]\w*)")
MEMBER = re.compile(r"\b(?:func|var|let|case|init)\s*`?([A-Za-z_]\w*)?")


def declared_names(files):
    """What a file needs a module's import for, under MemberImportVisibility: the module's types and top-level
    functions and values, and the members it declares in extensions (of its own types or of others', like
    `RPCError.Code.name`). Members declared in a type's own body come with the type and need no import of their own."""
    found = set()
    for source in files:
        text = STRING.sub('""', COMMENT.sub("", source.read_text()))
        found |= set(TYPE.findall(text))
        depth, extension_depth = 0, None
        for line in text.splitlines():
            stripped = line.strip()
            if extension_depth is None and re.match(r"(?:(?:public|package|internal|fileprivate|private)\s+)?extension\b", stripped):
                extension_depth = depth
            at_top = depth == 0 and extension_depth is None
            in_extension_body = extension_depth is not None and depth == extension_depth + 1
            if at_top or in_extension_body:
                found |= {name for name in MEMBER.findall(stripped) if name}
            depth += line.count("{") - line.count("}")
            if extension_depth is not None and depth <= extension_depth and "}" in line:
                extension_depth = None
    return found


def per_file_problems(manifest):
    """Files that import one of this package's modules and use no name it declares."""
    ours = {t["name"]: t for t in manifest["targets"] if t["type"] in ("regular", "executable")}
    files = {}
    for name, target in ours.items():
        path = ROOT / (target.get("path") or f"Sources/{name}")
        files[name] = swift_files(path, [path / e for e in target.get("exclude", [])])
    names = {module: declared_names(found) for module, found in files.items()}
    problems = []
    for target in manifest["targets"]:
        if target["type"] == "plugin":
            continue
        path = ROOT / (target.get("path") or f"Sources/{target['name']}")
        for source in swift_files(path, [path / e for e in target.get("exclude", [])]):
            text = source.read_text()
            body = STRING.sub('""', COMMENT.sub("", IMPORT.sub("", text)))
            words = set(re.findall(r"[A-Za-z_]\w*", body))
            imported = sorted(set(IMPORT.findall(text)) & set(ours))
            own = names.get(target["name"], set())
            for module in imported:
                # A name the file's own module, or another of our modules it imports, declares too proves nothing
                # (`correlationID` is both a ServiceContext member and a log metadata provider).
                others = set().union(own, *(names[m] for m in imported if m != module))
                if not (names[module] - others) & words:
                    problems.append(f"{source.relative_to(ROOT)} imports {module} and uses nothing it declares")
    return problems


def graph(manifest):
    """Our modules, each with the modules of this package it depends on (tests, benchmarks and executables' thin
    mains left out): the layering the README's "Layout" draws."""
    shown = [t for t in manifest["targets"] if t["type"] == "regular"
             and (t.get("path") or "").split("/")[0] in ("Shared", "Gateway", "CoreEngine")]
    names = {t["name"] for t in shown}
    lines = []
    for target in shown:
        uses = sorted(dependencies(target) & names)
        lines.append(f"{target['name']:<31} -> {', '.join(uses) if uses else '(nothing of ours)'}")
    return "\n".join(lines)


def main():
    manifest = json.loads(subprocess.run(["swift", "package", "dump-package"], cwd=ROOT, capture_output=True, text=True,
                                         check=True).stdout)
    if sys.argv[1:] == ["--graph"]:
        print(graph(manifest))
        return 0
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
    file_problems = per_file_problems(manifest)
    print(f"per file: {'every import of our modules is used' if not file_problems else f'{len(file_problems)} unused'}")
    problems += file_problems
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
