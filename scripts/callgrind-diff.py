#!/usr/bin/env python3
"""Where two callgrind dumps of the same workload differ: the self cost of each function per request, the functions
that moved most, and the totals by module (ours grouped as one), so that a change in `scripts/bench --instructions`
can be pinned to code rather than guessed at.

    scripts/callgrind-diff.py BEFORE AFTER REQUESTS
    # e.g. the 2N-request dumps two runs of scripts/bench left:
    scripts/callgrind-diff.py /tmp/bench-A/callgrind-swift-off-gateway.3 /tmp/bench-B/callgrind-swift-off-gateway.3 400

What a sampled-out request adds, by what the code does, from one run's off, traced-10% and traced-100% dumps of a
service and the traced-10% window's sampled share (scripts/bench prints it): per function, traced-10% = off + u +
share * s and traced-100% = off + u + s, solved for u. Each row is DUMP:REQUESTS, or DUMP_2N,DUMP_N:N for the
benchmark's own method (the 2N-request window less the N-request one, over N: what every window pays once cancels).

    scripts/callgrind-diff.py --sampled-out OFF TRACED10 TRACED100 SHARE
    # e.g. in the folder of one run of scripts/bench (N = 200 for off, 1000 for the traced rows):
    $REPO/scripts/callgrind-diff.py --sampled-out callgrind-swift-off-core.3,callgrind-swift-off-core.2:200 \
        callgrind-swift-traced-10--core.3,callgrind-swift-traced-10--core.2:1000 \
        callgrind-swift-traced-100--core.3,callgrind-swift-traced-100--core.2:1000 0.089
"""
import collections
import os
import re
import subprocess
import sys

# Our modules: a module renamed or split still counts as ours, so a move between them is not a difference.
# How many of the functions that moved most to list.
TOP = int(os.environ.get("CALLGRIND_DIFF_TOP", "20"))
OURS = {"Shared", "ServiceTelemetry", "PrometheusExemplars", "PrometheusExemplarsHummingbird", "ServiceLifecycleSupport",
        "ServiceConfiguration", "GRPCObservability", "TraceContextPropagation", "ObservabilityPrimitives", "Gateway",
        "CoreEngine", "MarketDataContract", "TelemetryPipeline"}
MANGLED_MODULE = re.compile(r"\$s(\d+)([A-Za-z_]\w*)")


def self_costs(path):
    """Instructions spent in each function itself (callgrind's `calls=` lines are followed by the callee's inclusive
    cost, which is not the caller's own)."""
    costs, names = collections.Counter(), {}
    function, after_call = None, False
    for line in open(path, errors="replace"):
        if line.startswith("fn="):
            function = name(line[3:].strip(), names)
        elif line.startswith("cfn="):
            name(line[4:].strip(), names)  # a callee may be named here first
        elif line.startswith("calls="):
            after_call = True
        elif line[:1].isdigit() or line[:1] in "+-*":
            if after_call:
                after_call = False
                continue
            fields = line.split()
            if function and len(fields) >= 2 and fields[1].isdigit():
                costs[function] += int(fields[1])
    return costs


def name(value, names):
    """callgrind's `(id) name` compression: the name comes once, the id after."""
    match = re.match(r"\((\d+)\)(?: (.*))?", value)
    if not match:
        return value
    if match.group(2):
        names[match.group(1)] = match.group(2)
    return names.get(match.group(1), value)


def module(function):
    match = MANGLED_MODULE.match(function)
    if match:
        found = match.group(2)[:int(match.group(1))]
        return "ours" if found in OURS else found
    return "runtime, libc, malloc"


def unmoved(function):
    """A function's name with our module names taken out, so that the same code in a new module pairs up."""
    return re.sub(r"\$s\d+(%s)" % "|".join(OURS), "$s<ours>", re.sub(r"33_[0-9A-F]{32}", "", function))


