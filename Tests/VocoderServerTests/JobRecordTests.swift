import Testing
@testable import VocoderServer

@Suite struct JobRecordTests {
    @Test func startsQueuedWithNothingDone() {
        let record = makeRecord(steps: 6)
        #expect(record.status == .queued)
        #expect(record.progress == 0)
        #expect(record.startedAt == nil && record.finishedAt == nil)
        #expect(record.result == .none && !record.cancelRequested)
    }

    @Test func progressIsStepsDoneOverSteps() {
        var record = makeRecord(steps: 4)
        record.stepsDone = 3
        #expect(record.progress == 0.75)
        #expect(makeRecord(steps: 0).progress == 0, "a job of no steps reports 0, not NaN")
    }

    @Test func onlyTerminalStatusesAreFinished() {
        let finished = JobRecord.Status.allCases.filter(\.isFinished)
        #expect(finished == [.succeeded, .failed, .cancelled])
    }
}
