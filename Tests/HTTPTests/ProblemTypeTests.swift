import Testing
@testable import HTTP

@Suite struct ProblemTypeTests {
    @Test func itsURIIsRelativeUnderProblems() {
        let type = ProblemType("mel-too-long", title: "Mel too long", code: .unprocessable, summary: "Too many frames.")
        #expect(type.uri == "/problems/mel-too-long")
        #expect("\(type)" == "/problems/mel-too-long")
    }

    @Test func itsPageIsTitleTypeStatusAndSummary() {
        let type = ProblemType("queue-full", title: "Queue full", code: .unavailable, summary: "Retry later.")
        #expect(type.page == "Queue full\n\ntype: /problems/queue-full\nstatus: 503\n\nRetry later.\n")
    }

    @Test func anErrorOfATypeTakesItsCodeAndSoItsStatus() {
        let type = ProblemType("label", title: "Invalid label", code: .unprocessable, summary: "s")
        let error = HTTPError(type, "label 9 is out of range")
        #expect(error.code == .unprocessable && error.status.code == 422 && error.type == type)
        let problem = ProblemDetails(error)
        #expect(problem.type == "/problems/label" && problem.title == "Invalid label" && problem.detail == "label 9 is out of range")
    }
}
