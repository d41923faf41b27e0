/// The metadata keys that structured log lines carry as fields of their own (issue 21's JSON
/// logs): one spelling for the HTTP layer that logs requests and the service that logs jobs.
public enum LogField {
    public static let requestID = "request_id"
    public static let jobID = "job_id"
    public static let method = "method"
    public static let path = "path"
    public static let status = "status"
    public static let bytes = "bytes"
    public static let durationMS = "duration_ms"
}
