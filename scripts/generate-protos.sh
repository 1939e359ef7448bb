#!/usr/bin/env bash
# Regenerates the committed Swift code in Shared/MarketDataContract/Generated/ from the .proto files in Shared/MarketDataContract/Protos/.
#
# Needs `protoc` (Debian: protobuf-compiler) and the two Swift plugins, which this script builds from the
# package's own dependencies (swift-protobuf and grpc-swift-protobuf) on first use. That build takes about
# ten minutes, which is why the generated code is committed: nobody needs to run this to build the services.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v protoc >/dev/null || { echo "protoc not found: apt-get install protobuf-compiler" >&2; exit 1; }

bin_dir="$(swift build --show-bin-path)"
for plugin in protoc-gen-swift protoc-gen-grpc-swift-2; do
    [ -x "$bin_dir/$plugin" ] || swift build --product "$plugin"
done

out=Shared/MarketDataContract/Generated
rm -f "$out"/*.pb.swift "$out"/*.grpc.swift
mkdir -p "$out"
protos=(marketintel/v1/core_engine.proto grpc/health/v1/health.proto)

protoc --proto_path=Shared/MarketDataContract/Protos \
    --plugin="$bin_dir/protoc-gen-swift" \
    --swift_opt=Visibility=Package --swift_opt=FileNaming=PathToUnderscores \
    --swift_out="$out" "${protos[@]}"
protoc --proto_path=Shared/MarketDataContract/Protos \
    --plugin="$bin_dir/protoc-gen-grpc-swift-2" \
    --grpc-swift-2_opt=Visibility=Package,Client=true,Server=true,FileNaming=PathToUnderscores \
    --grpc-swift-2_out="$out" "${protos[@]}"
echo "generated: $(ls "$out")"
