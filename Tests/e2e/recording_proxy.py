"""A gRPC proxy, built on the official grpcio package, that records the metadata each call carries and forwards
the call byte for byte. Put between the gateway and CoreEngine, it shows exactly what CoreEngine receives."""
from concurrent import futures
import threading

import grpc


class RecordingProxy:
    def __init__(self, port, target):
        self.calls = []  # (method, [(key, value), ...]) in arrival order
        self._lock = threading.Lock()
        self._channel = grpc.insecure_channel(target)
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        self._server.add_generic_rpc_handlers([_Forwarder(self)])
        self._server.add_insecure_port(f"127.0.0.1:{port}")
        self._server.start()

    def record(self, method, metadata):
        with self._lock:
            self.calls.append((method, list(metadata)))

    def received(self, method, correlation_id):
        """The metadata of the one call of `method` that carried `x-correlation-id: correlation_id`."""
        with self._lock:
            matching = [m for name, m in self.calls if name == method and ("x-correlation-id", correlation_id) in m]
        assert len(matching) == 1, f"expected one {method} call for {correlation_id}, saw {len(matching)}"
        return matching[0]

    def forward_unary(self, method, request, context):
        metadata = list(context.invocation_metadata())
        self.record(method, metadata)
        call = self._channel.unary_unary(method)
        try:
            return call(request, metadata=[(k, v) for k, v in metadata if not k.startswith(":")], timeout=5)
        except grpc.RpcError as error:
            context.abort(error.code(), error.details() or "")

    def stop(self):
        self._server.stop(grace=1).wait()
        self._channel.close()


class _Forwarder(grpc.GenericRpcHandler):
    def __init__(self, proxy):
        self.proxy = proxy

    def service(self, handler_call_details):
        method = handler_call_details.method
        # No (de)serializers: requests and responses stay the bytes the peers sent.
        return grpc.unary_unary_rpc_method_handler(lambda request, context: self.proxy.forward_unary(method, request, context))
