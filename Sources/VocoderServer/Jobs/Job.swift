import DiffWave
import Dispatch
import Foundation
import Synchronization

/// One vocoding request's record: status, progress, timings and result. Shared between
/// the HTTP handlers that poll it and the worker that runs it; all state behind a Mutex.
public final class Job: Sendable {
    public enum Status: String, Codable, Sendable {
        case queued, running, succeeded, failed, cancelled

        public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
    }

    struct State {
        var status: Status = .queued
        var stepsDone = 0
        var startedAt: Date?
        var finishedAt: Date?
        var audioSeconds: Double?
        var computeSeconds: Double?
        var error: String?
        var result: Data?
        var resultEvicted = false
        var cancelRequested = false
        /// Synchronous requests still to read the result; the byte cap does not evict it meanwhile.
        var holds = 0
    }

    public let id: String
    public let spec: JobSpec
    public let steps: Int
    public let createdAt: Date
    private let state = Mutex(State())
    /// Entered at creation, left once at the terminal transition: any number of waiters.
    private let finished = DispatchGroup()

    init(id: String, spec: JobSpec, steps: Int, createdAt: Date = Date()) {
        self.id = id
        self.spec = spec
        self.steps = steps
        self.createdAt = createdAt
        finished.enter()
    }

    var snapshotState: State { state.withLock { $0 } }
    public var status: Status { state.withLock { $0.status } }
    var isCancelRequested: Bool { state.withLock { $0.cancelRequested } }

    /// queued -> running; false when the job was cancelled while it waited (including a
    /// cancel that has asked but not yet finished it: that cancel finishes and counts it).
    func start() -> Bool {
        state.withLock { s in
            guard s.status == .queued, !s.cancelRequested else { return false }
            s.status = .running
            s.startedAt = Date()
            return true
        }
    }

    /// Records a finished step; returns false when the job should stop.
    func advance(stepsDone: Int) -> Bool {
        state.withLock { s in
            s.stepsDone = stepsDone
            return !s.cancelRequested
        }
    }

    func succeed(audio: Data, audioSeconds: Double, computeSeconds: Double) {
        finish { s in
            s.status = .succeeded
            s.result = audio
            s.audioSeconds = audioSeconds
            s.computeSeconds = computeSeconds
        }
    }

    /// Returns false when the job had already finished (nothing changes then).
    @discardableResult
    func fail(_ reason: String, cancelled: Bool = false, computeSeconds: Double? = nil) -> Bool {
        finish { s in
            s.status = cancelled ? .cancelled : .failed
            s.error = reason
            s.computeSeconds = computeSeconds
        }
    }

    /// Asks the job to stop: a queued job is cancelled now, a running one at its next step.
    /// Returns the status after the request.
    @discardableResult
    func cancel() -> Status { cancelReportingFinish().status }

    /// `cancel()`, also saying whether this call finished the job: true only for a queued job
    /// (no worker will ever run it, so the caller accounts for it; a running job is finished,
    /// and accounted for, by its worker).
    func cancelReportingFinish() -> (status: Status, finishedNow: Bool) {
        let wasQueued = state.withLock { s -> Bool in
            guard !s.status.isFinished else { return false }
            s.cancelRequested = true
            return s.status == .queued
        }
        let finishedNow = wasQueued && fail("cancelled before it started", cancelled: true)
        return (status, finishedNow)
    }

    /// Keeps the result from byte-cap eviction until `release()`: a synchronous request holds
    /// its job from submission until it has read the audio.
    func hold() { state.withLock { $0.holds += 1 } }
    func release() { state.withLock { $0.holds -= 1 } }
    var isHeld: Bool { state.withLock { $0.holds > 0 } }

    /// Drops the retained audio (TTL or byte cap); returns the bytes freed.
    func evictResult() -> Int {
        state.withLock { s in
            guard let r = s.result else { return 0 }
            s.result = nil
            s.resultEvicted = true
            return r.count
        }
    }

    /// Blocks until the job is finished or `timeout` passes; true when finished.
    public func wait(timeout: DispatchTime = .distantFuture) -> Bool {
        finished.wait(timeout: timeout) == .success
    }

    /// Suspends (without holding a thread) until the job is finished or `timeout` passes.
    public func waitUntilFinished(timeout: Duration) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let pending = Mutex<CheckedContinuation<Bool, Never>?>(continuation)
            let resume: @Sendable (Bool) -> Void = { value in pending.withLock { $0.take() }?.resume(returning: value) }
            finished.notify(queue: .global()) { resume(true) }
            let (seconds, atto) = timeout.components
            DispatchQueue.global().asyncAfter(deadline: .now() + Double(seconds) + Double(atto) / 1e18) { resume(false) }
        }
    }

    @discardableResult
    private func finish(_ update: (inout State) -> Void) -> Bool {
        let transitioned = state.withLock { s -> Bool in
            guard !s.status.isFinished else { return false }
            update(&s)
            s.finishedAt = Date()
            return true
        }
        if transitioned { finished.leave() }
        return transitioned
    }
}
