import DiffWave
import Foundation
import Synchronization
@testable import VocoderServer

/// A job record with a trivial spec (the store and the queue do not look at it).
func makeRecord(_ id: String = "job", steps: Int = 6, createdAt: Date = Date()) -> JobRecord {
    JobRecord(id: id, spec: JobSpec(input: .samples(16), schedule: .fast, seed: 7, format: .wav), steps: steps, createdAt: createdAt)
}

extension InMemoryJobStore {
    /// Inserts a job that ran and succeeded with `bytes` bytes of audio.
    func insertSucceeded(_ id: String, bytes: Int, finishedAt: Date = Date()) {
        insert(makeRecord(id))
        storeResult(Data(count: bytes), of: id)
        update(id) { r in
            r.status = .succeeded
            r.finishedAt = finishedAt
        }
    }
}

/// Collects a store's events.
final class EventLog: Sendable {
    private let events = Mutex<[JobEvent]>([])
    init(_ store: InMemoryJobStore) {
        store.subscribe { [weak self] event in self?.events.withLock { $0.append(event) } }
    }
    var all: [JobEvent] { events.withLock { $0 } }
}

extension VocoderService {
    /// The service's default store, for tests that look inside it.
    var memory: InMemoryJobStore { store as! InMemoryJobStore }
}
