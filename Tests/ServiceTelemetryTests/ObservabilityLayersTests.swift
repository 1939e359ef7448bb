import ServiceTelemetry
import Testing

@Suite("The benchmark's ablation names its layers")
struct ObservabilityLayersTests {
    @Test("no names is every layer; each name leaves its layer out; 'all' leaves every layer out")
    func parsesNames() throws {
        #expect(ObservabilityLayers(excluding: "") == .all)
        for (name, layer) in ObservabilityLayers.named {
            let layers = try #require(ObservabilityLayers(excluding: name))
            #expect(!layers.contains(layer) && layers.union(layer) == .all, "\(name)")
        }
        #expect(ObservabilityLayers(excluding: "deadline, json-logs") == ObservabilityLayers.all.subtracting([.deadline, .jsonLogs]))
        #expect(ObservabilityLayers(excluding: "all") == [])
    }

    @Test("an unknown name is refused, not ignored")
    func refusesUnknownNames() {
        #expect(ObservabilityLayers(excluding: "tracing") == nil)
        #expect(ObservabilityLayers(excluding: "deadline,nope") == nil)
    }

    @Test("the named layers are every layer, once each")
    func namesCoverEveryLayer() {
        let union = ObservabilityLayers.named.reduce(into: ObservabilityLayers()) { $0.formUnion($1.layers) }
        #expect(union == .all)
        #expect(Set(ObservabilityLayers.named.map(\.layers.rawValue)).count == ObservabilityLayers.named.count)
    }
}
