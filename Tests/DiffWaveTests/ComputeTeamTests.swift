import Foundation
import Synchronization
import Testing
@testable import DiffWave

@Suite struct ComputeTeamTests {
    @Test(arguments: [1, 2, 4])
    func runsEveryThreadOnceAtATimeAndReturnsWhenAllFinished(count: Int) {
        let team = ComputeTeam(count: count)
        for round in 1...3 {
            let calls = UnsafeMutablePointer<Int>.allocate(capacity: count)
            calls.initialize(repeating: 0, count: count)
            defer { calls.deallocate() }
            team.run { k in calls[k] += round }
            #expect((0..<count).allSatisfy { calls[$0] == round })
        }
    }

    /// Every thread waits for its neighbours at each stage, so the run finishes only if all
    /// threads run at once; and what a thread wrote before publishing is what its neighbours read.
    @Test func neighboursSeeWhatWasWrittenBeforeAStageWasPublished() {
        let count = 4, stages = 200
        let team = ComputeTeam(count: count)
        let written = UnsafeMutablePointer<Int>.allocate(capacity: count)
        let mismatches = Atomic<Int>(0)
        defer { written.deallocate() }
        team.run { k in
            for s in 1...stages {
                written[k] = s
                team.publish(k, stage: s)
                team.waitForNeighbours(of: k, stage: s)
                for j in [k - 1, k + 1] where j >= 0 && j < count && written[j] < s { mismatches.add(1, ordering: .relaxed) }
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
    }

    @Test func stagesStartFromZeroInEachRun() {
        let team = ComputeTeam(count: 2)
        team.run { k in team.publish(k, stage: 5) }
        let waited = Atomic<Int>(0)
        team.run { k in
            if k == 0 { Thread.sleep(forTimeInterval: 0.05); team.publish(0, stage: 1) }
            if k == 1 { team.waitForNeighbours(of: 1, stage: 1); waited.store(1, ordering: .relaxed) }
        }
        #expect(waited.load(ordering: .relaxed) == 1)
    }

    @Test func helperThreadsExitWithTheTeam() throws {
        func threads() throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/self/task").filter {
                (try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8))?.hasPrefix("exit-test-") == true
            }.count
        }
        let before = try threads()
        var team: ComputeTeam? = ComputeTeam(count: 3, name: "exit-test")
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
