import Prometheus
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The standard Prometheus process metrics, read from /proc on every scrape, under the names of the Go and
/// Python clients' process collectors, plus a `{service}_build_info{version=…} 1` gauge and OpenTelemetry's
/// `target_info` (the process's resource as labels, `service_instance_id` among them), so that a replica named in a
/// trace or a log line is found among the scraped targets: `… * on (instance) group_left (service_instance_id) target_info`.
///
/// swift-prometheus has no process collector, so this one is ours. Linux only, as in the Go and Python clients:
/// elsewhere the series stay at zero (the build info is still set).
public final class ProcessMetrics: Sendable {
    private let cpuSeconds: Prometheus.Counter
    private let residentMemory: Gauge
    private let virtualMemory: Gauge
    private let openFileDescriptors: Gauge
    private let maximumFileDescriptors: Gauge
    private let startTime: Gauge
    private let lastCPUSeconds = Mutex<Double>(0)

    /// Registers the process metrics, the build info of `service` at `version`, and `target_info` with `resource`'s
    /// attributes as labels (none when it is empty), and reads /proc once.
    public init(
        registry: PrometheusCollectorRegistry,
        service: String,
        version: String,
        resource: [String: String] = [:]
    ) {
        let names = MetricDefinitions()
        self.cpuSeconds = registry.makeCounter(
            descriptor: names.descriptor(
                for: "process_cpu_seconds_total",
                help: "Total user and system CPU time spent in seconds."
            ),
            labels: []
        )
        self.residentMemory = registry.makeGauge(
            descriptor: names.descriptor(for: "process_resident_memory_bytes", help: "Resident memory size in bytes."),
            labels: []
        )
        self.virtualMemory = registry.makeGauge(
            descriptor: names.descriptor(for: "process_virtual_memory_bytes", help: "Virtual memory size in bytes."),
            labels: []
        )
        self.openFileDescriptors = registry.makeGauge(
            descriptor: names.descriptor(for: "process_open_fds", help: "Number of open file descriptors."),
            labels: []
        )
        self.maximumFileDescriptors = registry.makeGauge(
            descriptor: names.descriptor(for: "process_max_fds", help: "Maximum number of open file descriptors."),
            labels: []
        )
        self.startTime = registry.makeGauge(
            descriptor: names.descriptor(
                for: "process_start_time_seconds",
                help: "Start time of the process since unix epoch in seconds."
            ),
            labels: []
        )
        let buildInfo = registry.makeGauge(
            descriptor: names.descriptor(
                for: "\(service.replacing("-", with: "_"))_build_info",
                help: "Build information of the \(service) service; always 1."
            ),
            labels: [("version", version)]
        )
        buildInfo.set(to: 1.0)
        if !resource.isEmpty {
            let targetInfo = registry.makeGauge(
                descriptor: names.descriptor(
                    for: "target_info",
                    help: "Target metadata: the resource of this process."
                ),
                labels: resource.sorted { $0.key < $1.key }.map { (Self.labelName($0.key), $0.value) }
            )
            targetInfo.set(to: 1.0)
        }
        self.update()
    }

    /// A resource attribute's name as a Prometheus label (OpenTelemetry's mapping: what is not a letter, digit or
    /// underscore becomes an underscore).
    static func labelName(_ attribute: String) -> String {
        String(attribute.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    /// Reads /proc/self and sets the metrics; does nothing on other systems.
    public func update() {
        #if os(Linux)
        self.updateFromProc()
        #endif
    }

    #if os(Linux)
    private func updateFromProc() {
        let clockTicks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = Self.read("/proc/self/stat"), let fields = Self.statFields(stat), fields.count > 21 {
            // Fields after the command name, numbered from 3 in proc(5): utime 14, stime 15, starttime 22, vsize 23, rss 24.
            let utime = Double(fields[11]) ?? 0
            let stime = Double(fields[12]) ?? 0
            let cpu = (utime + stime) / clockTicks
            let delta = self.lastCPUSeconds.withLock { last in
                defer { last = max(last, cpu) }
                return cpu - last
            }
            if delta > 0 { self.cpuSeconds.increment(by: delta) }
            self.virtualMemory.set(Double(fields[20]) ?? 0)
            self.residentMemory.set((Double(fields[21]) ?? 0) * pageSize)
            if let bootTime = Self.bootTime(), let startTicks = Double(fields[19]) {
                self.startTime.set(bootTime + startTicks / clockTicks)
            }
        }
        if let directory = opendir("/proc/self/fd") {
            var count = 0
            while let entry = readdir(directory) {
                if entry.pointee.d_name.0 != UInt8(ascii: ".") { count += 1 }
            }
            closedir(directory)
            self.openFileDescriptors.set(Double(max(count - 1, 0)))  // minus the descriptor opendir holds
        }
        var limit = rlimit()
        if getrlimit(RLIMIT_NOFILE_VALUE, &limit) == 0 {
            self.maximumFileDescriptors.set(Double(limit.rlim_cur))
        }
    }

    /// The fields of /proc/self/stat after `(comm)`, which may itself contain spaces.
    static func statFields(_ stat: String) -> [Substring]? {
        guard let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    private static func bootTime() -> Double? {
        guard let stat = Self.read("/proc/stat") else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingPrefix(" "))
        }
        return nil
    }

    private static func read(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
    #endif
}

#if canImport(Glibc)
private let RLIMIT_NOFILE_VALUE = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
#elseif canImport(Musl)
private let RLIMIT_NOFILE_VALUE = RLIMIT_NOFILE
#endif
