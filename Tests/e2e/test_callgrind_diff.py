"""scripts/callgrind-diff.py reads callgrind's format right: self cost only (a call's inclusive cost is not the
caller's), names given once by id, our modules paired across a rename, and a usage message without arguments."""
import subprocess
import sys

from stack import ROOT

SCRIPT = ROOT / "scripts" / "callgrind-diff.py"

BEFORE = """events: Ir
fn=(1) $s6Shared14JSONLogHandlerV3logyyF
0 300
cfn=(2) malloc
calls=2 0
0 1000
fn=(2)
0 500
"""
AFTER = """events: Ir
fn=(1) $s16ServiceTelemetry14JSONLogHandlerV3logyyF
0 300
cfn=(2) malloc
calls=3 0
0 1500
fn=(2)
0 800
"""


def run(*args):
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True)


def test_pairs_our_code_across_a_rename_and_counts_self_cost_only(tmp_path):
    (tmp_path / "before").write_text(BEFORE)
    (tmp_path / "after").write_text(AFTER)
    result = run(str(tmp_path / "before"), str(tmp_path / "after"), "2")
    assert result.returncode == 0, result.stderr
    # 800 and 1100 instructions in all, over 2 requests: the call lines' 1000 and 1500 are malloc's, counted once.
    assert "instructions a request: 0.4k → 0.6k" in result.stdout
    assert "ours                              0.1      0.1     +0.0" in result.stdout
    lines = result.stdout.splitlines()
    moved = lines[lines.index("functions that moved most (instructions a request)") + 1:]
    assert moved[0].split() == ["+150", "malloc"]
    assert moved[1].split()[0] == "+0" and "<ours>14JSONLogHandler" in moved[1]


def test_without_its_arguments_it_says_how_to_call_it():
    result = run()
    assert result.returncode != 0
    assert "scripts/callgrind-diff.py BEFORE AFTER REQUESTS" in result.stderr


PROBING = """events: Ir
fn=(1) swift::HashMapElementWrapper<swift::GenericCacheEntry> const* swift::ConcurrentReadableHashMap<swift::HashMapElementWrapper<swift::GenericCacheEntry>, swift::LazyMutex>::find<swift::MetadataCacheKey>(swift::MetadataCacheKey const&)
0 700
cfn=(2) swift::MetadataCacheKey::operator==(swift::MetadataCacheKey const&) const
calls=4 0
0 200
fn=(2)
0 200
fn=(3) $s16ServiceTelemetry14JSONLogHandlerV3logyyF
0 900
cfn=(1)
calls=1 0
0 900
"""


def test_the_benchmark_counts_the_runtimes_cache_probing_apart_by_self_cost(tmp_path):
    import importlib.machinery
    import importlib.util
    loader = importlib.machinery.SourceFileLoader("bench", str(ROOT / "scripts" / "bench"))
    spec = importlib.util.spec_from_loader("bench", loader)
    bench = importlib.util.module_from_spec(spec)
    loader.exec_module(bench)
    dump = tmp_path / "callgrind.out.3"
    dump.write_text(PROBING)
    # The hash map's own 700 and the key comparisons' 200; not the caller's 900, nor its call lines.
    assert bench.cache_probing(dump) == 900
