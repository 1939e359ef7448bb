import AblationSupport
import ServiceConfiguration
import Testing

@Suite("The benchmark's ablation names the pieces it leaves out")
struct AblationTests {
    @Test("no names leaves nothing out; each name leaves out its piece only; 'all' leaves out every piece")
    func readsNames() throws {
        let none = try Ablation(environment: [:])
        #expect(Ablation.everyPiece.allSatisfy { !none.leavesOut($0) })
        for name in Ablation.everyPiece {
            let ablation = try Ablation(environment: ["ABLATE": name])
            #expect(Ablation.everyPiece.filter { ablation.leavesOut($0) } == [name])
        }
        let two = try Ablation(environment: ["ABLATE": "deadline, json-logs"])
        #expect(Ablation.everyPiece.filter { two.leavesOut($0) } == ["deadline", "json-logs"])
        let all = try Ablation(environment: ["ABLATE": "all"])
        #expect(Ablation.everyPiece.allSatisfy { all.leavesOut($0) })
    }

    @Test("an unknown name is refused with the variable and the known names, not ignored")
    func refusesUnknownNames() {
        let error = #expect(throws: ConfigurationError.self) { try Ablation(environment: ["ABLATE": "deadline,nope"]) }
        #expect(error?.variable == "ABLATE")
        #expect(error?.message.contains("'nope'") == true)
        #expect(error?.message.contains("server-cancellation") == true)
    }

    @Test("every piece has one name")
    func namesAreUnique() {
        #expect(Set(Ablation.everyPiece).count == Ablation.everyPiece.count)
    }
}
