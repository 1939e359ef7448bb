"""W3C Trace Context through the real gateway: the cases of the W3C test suite (w3c/trace-context, test/test.py, as
of "Fix tracestate key grammar tests", #584, June 2026), sent as HTTP headers to the gateway, checked on what
CoreEngine receives over gRPC (a recording proxy sits on the hop) and on the gateway's `traceresponse`. One test per
suite test; the sub-cases are its header sets.

The suite itself runs too when W3C_TRACE_CONTEXT_TEST_DIR names a copy of its test/ folder (the suite is not ours to
commit, and CI reaches no git host): `test_the_official_suite` starts its harness against the gateway through
`w3c_test_service.py`."""
import http.client
import itertools
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from recording_proxy import RecordingProxy
from stack import CORE_PORT, GATEWAY_PORT, free_ports, start_stack
from w3c_test_service import W3CTestService

PROXY_PORT, SERVICE_PORT, HARNESS_PORT = free_ports(3)
GET_QUOTE = "/marketintel.v1.CoreEngine/GetQuote"
TRACE_ID = "12345678901234567890123456789012"
PARENT_ID = "1234567890123456"
VALID = f"00-{TRACE_ID}-{PARENT_ID}-01"
VALID_00 = f"00-{TRACE_ID}-{PARENT_ID}-00"
_ids = itertools.count()


@pytest.fixture(scope="module")
def hop(tmp_path_factory):
    """The gateway calling CoreEngine through the recording proxy; tracing on, exporting nowhere."""
    proxy = RecordingProxy(PROXY_PORT, f"127.0.0.1:{CORE_PORT}")
    core, gateway = start_stack(tmp_path_factory.mktemp("w3c"), {
        "CORE_ENGINE_PORT": str(PROXY_PORT), "OTEL_TRACES_EXPORTER": "none",
    })
    yield proxy
    gateway.kill()
    core.kill()
    proxy.stop()


def send(proxy, headers):
    """Sends `headers` (repeated names allowed) to the gateway; returns what CoreEngine received and the response."""
    correlation_id = f"w3c-{next(_ids)}"
    connection = http.client.HTTPConnection("127.0.0.1", GATEWAY_PORT, timeout=5)
    connection.putrequest("GET", "/api/v1/quotes/AAPL")
    for name, value in [*headers, ("X-Correlation-ID", correlation_id)]:
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200
    received = proxy.received(GET_QUOTE, correlation_id)
    traceparents = [v for k, v in received if k == "traceparent"]
    assert len(traceparents) == 1, f"CoreEngine must receive one traceparent, got {traceparents}"
    version, trace_id, parent_id, flags = traceparents[0].split("-")
    assert version == "00" and len(trace_id) == 32 and len(parent_id) == 16 and len(flags) == 2
    tracestates = [v for k, v in received if k == "tracestate"]
    assert len(tracestates) <= 1
    traceresponse = response.getheader("traceresponse").split("-")
    assert traceresponse[1] == trace_id and traceresponse[3] == flags
    return {"trace_id": trace_id, "parent_id": parent_id, "flags": flags,
            "tracestate": tracestates[0] if tracestates else None}


def members(tracestate):
    """The list members in order; the spec allows optional whitespace around each (swift-otel writes ", ")."""
    return dict(m.strip(" \t").split("=", 1) for m in tracestate.split(",")) if tracestate else {}


def member_list(tracestate):
    return [tuple(m.strip(" \t").split("=", 1)) for m in tracestate.split(",")] if tracestate else []


def continues(result):
    return result["trace_id"] == TRACE_ID and result["parent_id"] != PARENT_ID


def restarts(result):
    return result["trace_id"] != TRACE_ID


