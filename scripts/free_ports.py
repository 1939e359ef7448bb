#!/usr/bin/env python3
"""Ports the OS says are free on loopback, for the tests, the benchmark and `scripts/run-local.sh --free-ports`, so
that none of them fails because a demo or another tool holds 4317, 8080 or 14317.

    python3 scripts/free_ports.py 5     # five distinct free ports, one per line
"""
import random
import socket
import sys
from pathlib import Path


def ephemeral_range():
    """The ports the kernel hands out to outgoing connections (32768-60999 unless the machine says otherwise)."""
    try:
        low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
        return int(low), int(high)
    except (OSError, ValueError):
        return 32768, 60999


def free_ports(count):
    """`count` distinct TCP ports that bind on 127.0.0.1 right now, taken below the ephemeral range: a test that
    stops a service and starts it again on its port must not find it taken by one of the thousands of outgoing
    connections the tests make meanwhile, which an ephemeral port (what binding port 0 gives) could be."""
    low, _ = ephemeral_range()
    candidates = random.sample(range(10000, low), k=min(2000, low - 10000))
    ports = []
    for port in candidates:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        ports.append(port)
        if len(ports) == count:
            return ports
    raise RuntimeError(f"fewer than {count} free ports between 10000 and {low}")


if __name__ == "__main__":
    if len(sys.argv) != 2 or not sys.argv[1].isdigit():
        sys.exit(__doc__.strip().splitlines()[-1].strip())
    print("\n".join(str(port) for port in free_ports(int(sys.argv[1]))))
