import Foundation
import Testing
@testable import VocoderServer

@Suite struct JobOutcomeTests {
    @Test func eachOutcomeSetsItsTerminalFields() {
        let now = Date(timeIntervalSince1970: 100)
        var succeeded = makeRecord()
        JobOutcome.succeeded(audio: Data([1]), audioSeconds: 2, computeSeconds: 3).apply(to: &succeeded, at: now)
        #expect(succeeded.status == .succeeded && succeeded.audioSeconds == 2 && succeeded.computeSeconds == 3)
        #expect(succeeded.finishedAt == now && succeeded.error == nil)
        var failed = makeRecord()
        JobOutcome.failed(reason: "boom", computeSeconds: 1).apply(to: &failed, at: now)
        #expect(failed.status == .failed && failed.error == "boom" && failed.audioSeconds == nil)
        var cancelled = makeRecord()
        JobOutcome.cancelled(reason: "stop", computeSeconds: 1).apply(to: &cancelled, at: now)
        #expect(cancelled.status == .cancelled && cancelled.error == "stop")
    }
}