# Suite test name → header sets whose trace must be continued (True) or restarted (False).
TRACEPARENT_CASES = {
    "traceparent_included_tracestate_missing": [([("traceparent", VALID)], True)],
    "traceparent_duplicated": [([("traceparent", f"00-{TRACE_ID[:-1]}1-{PARENT_ID}-01"), ("traceparent", VALID)], False)],
    "traceparent_header_name": [([("trace-parent", VALID)], False), ([("trace.parent", VALID)], False)],
    "traceparent_header_name_valid_casing": [([(name, VALID)], True) for name in ("TraceParent", "TrAcEpArEnT", "TRACEPARENT")],
    "traceparent_version_0x00": [([("traceparent", VALID + ".")], False), ([("traceparent", VALID + "-what-the-future-will-be-like")], False)],
    "traceparent_version_0xcc": [([("traceparent", "cc" + VALID[2:])], True),
                                 ([("traceparent", "cc" + VALID[2:] + "-what-the-future-will-be-like")], True),
                                 ([("traceparent", "cc" + VALID[2:] + ".what-the-future-will-be-like")], False)],
    "traceparent_version_0xff": [([("traceparent", "ff" + VALID[2:])], False)],
    "traceparent_version_illegal_characters": [([("traceparent", ".0" + VALID[2:])], False), ([("traceparent", "0." + VALID[2:])], False)],
    "traceparent_version_too_long": [([("traceparent", "000" + VALID[2:])], False), ([("traceparent", "0000" + VALID[2:])], False)],
    "traceparent_version_too_short": [([("traceparent", "0" + VALID[2:])], False)],
    "traceparent_trace_id_all_zero": [([("traceparent", f"00-{'0' * 32}-{PARENT_ID}-01")], False)],
    "traceparent_trace_id_illegal_characters": [([("traceparent", f"00-.{TRACE_ID[1:]}-{PARENT_ID}-01")], False),
                                                ([("traceparent", f"00-{TRACE_ID[:-1]}.-{PARENT_ID}-01")], False)],
    "traceparent_trace_id_too_long": [([("traceparent", f"00-{TRACE_ID}3-{PARENT_ID}-01")], False)],
    "traceparent_trace_id_too_short": [([("traceparent", f"00-{TRACE_ID[:-1]}-{PARENT_ID}-01")], False)],
    "traceparent_parent_id_all_zero": [([("traceparent", f"00-{TRACE_ID}-{'0' * 16}-01")], False)],
    "traceparent_parent_id_illegal_characters": [([("traceparent", f"00-{TRACE_ID}-.{PARENT_ID[1:]}-01")], False),
                                                 ([("traceparent", f"00-{TRACE_ID}-{PARENT_ID[:-1]}.-01")], False)],
    "traceparent_parent_id_too_long": [([("traceparent", f"00-{TRACE_ID}-{PARENT_ID}7-01")], False)],
    "traceparent_parent_id_too_short": [([("traceparent", f"00-{TRACE_ID}-{PARENT_ID[:-1]}-01")], False)],
    "traceparent_trace_flags_illegal_characters": [([("traceparent", VALID[:-2] + ".0")], False), ([("traceparent", VALID[:-2] + "0.")], False)],
    "traceparent_trace_flags_too_long": [([("traceparent", VALID[:-2] + "001")], False)],
    "traceparent_trace_flags_too_short": [([("traceparent", VALID[:-2] + "1")], False)],
    "traceparent_ows_handling": [([("traceparent", value)], True)
                                 for value in (" " + VALID, "\t" + VALID, VALID + " ", VALID + "\t", "\t " + VALID + " \t")],
}


@pytest.mark.parametrize("name", TRACEPARENT_CASES)
def test_traceparent(hop, name):
    for headers, continued in TRACEPARENT_CASES[name]:
        result = send(hop, headers)
        assert (continues if continued else restarts)(result), f"{name}: {headers} gave {result}"


def test_both_traceparent_and_tracestate_missing(hop):
    result = send(hop, [])
    assert result["tracestate"] is None


def test_tracestate_included_traceparent_missing(hop):
    assert send(hop, [("tracestate", "foo=1")])["tracestate"] is None
    assert send(hop, [("tracestate", "foo=1,bar=2")])["tracestate"] is None


