#!/usr/bin/env bash
# Lints every shell script git tracks: shellcheck, then the one mistake shellcheck does not see. Under
# `set -o pipefail`, a pipe into a reader that exits early (`grep -q`, `grep -m N`, `head`) fails whenever the writer
# is still writing: the writer dies of SIGPIPE and the pipeline reports it (it once made `make run --once` fail
# about one run in five on whole traces). Read the whole output first, or search a file or a variable instead.
#
#   scripts/lint-shell.sh            # the repository's scripts
#   scripts/lint-shell.sh FILE...    # these files (the test of this script uses it)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -gt 0 ]; then
    scripts=("$@")
else
    mapfile -t scripts < <(git ls-files | while read -r path; do
        case "$(head -c 64 "$path")" in '#!/bin/sh'* | '#!/usr/bin/env bash'* | '#!/bin/bash'*) echo "$path" ;; esac
    done)
fi
shellcheck "${scripts[@]}"
status=0
for script in "${scripts[@]}"; do
    grep -q 'pipefail' "$script" || continue
    # A pipe (not ||) whose reader exits early; `# pipefail-safe: why` on the line accepts it.
    pattern='[^|]\|[[:space:]]*(grep[[:space:]]+(-[a-zA-Z]*[qm]|--quiet|--max-count)|head\b)'  # pipefail-safe: a pattern
    found=$(grep -nE "$pattern" "$script" || true)
    found=$(grep -v 'pipefail-safe:' <<< "$found" || true)
    [ -z "$found" ] && continue
    while read -r line; do
        echo "$script:$line: a pipe into a reader that exits early fails under pipefail when the writer is still writing" >&2
    done <<< "$found"
    status=1
done
[ $status -eq 0 ] && echo "shell scripts: ${#scripts[@]} checked, clean"
exit $status
