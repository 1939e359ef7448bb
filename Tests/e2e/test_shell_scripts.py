"""The shell scripts' lint (scripts/lint-shell.sh, in make test): shellcheck, plus the pipefail mistake shellcheck
does not see, which once made `make run --once` fail about one run in five on whole traces."""
import subprocess

from stack import ROOT

LINT = ROOT / "scripts" / "lint-shell.sh"


def lint(*paths):
    return subprocess.run([str(LINT), *map(str, paths)], capture_output=True, text=True, timeout=120)


def test_every_shell_script_in_the_repository_is_clean():
    result = lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "checked, clean" in result.stdout


def test_a_pipe_into_an_early_exiting_reader_under_pipefail_fails_the_lint(tmp_path):
    script = tmp_path / "whole.sh"
    script.write_text('#!/usr/bin/env bash\nset -euo pipefail\n'
                      'grep "trace" spans.jsonl | grep -q "core-engine" && echo whole\n'
                      'seq 100000 | head -n 1\n')
    result = lint(script)
    assert result.returncode == 1
    assert "whole.sh:3:" in result.stderr and "whole.sh:4:" in result.stderr
    assert "fails under pipefail" in result.stderr


def test_the_same_pipe_without_pipefail_or_marked_safe_passes(tmp_path):
    unset = tmp_path / "plain.sh"
    unset.write_text('#!/usr/bin/env bash\nset -eu\nseq 100000 | head -n 1\n')
    marked = tmp_path / "marked.sh"
    marked.write_text('#!/usr/bin/env bash\nset -euo pipefail\nseq 100000 | head -n 1  # pipefail-safe: seq ends\n')
    result = lint(unset, marked)
    assert result.returncode == 0, result.stderr


def test_a_shellcheck_finding_fails_the_lint(tmp_path):
    script = tmp_path / "unquoted.sh"
    script.write_text('#!/usr/bin/env bash\nfor f in $(ls); do echo $f; done\n')
    result = lint(script)
    assert result.returncode == 1 and "SC2" in result.stdout
