"""The library products are usable from outside the package: the Swift lines the README's "Use the pieces in your own
service" section shows are type-checked as a module of their own against the built modules, so they see `public`
declarations only (a `package` one, visible to every target of this package, is an error there)."""
import re
import subprocess
from pathlib import Path

from stack import BIN_DIR, ROOT

# What the README's lines take for granted in a user's service: the values they use, as parameters.
PRELUDE = """
struct Engine: Sendable {
    func getQuote(_ request: String, metadata: Metadata) async throws -> String { request }
}

func readme<Client: ClientTransport, Server: ServerTransport>(
    headers: [String: [String]], outgoing: inout [String: String], transport: Client, serverTransport: Server,
    service: any RegistrableRPCService, router: Router<BasicRequestContext>, logger: Logger, engine: Engine,
    request: String
) async throws {
"""
CONTEXT_IMPORTS = ["GRPCCore", "Hummingbird", "Instrumentation", "Logging", "Metrics", "ServiceContextModule"]


def readme_lines():
    section = ROOT.joinpath("README.md").read_text().split("## Use the pieces in your own service", 1)[1]
    section = section.split("\n## ", 1)[0]
    blocks = re.findall(r"```swift\n(.*?)```", section, re.S)
    return blocks[1]  # the first is the Package.swift lines


def typecheck(source, tmp_path):
    build = Path(BIN_DIR)
    maps = [f"-fmodule-map-file={m}" for m in build.glob("*.build/module.modulemap") if "-tool.build" not in str(m)]
    includes = [f"-I{d}" for d in ROOT.joinpath(".build", "checkouts").glob("**/include") if d.is_dir()]
    file = tmp_path / "main.swift"
    file.write_text(source)
    command = ["swiftc", "-typecheck", "-swift-version", "6", "-I", str(build / "Modules"), str(file)]
    for flag in maps + includes:
        command += ["-Xcc", flag]
    return subprocess.run(command, capture_output=True, text=True)


def program(lines):
    imports = sorted({line for line in lines.splitlines() if line.startswith("import ")} |
                     {f"import {module}" for module in CONTEXT_IMPORTS})
    body = "\n".join("    " + line for line in lines.splitlines() if not line.startswith("import "))
    return "\n".join(imports) + "\n" + PRELUDE + body + "\n}\n"


def test_the_readme_lines_compile_against_the_public_api_only(tmp_path):
    result = typecheck(program(readme_lines()), tmp_path)
    assert result.returncode == 0, result.stderr


def test_a_package_only_declaration_does_not_compile_from_outside(tmp_path):
    # The check is real: `ClientCall`, package-level in GRPCObservability, is out of a user's reach.
    result = typecheck(program(readme_lines() + "\nlet call = ClientCall.current\n"), tmp_path)
    assert result.returncode != 0
    assert "cannot find 'ClientCall' in scope" in result.stderr
