// libFuzzer target: the HTTP/1.1 request parser (with its chunked decoder), fed the input
// whole and again split at every seventh byte; both feeds must agree. Built by fuzz/build.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRequestParser(_ start: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: start, count: count))
    let limits = ServerLimits(maxRequestLineBytes: 256, maxHeaderBytes: 1024, maxHeaderCount: 16, maxBodyBytes: 4096)
    var whole = RequestParser(limits: limits)
    let once = whole.feed(bytes)
    var split = RequestParser(limits: limits)
    var pieces: [RequestParser.Event] = []
    var index = 0
    while index < bytes.count {
        let end = min(bytes.count, index + 7)
        pieces += split.feed(bytes[index..<end])
        index = end
    }
    // The same requests (method, target, fields, body), and an error or not, however the bytes
    // arrive. (Which 4xx may differ: a long line with a bad method byte is 414 whole, 400 split.)
    func summary(_ events: [RequestParser.Event]) -> [String] {
        events.compactMap { event in
            switch event {
            case .head: nil
            case .request(let r): "\(r.method) \(r.target) \(r.headers.count) \(r.body.count)"
            case .error(let e): e.status.code >= 500 && e.status.code != 501 && e.status.code != 505 ? "server error \(e)" : "error"
            }
        }
    }
    let a = summary(once), b = summary(pieces)
    if a != b { fatalError("whole feed \(a) != split feed \(b)") }
    return 0
}
