#!/usr/bin/env python3
"""Reading a JSON-lines file that another process is still appending to: the OTLP receiver's spans and log records,
a service's JSON log lines. Every reader in the repo (the end-to-end tests, `scripts/bench`, `scripts/run-local.sh`)
goes through `records()`, because a writer's line can reach the file in more than one write: a reader that takes
the text after the last newline as a line parses half a record (`JSONDecodeError: Unterminated string`).

    python3 scripts/otlp/jsonl.py whole SPANS_FILE TRACE_ID...   # exit 0 when every trace has CoreEngine's spans
"""
import json
import sys
from pathlib import Path


def complete_lines(path):
    """The lines of `path` that are whole: everything up to its last newline. A missing file has none."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        return []
    end = data.rfind(b"\n")
    return data[:end + 1].decode("utf-8", errors="replace").splitlines() if end >= 0 else []


def records(path):
    """The JSON objects of the whole lines of `path`; lines that are not JSON objects (a service's plain start-up
    output) are skipped."""
    return [json.loads(line) for line in complete_lines(path) if line.startswith("{")]


def whole(spans_path, trace_ids):
    """Whether the spans file holds a CoreEngine span of every trace: both services' halves have arrived."""
    served = {span["trace_id"] for span in records(spans_path) if span.get("service_name") == "core-engine"}
    return all(trace_id in served for trace_id in trace_ids)


def main(arguments):
    if len(arguments) >= 2 and arguments[0] == "whole":
        return 0 if whole(arguments[1], arguments[2:]) else 1
    print(__doc__.strip().splitlines()[-1].strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
