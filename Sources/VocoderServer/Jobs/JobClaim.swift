/// A worker's hold on one running job: the record as it was claimed and the fencing epoch the
/// store checks each write of this run against.
public struct JobClaim: Sendable {
    public let record: JobRecord
    /// Increases with every claim of the job; only the newest claim may write.
    public let epoch: Int

    public var id: String { record.id }

    public init(record: JobRecord, epoch: Int) {
        self.record = record
        self.epoch = epoch
    }

    /// What a running job should do after a step.
    public enum State: Sendable, Equatable {
        /// Go on.
        case running
        /// A cancel was requested: stop and finish it as cancelled.
        case cancelRequested
        /// The claim is no longer the job's (taken over, handed back): stop and write nothing.
        case lost
    }
}
