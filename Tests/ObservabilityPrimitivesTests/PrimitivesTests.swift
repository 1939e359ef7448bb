import ObservabilityPrimitives
import Synchronization
import Testing

@Suite("Once, MadeOnce and elapsed time")
struct PrimitivesTests {
    final class Abandoned: Sendable {
        let values = Mutex<[Int]>([])
    }

    final class Made: Sendable {
        let keys = Mutex<[String]>([])
    }

    @Test("hands its value out once, to the first who asks, and never to its abandon handler after that")
    func onceTakenOnce() {
        let abandoned = Abandoned()
        do {
            let once = Once(7) { value in abandoned.values.withLock { $0.append(value) } }
            #expect(once.take() == 7)
            #expect(once.take() == nil)
        }
        #expect(abandoned.values.withLock { $0 }.isEmpty)
    }

    @Test("gives a value nobody took to its abandon handler when it is released")
    func onceAbandoned() {
        let abandoned = Abandoned()
        do {
            _ = Once(9) { value in abandoned.values.withLock { $0.append(value) } }
        }
        #expect(abandoned.values.withLock { $0 } == [9])
    }

    @Test("of many concurrent takers exactly one gets the value")
    func onceUnderContention() async {
        let once = Once("span")
        let winners = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<64 {
                group.addTask { once.take() == nil ? 0 : 1 }
            }
            return await group.reduce(0, +)
        }
        #expect(winners == 1)
    }

    @Test("makes each key's value once, however many concurrent callers ask for it")
    func madeOncePerKey() async {
        let made = Made()
        let values = MadeOnce<String, Int>()
        await withTaskGroup(of: Void.self) { group in
            for index in 0..<200 {
                group.addTask {
                    let key = index.isMultiple(of: 2) ? "even" : "odd"
                    let value = values.value(for: key) { key in
                        made.keys.withLock { $0.append(key) }
                        return key.count
                    }
                    #expect(value == key.count)
                }
            }
        }
        #expect(made.keys.withLock { $0 }.sorted() == ["even", "odd"])
    }

    @Test("measures elapsed time from an instant, in nanoseconds and milliseconds")
    func elapsed() {
        let start = ContinuousClock.now.advanced(by: .milliseconds(-1500))
        #expect(start.nanosecondsElapsed >= 1_500_000_000)
        #expect(start.millisecondsElapsed >= 1500)
        #expect(Duration.milliseconds(2500).nanoseconds == 2_500_000_000)
        #expect(Duration.seconds(-1).nanoseconds == -1_000_000_000)
    }

    @Test("reads the wall clock as seconds since the Unix epoch")
    func wallClock() {
        // 2026-01-01 and 2100-01-01: a clock in seconds (not milliseconds) since 1970 lies between them.
        #expect((1_767_225_600.0..<4_102_444_800.0).contains(WallClock.secondsSinceEpoch()))
    }
}
