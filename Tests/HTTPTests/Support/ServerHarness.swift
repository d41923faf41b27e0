import Foundation
import Logging
import TestSupport
@testable import HTTP

/// Starts a server on an ephemeral port of 127.0.0.1, runs `body` (a blocking client, on this
/// thread) and shuts the server down.
func withServer(
    limits: ServerLimits = ServerLimits(), router: Router = testRouter(), logger: Logger = quietLogger,
    _ body: (HTTPServer) throws -> Void
) throws {
    let server = HTTPServer(host: "127.0.0.1", port: 0, router: router, limits: limits, logger: logger)
    try server.start()
    defer { server.shutdown(gracePeriod: .milliseconds(100)) }
    try body(server)
}

/// Routes used by the server tests.
func testRouter() -> Router {
    var router = Router()
    router.get("/hello") { _, _ in .text("hello") }
    router.get("/request-id") { request, _ in .text(request.requestID) }
    router.get("/slow") { request, _ in
        let milliseconds = Int(request.queryValue("ms") ?? "") ?? 100
        Thread.sleep(forTimeInterval: Double(milliseconds) / 1000)
        return .text("slow \(milliseconds)")
    }
    router.post("/echo") { request, _ in
        HTTPResponse(status: .ok, contentType: "application/octet-stream", body: request.body)
    }
    router.get("/jobs/{id}") { _, parameters in .text("job \(parameters["id"] ?? "")") }
    router.delete("/jobs/{id}") { _, _ in HTTPResponse(status: .noContent) }
    router.get("/bye") { _, _ in HTTPResponse(status: .ok, headers: ["Connection": "close"], body: Data("bye".utf8)) }
    return router
}
