import DiffWave
import Testing
@testable import VocoderServer

@Suite struct HTTPErrorEngineTests {
    @Test(arguments: [
        (DiffWaveError.Code.array, 400), (.pickle, 400), (.checkpoint, 400),
        (.input, 422), (.schedule, 422), (.config, 422), (.weights, 422),
        (.cancelled, 409), (.audio, 500), (.io, 500),
    ])
    func engineErrorsGetTheirStatus(_ code: DiffWaveError.Code, _ status: Int) {
        let error = HTTPError(DiffWaveError(code, "why"))
        #expect(error.status.code == status)
        #expect(error.message == "why")
    }
}
