import Foundation
import Synchronization

/// The threads that run one request's compute: the caller as thread 0 plus `count - 1` helper
/// threads, started with the workspace and parked between calls, so the step loop neither
/// starts threads nor queues work.
///
/// All of them run at once, which the layer loop relies on: a thread may wait for its
/// neighbours' progress (`waitForNeighbours`) instead of for everyone at a barrier, and only
/// threads that truly run side by side can make that progress (a dispatch queue may run
/// one iteration after another).
final class ComputeTeam: @unchecked Sendable {
    let count: Int
    private let shared: Shared

    /// What the caller and the helpers share; the helpers hold this, not the team, so that the
    /// team's `deinit` can stop them.
    private final class Shared: @unchecked Sendable {
        /// Set before the start signals and read after them (the semaphores order the accesses).
        var job: ((Int) -> Void)?
        var stopping = false
        let start: [DispatchSemaphore]
        let finished = DispatchSemaphore(value: 0)
        /// Each thread's published stage, a cache line apart so that no two threads write one line.
        let stages: UnsafeMutablePointer<Atomic<Int>>
        static let stride = 64 / MemoryLayout<Atomic<Int>>.stride

        init(count: Int) {
            start = (0..<count).map { _ in DispatchSemaphore(value: 0) }
            stages = .allocate(capacity: count * Shared.stride)
            for k in 0..<(count * Shared.stride) { (stages + k).initialize(to: Atomic(0)) }
        }

        deinit {
            stages.deinitialize(count: start.count * Shared.stride)
            stages.deallocate()
        }
    }

    /// Helper `k` is named `name-k` (Linux keeps names of up to 15 bytes).
    init(count: Int, name: String = "diffwave") {
        precondition(count >= 1)
        self.count = count
        let shared = Shared(count: count)
        self.shared = shared
        for k in 1..<count {
            let label = "\(name)-\(k)"
            let thread = Thread {
                // Named from inside: on Linux, Foundation drops a name set before the start.
                Thread.current.name = label
                while true {
                    shared.start[k].wait()
                    if shared.stopping { break }
                    shared.job!(k)
                    shared.finished.signal()
                }
                shared.finished.signal()
            }
            thread.start()
        }
    }

    deinit {
        shared.stopping = true
        for k in 1..<count { shared.start[k].signal() }
        for _ in 1..<count { shared.finished.wait() }
    }

    /// Runs `body(k)` for every thread `k` in `0..<count` at once (thread 0 is the caller), with
    /// every stage reset to 0, and returns when all have finished.
    func run(_ body: (Int) -> Void) {
        for k in 0..<count { stage(k).pointee.store(0, ordering: .relaxed) }
        if count == 1 { return body(0) }
        withoutActuallyEscaping(body) { body in
            shared.job = body
            for k in 1..<count { shared.start[k].signal() }
            body(0)
            for _ in 1..<count { shared.finished.wait() }
            shared.job = nil
        }
    }

    /// Thread `k` has done everything up to `stage`: what it wrote before is visible to a
    /// thread that then sees the stage.
    func publish(_ k: Int, stage s: Int) {
        stage(k).pointee.store(s, ordering: .releasing)
    }

    /// Returns once threads `k - 1` and `k + 1` (those that exist) have published `stage` or later.
    func waitForNeighbours(of k: Int, stage s: Int) {
        if k > 0 { wait(for: k - 1, stage: s) }
        if k + 1 < count { wait(for: k + 1, stage: s) }
    }

    private func wait(for j: Int, stage s: Int) {
        var spins = 0
        while stage(j).pointee.load(ordering: .acquiring) < s {
            // Neighbours are usually microseconds behind; past that, let the OS run them (an
            // oversubscribed machine, or a guest whose vCPU was descheduled).
            spins += 1
            if spins > 2000 { sched_yield() }
        }
    }

    private func stage(_ k: Int) -> UnsafeMutablePointer<Atomic<Int>> { shared.stages + k * Shared.stride }
}
