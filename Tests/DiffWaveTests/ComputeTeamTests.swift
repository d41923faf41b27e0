import Foundation
import Synchronization
import Testing
@testable import DiffWave

@Suite struct ComputeTeamTests {
    @Test(arguments: [1, 2, 4])
    func runsEveryThreadOnceAtATimeAndReturnsWhenAllFinished(count: Int) {
        let team = ComputeTeam(count: count, queues: 0)
        for round in 1...3 {
            let calls = UnsafeMutablePointer<Int>.allocate(capacity: count)
            calls.initialize(repeating: 0, count: count)
            defer { calls.deallocate() }
            team.run { k in calls[k] += round }
            #expect((0..<count).allSatisfy { calls[$0] == round })
        }
    }

    /// Every item of every queue runs once, in every run; and after a queue's barrier every
    /// item's write is visible, whoever made it. Even queues write, odd queues check (one
    /// check per owner, also taken by whoever comes first).
    @Test(arguments: [1, 2, 4])
    func drainRunsEveryItemOnceAndTheBarrierShowsTheirWrites(count: Int) {
        let rounds = 25, items = { (owner: Int) in 3 + owner }, checks = { (_: Int) in 1 }
        let team = ComputeTeam(count: count, queues: 2 * rounds)
        let total = (0..<count).map(items).reduce(0, +)
        let first = (0..<count).map { (0..<$0).map(items).reduce(0, +) }
        let runs = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: total)
        let written = UnsafeMutablePointer<Int>.allocate(capacity: total)
        defer { runs.deallocate(); written.deallocate() }
        let mismatches = Atomic<Int>(0), checked = Atomic<Int>(0)
        for run in 1...2 {
            for i in 0..<total { (runs + i).initialize(to: Atomic(0)) }
            team.run { k in
                for r in 0..<rounds {
                    team.drain(queue: 2 * r, from: k, items: items) { owner, i in
                        // The last item late, so that a check without the barrier would see it unwritten.
                        if i == items(owner) - 1 { usleep(300) }
                        written[first[owner] + i] = r
                        runs[first[owner] + i].add(1, ordering: .relaxed)
                    }
                    team.waitUntilDone(queue: 2 * r, items: items)
                    team.drain(queue: 2 * r + 1, from: k, items: checks) { _, _ in
                        checked.add(1, ordering: .relaxed)
                        for i in 0..<total where written[i] != r { mismatches.add(1, ordering: .relaxed) }
                    }
                    team.waitUntilDone(queue: 2 * r + 1, items: checks)
                }
            }
            #expect((0..<total).allSatisfy { runs[$0].load(ordering: .relaxed) == rounds }, "run \(run)")
        }
        #expect(checked.load(ordering: .relaxed) == 2 * rounds * count && mismatches.load(ordering: .relaxed) == 0)
    }

    /// A thread that is late to a queue finds its items taken by the others.
    @Test func othersTakeALateThreadsItems() {
        let team = ComputeTeam(count: 2, queues: 1)
        let takers = UnsafeMutablePointer<Int>.allocate(capacity: 8)
        defer { takers.deallocate() }
        team.run { k in
            if k == 0 { Thread.sleep(forTimeInterval: 0.1) }
            team.drain(queue: 0, from: k, items: { _ in 4 }) { owner, i in takers[owner * 4 + i] = k }
            team.waitUntilDone(queue: 0, items: { _ in 4 })
        }
        #expect((0..<8).allSatisfy { takers[$0] == 1 })
    }

    @Test func helperThreadsExitWithTheTeam() throws {
        func threads() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").filter {
                (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?.hasPrefix("exit-test-") == true
            }.count
        }
        let before = try threads()
        var team: ComputeTeam? = ComputeTeam(count: 3, queues: 0, name: "exit-test")
        team!.run { _ in }
        #expect(try threads() == before + 2)
        team = nil
        // The helpers signal the team just before they return: give them a moment to be gone.
        var left = try threads()
        for _ in 0..<200 where left > before {
            Thread.sleep(forTimeInterval: 0.01)
            left = try threads()
        }
        #expect(left == before)
    }
}
