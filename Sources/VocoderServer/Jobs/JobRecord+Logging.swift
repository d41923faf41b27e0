import HTTP
import Logging

extension JobRecord {
    /// What every log line about the job carries: its id and the id of the request that made it.
    var logMetadata: Logger.Metadata {
        var metadata: Logger.Metadata = [LogField.jobID: .string(id)]
        if let requestID { metadata[LogField.requestID] = .string(requestID) }
        return metadata
    }
}
