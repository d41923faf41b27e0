import Testing
@testable import VocoderServer

@Suite struct JobRecordLoggingTests {
    @Test func aJobsLinesCarryItsIdAndItsRequestsId() {
        var record = makeRecord("job-1")
        #expect(record.logMetadata == ["job_id": "job-1"])
        record.requestID = "req-9"
        #expect(record.logMetadata == ["job_id": "job-1", "request_id": "req-9"])
    }
}
