import Foundation

/// A succeeded job's audio and the record that describes it.
public struct JobAudio: Sendable {
    public let record: JobRecord
    public let data: Data
}
