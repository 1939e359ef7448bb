#!/usr/bin/env python3
"""Where two callgrind dumps of the same workload differ: the self cost of each function per request, the functions
that moved most, and the totals by module (ours grouped as one), so that a change in `scripts/bench --instructions`
can be pinned to code rather than guessed at.

    scripts/callgrind-diff.py BEFORE AFTER REQUESTS
    # e.g. the 2N-request dumps two runs of scripts/bench left:
    scripts/callgrind-diff.py /tmp/bench-A/callgrind-swift-off-gateway.3 /tmp/bench-B/callgrind-swift-off-gateway.3 400
"""
import collections
import os
import re
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


def main():
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