Z256, Z257 = "z" * 256, "z" * 257
ALLOWED_KEY = "abcdefghijklmnopqrstuvwxyz0123456789_-*/"
ALLOWED_VALUE = "".join(map(chr, [*range(0x20, 0x2C), *range(0x2D, 0x3D), *range(0x3E, 0x7F)]))
BARS = [f"bar{i:02d}={i:02d}" for i in range(1, 34)]

# Suite test name → (tracestate headers, the members CoreEngine must receive; {} when the list must be dropped).
TRACESTATE_CASES = {
    "tracestate_included_traceparent_included": [(["foo=1,bar=2"], {"foo": "1", "bar": "2"})],
    "tracestate_header_name": [([], {})],
    "tracestate_header_name_valid_casing": [(["foo=1"], {"foo": "1"})],
    "tracestate_empty_header": [([""], {}), (["foo=1", ""], {"foo": "1"}), (["", "foo=1"], {"foo": "1"})],
    "tracestate_multiple_headers_different_keys": [(["foo=1,bar=2", "rojo=1,congo=2", "baz=3"],
                                                    {"foo": "1", "bar": "2", "rojo": "1", "congo": "2", "baz": "3"})],
    # Uniqueness is the sender's responsibility (#477): duplicates are passed on as they came.
    "tracestate_duplicated_keys": [(["foo=1,foo=1"], [("foo", "1"), ("foo", "1")]), (["foo=1,foo=2"], [("foo", "1"), ("foo", "2")]),
                                   (["foo=1", "foo=1"], [("foo", "1"), ("foo", "1")]), (["foo=1", "foo=2"], [("foo", "1"), ("foo", "2")])],
    "tracestate_all_allowed_characters": [([f"{ALLOWED_KEY}={ALLOWED_VALUE}"], {ALLOWED_KEY: ALLOWED_VALUE}),
                                          ([f"{ALLOWED_KEY}@a-z0-9_-*/={ALLOWED_VALUE}"], {ALLOWED_KEY + "@a-z0-9_-*/": ALLOWED_VALUE})],
    "tracestate_ows_handling": [([value], {"foo": "1", "bar": "2", "baz": "3"})
                                for value in ("foo=1 \t , \t bar=2, \t baz=3", "foo=1\t \t,\t \tbar=2,\t \tbaz=3")]
                               + [([value], {"foo": "1"}) for value in (" foo=1", "\tfoo=1", "foo=1 ", "foo=1\t", "\t foo=1 \t")],
    "tracestate_key_illegal_characters": [(["foo =1"], {}), (["FOO=1"], {}), (["foo.bar=1"], {})],
    # `@` is a key character like any other after the first (#584); a key still starts with a letter or digit.
    "tracestate_key_illegal_vendor_format": [([value], {value.split("=")[0]: "1", "bar": "2"})
                                             for value in ("foo@=1,bar=2", "foo@@bar=1,bar=2", "foo@bar@baz=1,bar=2")]
                                            + [(["@foo=1,bar=2"], {})],
    "tracestate_member_count_limit": [([",".join(BARS[i:min(i + 10, 32)]) for i in range(0, 32, 10)], dict(m.split("=") for m in BARS[:32])),
                                      ([",".join(BARS[i:min(i + 10, 33)]) for i in range(0, 33, 10)], {})],
    "tracestate_key_length_limit": [(["foo=1", Z256 + "=1"], {"foo": "1", Z256: "1"}), (["foo=1", Z257 + "=1"], {}),
                                    (["foo=1", "t" * 241 + "@" + "v" * 14 + "=1"], {"foo": "1", "t" * 241 + "@" + "v" * 14: "1"}),
                                    (["foo=1", "t" * 242 + "@v=1"], {"foo": "1", "t" * 242 + "@v": "1"}),
                                    (["foo=1", "t@" + "v" * 15 + "=1"], {"foo": "1", "t@" + "v" * 15: "1"})],
    "tracestate_value_illegal_characters": [(["foo=bar=baz"], {}), (["foo=,bar=3"], {})],
}


