import PrometheusExemplars

/// The help text and buckets of the metrics every service records, by Prometheus name: its gRPC calls (the
/// interceptors') and its telemetry pipeline's health. Each service adds its own (`Observability.bootstrap`).
package enum MetricCatalog {
    private static let durationBuckets = MetricDefinitions.durationBuckets

    package static let definitions = MetricDefinitions([
        // RPC (gateway client, core-engine server)
        "rpc_client_call_duration_seconds": .init(
            help: "Duration of outgoing gRPC call attempts.",
            buckets: durationBuckets
        ),
        "rpc_client_calls_started_total": .init(
            help: "Outgoing gRPC call attempts started (a retried call once per attempt)."
        ),
        "rpc_client_calls_handled_total": .init(help: "Outgoing gRPC call attempts completed, by status code."),
        "rpc_client_retries_total": .init(help: "Outgoing gRPC call attempts that were retries (after the first)."),
        "rpc_client_messages_sent_total": .init(help: "gRPC messages sent by the client."),
        "rpc_client_messages_received_total": .init(help: "gRPC messages received by the client."),
        "rpc_server_call_duration_seconds": .init(help: "Duration of incoming gRPC calls.", buckets: durationBuckets),
        "rpc_server_calls_started_total": .init(help: "Incoming gRPC calls started."),
        "rpc_server_calls_handled_total": .init(help: "Incoming gRPC calls completed, by status code."),
        "rpc_server_messages_sent_total": .init(help: "gRPC messages sent by the server."),
        "rpc_server_messages_received_total": .init(help: "gRPC messages received by the server."),
        // Telemetry health
        "otel_spans_exported_total": .init(help: "Spans the collector accepted."),
        "otel_spans_dropped_total": .init(
            help: "Spans not delivered, by reason (queue_full, export_failed, rejected)."
        ),
        "otel_span_export_failures_total": .init(help: "Span batches that failed to export after their retries."),
        "otel_log_records_exported_total": .init(help: "Log records the collector accepted."),
        "otel_log_records_dropped_total": .init(
            help: "Log records not delivered, by reason (queue_full, export_failed, rejected)."
        ),
        "otel_log_record_export_failures_total": .init(
            help: "Log record batches that failed to export after their retries."
        ),
    ])
}
