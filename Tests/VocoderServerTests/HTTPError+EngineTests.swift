import DiffWave
import Testing
import HTTP
@testable import VocoderServer

@Suite struct HTTPErrorEngineTests {
    @Test(arguments: [
        (DiffWaveError.Code.array, 400), (.pickle, 400), (.checkpoint, 400), (.compression, 400), (.tooLarge, 413),
        (.input, 422), (.schedule, 422), (.config, 422), (.weights, 422),
        (.cancelled, 409), (.audio, 500), (.io, 500),
    ])
    func engineErrorsGetTheirStatus(_ code: DiffWaveError.Code, _ status: Int) {
        let error = HTTPError(DiffWaveError(code, "why"))
        #expect(error.status.code == status)
        #expect(error.message == "why")
    }

    @Test func everyCodeIsMapped() {
        // A new case must be given its status here too (the switch is exhaustive; this pins it).
        #expect(Set(DiffWaveError.Code.allCases.map { HTTPError(DiffWaveError($0, "")).status.code }).isSubset(of: [400, 409, 413, 422, 500]))
    }
}
