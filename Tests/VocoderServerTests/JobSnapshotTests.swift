import DiffWave
import Foundation
import Testing
import HTTP
@testable import VocoderServer

@Suite struct JobSnapshotTests {
    private func object(_ snapshot: JobSnapshot) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: snapshot.json()) as? [String: Any])
    }

    @Test func queuedJobHasPositionAndNoResultFields() throws {
        let created = Date(timeIntervalSince1970: 1_700_000_000.25)
        let snapshot = JobSnapshot(makeRecord("abc", createdAt: created), queuePosition: 3)
        #expect(snapshot.status == .queued && snapshot.progress == 0 && snapshot.queuePosition == 3)
        #expect(snapshot.createdAt == "2023-11-14T22:13:20.250Z")
        // Absent optionals are omitted; keys are snake_case.
        let json = try object(snapshot)
        #expect(Set(json.keys) == ["id", "status", "progress", "queue_position", "created_at"])
        #expect(json["id"] as? String == "abc" && json["status"] as? String == "queued")
    }

    @Test func succeededJobHasEverySnakeCaseKey() throws {
        var job = makeRecord("j1", steps: 4)
        job.status = .succeeded
        job.stepsDone = 4
        job.startedAt = Date()
        job.finishedAt = Date()
        job.audioSeconds = 1.5
        job.computeSeconds = 0.75
        let snapshot = JobSnapshot(job, queuePosition: 0)
        #expect(snapshot.progress == 1)
        #expect(snapshot.queuePosition == nil, "only a queued job has a position")
        #expect(snapshot.audioURL == "/jobs/j1/audio")
        let json = try object(snapshot)
        #expect(Set(json.keys) == ["id", "status", "progress", "created_at", "started_at", "finished_at",
                                   "audio_seconds", "compute_seconds", "audio_url"])
        #expect(json["audio_seconds"] as? Double == 1.5)
        #expect(json["compute_seconds"] as? Double == 0.75)
        // RFC 3339 timestamps, UTC, milliseconds.
        let rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/
        for key in ["created_at", "started_at", "finished_at"] {
            let value = try #require(json[key] as? String)
            #expect(value.wholeMatch(of: rfc3339) != nil, "\(key) = \(value)")
        }
        // The keys are sorted, so the bytes are stable; JSONEncoder escapes "/" (as "\/") by default.
        let text = String(decoding: snapshot.json(), as: UTF8.self)
        #expect(text.hasPrefix(#"{"audio_seconds":1.5,"audio_url":"\/jobs\/j1\/audio","compute_seconds":0.75,"created_at":"#))
    }

    @Test func progressCountsStepsDone() {
        var job = makeRecord(steps: 50)
        job.status = .running
        job.stepsDone = 10
        #expect(JobSnapshot(job, queuePosition: nil).progress == 0.2)
        #expect(JobSnapshot(makeRecord(steps: 0), queuePosition: nil).progress == 0)
    }

    @Test func failedJobCarriesTheErrorAndNoAudioURL() throws {
        var job = makeRecord()
        job.status = .failed
        job.error = "the engine said no"
        job.computeSeconds = 0.5
        let snapshot = JobSnapshot(job, queuePosition: nil)
        #expect(snapshot.status == .failed && snapshot.error == "the engine said no" && snapshot.audioURL == nil)
        #expect(try object(snapshot)["error"] as? String == "the engine said no")
    }

    @Test func roundTripsThroughJSON() throws {
        var job = makeRecord()
        job.status = .succeeded
        job.finishedAt = Date()
        job.audioSeconds = 2
        job.computeSeconds = 1
        let snapshot = JobSnapshot(job, queuePosition: nil)
        #expect(try JSONDecoder().decode(JobSnapshot.self, from: snapshot.json()) == snapshot)
    }

    @Test func aJobNamesItsRequestAndItsModel() throws {
        var record = makeRecord("j2")
        record.requestID = "pipeline-7"
        record.modelDigest = "sha256:" + String(repeating: "0", count: 64)
        let json = try object(JobSnapshot(record, queuePosition: 0))
        #expect(json["request_id"] as? String == "pipeline-7")
        #expect(json["model_digest"] as? String == record.modelDigest)
    }
}