# What a function does, by its demangled name, first match wins: the causes a sampled-out request's cost is told by.
CAUSES = [
    ("HTTP/2 headers: HPACK coding and validation",
     r"HPACK|Huffman|isValidField|HeaderBlockValidat|encodedBitLength|appendSym|CaseInsensitiveASCII|HeaderTable"),
    ("HTTP/1.1 response headers (HTTPTypes)", r"HTTPField|HTTPTypes"),
    ("ours", r"\$s<ours>|^<ours>"),
    ("swift-distributed-tracing (ServiceContext)", r"Instrumentation|Tracing\.|ServiceContext"),
    ("malloc and free", r"malloc|free\b|_int_|swift_slowAlloc|swift_slowDealloc|swift_allocObject|swift_deallocObject|"
     r"allocBox|unlink_chunk"),
    ("retain and release", r"swift_retain|swift_release|swift_bridgeObject|RefCounts|isUniquelyReferenced"),
    ("runtime: generic metadata, casts, exclusivity", r"Metadata|GenericCache|ConcurrentReadableHashMap|getCache|"
     r"tryCast|dynamicCast|Conformance|AssociatedType|swift_once|__tls_get_addr|AccessSet|beginAccess|endAccess"),
    ("stdlib: hashing and dictionaries", r"Hasher|Dictionary|_HashTable"),
]


def cause(function, demangled):
    for name, pattern in CAUSES:
        if re.search(pattern, function) or re.search(pattern, demangled):
            return name
    return "everything else (strings, copies, NIO, gRPC, Hummingbird)"


def demangle(functions):
    """swift-demangle's names, or the mangled ones where it is not installed."""
    try:
        output = subprocess.run(["swift-demangle", "--compact"], input="\n".join(functions), capture_output=True,
                                text=True, check=True).stdout.split("\n")
        return dict(zip(functions, output))
    except (OSError, subprocess.CalledProcessError):
        return {function: function for function in functions}


def sampled_out(arguments):
    """A sampled-out request's added instructions, by cause, and the functions that add most."""
    if len(arguments) != 4 or any(":" not in argument for argument in arguments[:3]):
        sys.exit(__doc__)
    rows = []
    for argument in arguments[:3]:
        paths, requests = argument.rsplit(":", 1)
        row = collections.Counter()
        for sign, path in zip((1, -1), paths.split(",")):
            for function, cost in self_costs(path).items():
                row[unmoved(function)] += sign * cost / float(requests)
        rows.append(row)
    off, traced10, traced100 = rows
    share = float(arguments[3])
    if not 0 <= share < 1:
        sys.exit("SHARE is the traced-10% window's sampled fraction, from 0 to less than 1")
    added = {}
    for function in set(off) | set(traced10) | set(traced100):
        sampled = (traced100.get(function, 0) - traced10.get(function, 0)) / (1 - share)
        added[function] = traced10.get(function, 0) - off.get(function, 0) - share * sampled
    names = demangle(sorted(added))
    by_cause = collections.Counter()
    for function, cost in added.items():
        by_cause[cause(function, names[function])] += cost
    print(f"a sampled-out request adds {sum(added.values()) / 1000:.1f}k instructions")
    print("\nby cause (thousands a request)")
    for name, cost in by_cause.most_common():
        print(f"  {cost / 1000:+8.1f}  {name}")
    print("\nfunctions that add most (instructions a request)")
    for function, cost in sorted(added.items(), key=lambda item: -item[1])[:TOP]:
        print(f"  {cost:+8.0f}  {names[function][:150]}")


def main():
    if sys.argv[1:2] == ["--sampled-out"]:
        return sampled_out(sys.argv[2:])
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    before, after, requests = self_costs(sys.argv[1]), self_costs(sys.argv[2]), float(sys.argv[3])
    print(f"instructions a request: {sum(before.values()) / requests / 1000:.1f}k → {sum(after.values()) / requests / 1000:.1f}k")
    by_module = collections.defaultdict(lambda: [0, 0])
    for index, costs in enumerate((before, after)):
        for function, cost in costs.items():
            by_module[module(function)][index] += cost
    print("\nby module (thousands a request)")
    for group, (old, new) in sorted(by_module.items(), key=lambda item: -item[1][1])[:12]:
        print(f"  {group:<28} {old / requests / 1000:8.1f} {new / requests / 1000:8.1f} {(new - old) / requests / 1000:+8.1f}")
    paired = collections.defaultdict(lambda: [0, 0])
    for index, costs in enumerate((before, after)):
        for function, cost in costs.items():
            paired[unmoved(function)][index] += cost
    moved = sorted(paired.items(), key=lambda item: -abs(item[1][1] - item[1][0]))[:TOP]
    print("\nfunctions that moved most (instructions a request)")
    for function, (old, new) in moved:
        print(f"  {(new - old) / requests:+8.0f}  {function[:150]}")


if __name__ == "__main__":
    main()
