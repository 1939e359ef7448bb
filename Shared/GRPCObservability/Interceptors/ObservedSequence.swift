/// A sequence that reports each element read from it and how it ended (`nil` for the end, or the error).
///
/// The RPC interceptors count messages through `onElement` and learn that a response was read to its end, or
/// failed, through `onEnd`.
struct ObservedSequence<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element: Sendable {
    typealias Element = Base.Element
    typealias Failure = any Error

    let base: Base
    var onElement: (@Sendable (Base.Element) -> Void)? = nil
    var onEnd: (@Sendable ((any Error)?) -> Void)? = nil

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: self.base.makeAsyncIterator(), onElement: self.onElement, onEnd: self.onEnd)
    }

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let onElement: (@Sendable (Base.Element) -> Void)?
        let onEnd: (@Sendable ((any Error)?) -> Void)?

        mutating func next() async throws -> Element? {
            do {
                guard let element = try await self.base.next() else {
                    self.onEnd?(nil)
                    return nil
                }
                self.onElement?(element)
                return element
            } catch {
                self.onEnd?(error)
                throw error
            }
        }
    }
}