@pytest.mark.parametrize("name", TRACESTATE_CASES)
def test_tracestate(hop, name):
    for tracestates, expected in TRACESTATE_CASES[name]:
        headers = [("traceparent", VALID_00), *[("tracestate", value) for value in tracestates]]
        if name == "tracestate_header_name":
            headers = [("traceparent", VALID_00), ("trace-state", "foo=1")]
        if name == "tracestate_header_name_valid_casing":
            for casing in ("TraceState", "TrAcEsTaTe", "TRACESTATE"):
                result = send(hop, [("traceparent", VALID_00), (casing, "foo=1")])
                assert continues(result) and members(result["tracestate"]) == expected
            continue
        result = send(hop, headers)
        assert continues(result), f"{name}: the trace must survive any tracestate, got {result}"
        if isinstance(expected, list):  # duplicates: every member, in order
            assert member_list(result["tracestate"]) == expected, f"{name}: {tracestates} gave {result['tracestate']!r}"
            continue
        assert members(result["tracestate"]) == expected, f"{name}: {tracestates} gave {result['tracestate']!r}"
        if expected:
            assert list(members(result["tracestate"])) == list(expected), "members keep their order"


@pytest.mark.parametrize("headers,distinct_traces", [
    ([("traceparent", VALID)], 1),  # multiple_requests_with_valid_traceparent
    ([], 3),  # multiple_requests_without_traceparent
    ([("traceparent", f"00-{'0' * 32}-{PARENT_ID}-01")], 3),  # multiple_requests_with_illegal_traceparent
], ids=["with_valid_traceparent", "without_traceparent", "with_illegal_traceparent"])
def test_multiple_requests(hop, headers, distinct_traces):
    results = [send(hop, headers) for _ in range(3)]
    assert len({r["parent_id"] for r in results}) == 3
    assert len({r["trace_id"] for r in results}) == distinct_traces
    assert "0" * 32 not in {r["trace_id"] for r in results}
    if distinct_traces == 1:
        assert {r["trace_id"] for r in results} == {TRACE_ID}


@pytest.mark.parametrize("incoming,expected", [("03", "03"), ("01", "01"), ("02", "02"), ("00", "00"), (None, "03")])
def test_level2_random_trace_id_flag_reaches_core_engine_and_traceresponse(hop, incoming, expected):
    """Level 2: the random-trace-id flag (0x02) is kept by a participant that continues a trace, and set on a trace
    this gateway starts (swift-otel's ids are random); the sampled flag (0x01) is this hop's sampling decision,
    which with the default parent-based sampler follows the caller's."""
    headers = [("traceparent", f"00-{TRACE_ID}-{PARENT_ID}-{incoming}")] if incoming else []
    assert send(hop, headers)["flags"] == expected


SUITE_DIR = os.environ.get("W3C_TRACE_CONTEXT_TEST_DIR")


@pytest.mark.skipif(not SUITE_DIR, reason="W3C_TRACE_CONTEXT_TEST_DIR (a copy of w3c/trace-context's test/) is not set")
def test_the_official_suite(hop):
    """Runs the suite's own test.py, Level 2 included (SPEC_LEVEL=2), against the gateway; prints its count."""
    try:
        import aiohttp  # noqa: F401  the harness's HTTP client and server
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--disable-pip-version-check", "aiohttp"], check=True)
    service = W3CTestService(SERVICE_PORT, GATEWAY_PORT, hop)
    try:
        env = {**os.environ, "SPEC_LEVEL": "2", "STRICT_LEVEL": "2", "HARNESS_PORT": str(HARNESS_PORT)}
        result = subprocess.run([sys.executable, "test.py", f"http://127.0.0.1:{SERVICE_PORT}/test"], cwd=Path(SUITE_DIR),
                                env=env, capture_output=True, text=True, timeout=600)
    finally:
        service.stop()
    output = result.stdout + result.stderr
    ran = int(re.search(r"^Ran (\d+) tests?", output, re.M).group(1))
    failed = sum(int(n) for n in re.findall(r"(?:failures|errors)=(\d+)", output))
    print(f"\nW3C trace-context suite (test/test.py, SPEC_LEVEL=2): {ran - failed} of {ran} passed")
    assert result.returncode == 0, output[-4000:]
