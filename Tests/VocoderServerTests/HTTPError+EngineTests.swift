import DiffWave
import Testing
import HTTP
@testable import VocoderServer

@Suite struct HTTPErrorEngineTests {
    @Test(arguments: [
        (DiffWaveError.Code.array, 400, "/problems/malformed-array"), (.pickle, 400, "/problems/malformed-request"),
        (.checkpoint, 400, "/problems/malformed-request"), (.compression, 400, "/problems/malformed-compression"),
        (.tooLarge, 413, "/problems/input-too-large"), (.input, 422, "/problems/unusable-input"),
        (.range, 422, "/problems/mel-out-of-range"), (.label, 422, "/problems/label"), (.schedule, 422, "/problems/schedule"),
        (.config, 422, "/problems/model-configuration"), (.weights, 422, "/problems/model-configuration"),
        (.cancelled, 409, "/problems/job-cancelled"), (.audio, 500, "/problems/engine-failure"), (.io, 500, "/problems/engine-failure"),
    ])
    func engineErrorsGetTheirTypeAndStatus(_ code: DiffWaveError.Code, _ status: Int, _ type: String) {
        let error = HTTPError(DiffWaveError(code, "why"))
        #expect(error.status.code == status)
        #expect(error.type.uri == type)
        #expect(error.message == "why")
    }

    @Test func everyCodeIsMapped() {
        // A new case must be given its type here too (the switch is exhaustive; this pins it).
        #expect(Set(DiffWaveError.Code.allCases.map { HTTPError(DiffWaveError($0, "")).status.code }).isSubset(of: [400, 409, 413, 422, 500]))
        #expect(DiffWaveError.Code.allCases.allSatisfy { ProblemType.catalogue.contains(HTTPError(DiffWaveError($0, "")).type) })
    }
}
