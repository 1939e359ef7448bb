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


def dump(functions):
    """A callgrind dump of these functions' self costs."""
    lines = ["events: Ir"]
    for index, (name, cost) in enumerate(functions.items(), start=1):
        lines += [f"fn=({index}) {name}", f"0 {cost}"]
    return "\n".join(lines) + "\n"


def test_a_sampled_out_request_is_solved_from_the_three_rows_per_function_and_told_by_cause(tmp_path):
    # Per request, off pays 1000 in NIO; a sampled-out request adds 300 of HPACK and 100 of ours; a sampled one adds
    # 2000 more of ours. At a share of 0.2: traced-10% = off + u + 0.2 s; traced-100% = off + u + s.
    nio, hpack, ours = "$s7NIOCore10ByteBufferV4readyyF", "HPACKEncoder.append(headers:)", "$s17TelemetryPipeline1fyyF"
    requests = 10
    rows = {
        "off": {nio: 1000 * requests},
        "t10": {nio: 1000 * requests, hpack: 300 * requests, ours: (100 + 400) * requests},
        "t100": {nio: 1000 * requests, hpack: 300 * requests, ours: (100 + 2000) * requests},
    }
    for name, functions in rows.items():
        (tmp_path / name).write_text(dump(functions))
    arguments = [f"{tmp_path / name}:{requests}" for name in rows] + ["0.2"]
    result = run("--sampled-out", *arguments)
    assert result.returncode == 0, result.stderr
    assert "a sampled-out request adds 0.4k instructions" in result.stdout
    causes = {line.split(None, 1)[1]: line.split()[0] for line in result.stdout.splitlines() if line.startswith("   ")}
    assert causes["HTTP/2 headers: HPACK coding and validation"] == "+0.3"
    assert causes["ours"] == "+0.1"


def test_the_benchmarks_n_and_2n_windows_cancel_what_every_window_pays_once(tmp_path):
    # Each window pays 5000 once (a timer, a warm cache); 2N = 20 requests of 100 ours, N = 10.
    ours = "$s17TelemetryPipeline1fyyF"
    for row, per_request in (("off", 0), ("t10", 100), ("t100", 100)):
        (tmp_path / f"{row}.3").write_text(dump({ours: 5000 + 20 * per_request}))
        (tmp_path / f"{row}.2").write_text(dump({ours: 5000 + 10 * per_request}))
    arguments = [f"{tmp_path / row}.3,{tmp_path / row}.2:10" for row in ("off", "t10", "t100")] + ["0.1"]
    result = run("--sampled-out", *arguments)
    assert result.returncode == 0, result.stderr
    assert "a sampled-out request adds 0.1k instructions" in result.stdout


def test_a_sampled_out_request_needs_a_share_below_one_and_counts_with_its_rows(tmp_path):
    (tmp_path / "row").write_text(dump({"f": 1}))
    row = f"{tmp_path / 'row'}:1"
    assert run("--sampled-out", row, row, row, "1").returncode != 0
    result = run("--sampled-out", str(tmp_path / "row"), row, row, "0.1")
    assert result.returncode != 0 and "--sampled-out OFF TRACED10 TRACED100 SHARE" in result.stderr
