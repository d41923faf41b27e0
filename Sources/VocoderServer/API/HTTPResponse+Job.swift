import HTTP

extension HTTPResponse {
    /// Names the job this response is about: for the client (`X-Job-Id`) and for the request's
    /// log line (`logMetadata`), which ties it to the job's own lines.
    mutating func tag(job id: String) {
        headers.set("X-Job-Id", id)
        logMetadata[LogField.jobID] = id
    }
}
