import DiffWave
import Foundation
import Testing
@testable import VocoderServer

@Suite struct RedisJobCodecTests {
    @Test func aRecordRoundTripsWithItsMelBitForBit() throws {
        var r = JobRecord(id: "j", spec: JobSpec(input: .mel(testMel(frames: 5)), schedule: .full, seed: UInt64.max, format: .flac,
                                                 precision: .bfloat16, label: 3), steps: 50, createdAt: Date(timeIntervalSince1970: 1_700_000_000.25))
        r.status = .succeeded
        r.attempts = 2
        r.modelDigest = "sha256:00ff"
        r.requestID = "req-1"
        r.result = .stored(bytes: 10)
        r.error = nil
        let (json, input) = RedisJobCodec.encode(r)
        #expect(input.count == 80 * 5 * 4)
        let back = try RedisJobCodec.decode(id: "j", record: json, input: input, stepsDone: 7, cancelRequested: true, evicted: false)
        #expect(back.spec.seed == UInt64.max && back.spec.schedule == .full && back.spec.format == .flac && back.spec.precision == .bfloat16)
        guard case .mel(let mel) = back.spec.input else { Issue.record("not a mel"); return }
        #expect(mel == testMel(frames: 5))
        #expect(back.stepsDone == 7 && back.cancelRequested && back.attempts == 2 && back.modelDigest == "sha256:00ff")
        // Another instance runs the job as it was accepted: the class, and the request's id for its log lines.
        #expect(back.spec.label == 3 && back.requestID == "req-1")
        #expect(back.result == .stored(bytes: 10) && back.createdAt == r.createdAt)
        #expect(try RedisJobCodec.decode(id: "j", record: json, input: input, stepsDone: nil, cancelRequested: false, evicted: true).result == .evicted)
    }

    @Test func whatADamagedOrForeignValueGetsWrongIsNamed() throws {
        let good = JobRecord(id: "j", spec: JobSpec(input: .mel(testMel(frames: 2)), schedule: .fast, seed: 1, format: .wav), steps: 6)
        let (json, input) = RedisJobCodec.encode(good)
        func failure(_ record: Data, _ input: Data, id: String = "j") -> String? {
            do {
                _ = try RedisJobCodec.decode(id: id, record: record, input: input, stepsDone: nil, cancelRequested: false, evicted: false)
                return nil
            } catch {
                return error.code == .unexpectedReply ? error.message : "wrong code"
            }
        }
        #expect(failure(Data("not json".utf8), input)?.contains("not a job record") == true)
        #expect(failure(json, input.dropLast(4))?.contains("bytes") == true, "a truncated mel")
        #expect(failure(json, input, id: "other")?.contains("names another job") == true)
        let text = String(decoding: json, as: UTF8.self)
        #expect(failure(Data(text.replacingOccurrences(of: "\"v\":\(RedisJobCodec.version)", with: "\"v\":9").utf8), input)?.contains("version 9") == true)
        #expect(failure(Data(text.replacingOccurrences(of: "\"queued\"", with: "\"paused\"").utf8), input)?.contains("unknown") == true)
    }
}
