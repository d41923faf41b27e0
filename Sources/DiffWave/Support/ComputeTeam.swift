import Foundation
import Synchronization

/// The threads that run one request's compute: the caller as thread 0 plus `count - 1` helper
/// threads, started with the workspace and parked between calls, so the step loop neither
/// starts threads nor queues work.
///
/// Work comes in queues (`drain`): each thread owns some items of each queue (its time range's
/// tiles of a layer, say), takes its own first and then, once done, whatever another thread
/// has not taken yet. So a thread that its host slows down (a busy sibling vCPU, a noisy
/// neighbour) holds up the others by at most an item; with fixed shares the whole step waited
/// for the slower thread (bench/README.md).
final class ComputeTeam: @unchecked Sendable {
    let count: Int
    private let shared: Shared
    /// The owners whose items each thread takes, its own first, then the others nearest first;
    /// built once so that the step loop does not allocate.
    private let orders: [[Int]]

    /// What the caller and the helpers share; the helpers hold this, not the team, so that the
    /// team's `deinit` can stop them.
    private final class Shared: @unchecked Sendable {
        /// Set before the start signals and read after them (the semaphores order the accesses).
        var job: ((Int) -> Void)?
        var stopping = false
        let start: [DispatchSemaphore]
        let finished = DispatchSemaphore(value: 0)
        /// Two counters per queue and owner (items taken, items done), each on its own cache
        /// line so that no two threads write one line.
        let counters: UnsafeMutablePointer<Atomic<Int>>
        let total: Int
        static let stride = 64 / MemoryLayout<Atomic<Int>>.stride

        init(count: Int, queues: Int) {
            start = (0..<count).map { _ in DispatchSemaphore(value: 0) }
            total = 2 * queues * count * Shared.stride
            counters = .allocate(capacity: total)
            for k in 0..<total { (counters + k).initialize(to: Atomic(0)) }
        }

        deinit {
            counters.deinitialize(count: total)
            counters.deallocate()
        }
    }

    /// `queues`: how many queues `drain` may use. Helper `k` is named `name-k` (Linux keeps
    /// names of up to 15 bytes).
    init(count: Int, queues: Int, name: String = "diffwave") {
        precondition(count >= 1 && queues >= 0)
        self.count = count
        orders = (0..<count).map { k in (0..<count).sorted { (abs($0 - k), $0) < (abs($1 - k), $1) } }
        let shared = Shared(count: count, queues: queues)
        self.shared = shared
        for k in 1..<count {
            let label = "\(name)-\(k)"
            let thread = Thread {
                // Named from inside: on Linux, Foundation drops a name set before the start, and
                // `Thread.current.name` now and then names no thread (seen with tests starting
                // threads side by side). A name is only for `top -H` and debuggers.
                try? ComputeTeam.nameThisThread(label)
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

    /// Names the calling thread (Linux keeps 15 bytes): its `comm` file, as `pthread_setname_np`
    /// does, which Swift's Glibc module does not export.
    private static func nameThisThread(_ name: String) throws {
        try String(decoding: name.utf8.prefix(15), as: UTF8.self).write(toFile: "/proc/thread-self/comm", atomically: false, encoding: .utf8)
    }

    deinit {
        shared.stopping = true
        for k in 1..<count { shared.start[k].signal() }
        for _ in 1..<count { shared.finished.wait() }
    }

    /// Runs `body(k)` for every thread `k` in `0..<count` at once (thread 0 is the caller), with
    /// every queue full again, and returns when all have finished.
    func run(_ body: (Int) -> Void) {
        for k in 0..<(shared.total / Shared.stride) { (shared.counters + k * Shared.stride).pointee.store(0, ordering: .relaxed) }
        if count == 1 { return body(0) }
        withoutActuallyEscaping(body) { body in
            shared.job = body
            for k in 1..<count { shared.start[k].signal() }
            body(0)
            for _ in 1..<count { shared.finished.wait() }
            shared.job = nil
        }
    }

    /// Thread `k`'s part of queue `q`: `body(owner, i)` for each item `i` of each owner's
    /// `items(owner)` that no other thread has taken, its own first. What a body wrote is
    /// visible to a thread that then returns from `waitUntilDone` for the item's owner.
    func drain(queue q: Int, from k: Int, items: (Int) -> Int, _ body: (_ owner: Int, _ item: Int) -> Void) {
        for owner in orders[k] {
            let n = items(owner)
            while true {
                let i = counter(.taken, queue: q, of: owner).pointee.wrappingAdd(1, ordering: .relaxed).oldValue
                guard i < n else { break }
                body(owner, i)
                counter(.done, queue: q, of: owner).pointee.wrappingAdd(1, ordering: .releasing)
            }
        }
    }

    /// Returns once all `items` of `owner`'s in queue `q` are done, whoever took them.
    func waitUntilDone(queue q: Int, of owner: Int, items: Int) {
        var spins = 0
        while counter(.done, queue: q, of: owner).pointee.load(ordering: .acquiring) < items {
            // Others are usually microseconds from done; past that, let the OS run them (an
            // oversubscribed machine, or a guest whose vCPU was descheduled).
            spins += 1
            if spins > 2000 { sched_yield() }
        }
    }

    /// Returns once every item of queue `q` is done: a barrier that waits for the work, not
    /// for the threads.
    func waitUntilDone(queue q: Int, items: (Int) -> Int) {
        for owner in 0..<count { waitUntilDone(queue: q, of: owner, items: items(owner)) }
    }

    private enum Counter: Int { case taken, done }

    private func counter(_ c: Counter, queue q: Int, of owner: Int) -> UnsafeMutablePointer<Atomic<Int>> {
        shared.counters + ((q * count + owner) * 2 + c.rawValue) * Shared.stride
    }
}
