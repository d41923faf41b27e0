import Foundation
import Testing
import HTTP
@testable import VocoderServer

/// Bodies within the byte limits whose decoding would cost far more than their size.
@Suite struct HostileBodyTests {
    private func jsonRequest(_ text: String) throws -> HTTPRequest {
        try HTTPRequest(method: .post, target: "/vocode", headers: ["Host": "h", "Content-Type": "application/json"], body: Data(text.utf8))
    }

    /// Regression: a 12 MB JSON body of 6 million numbers took the server's peak RSS from
    /// 40 MB to 340 MB before it was refused for its shape. It is now refused by counting.
    @Test func jsonWithFarMoreValuesThanAMelCanHoldIsRefusedBeforeDecoding() throws {
        let request = try jsonRequest("{\"mel\": [[" + String(repeating: "0,", count: 1_000_000) + "0]]}")
        #expect(throws: HTTPError.self) { try RequestBody.melArray(request, maxDecodedBytes: 1 << 26, maxValues: 80 * 2000) }
        do {
            _ = try RequestBody.melArray(request, maxDecodedBytes: 1 << 26, maxValues: 80 * 2000)
        } catch {
            #expect(error.status.code == 422)
            #expect(error.message.contains("160000"))
        }
    }

    @Test func jsonAtExactlyTheValueLimitIsDecoded() throws {
        let row = "[" + Array(repeating: "0.5", count: 3).joined(separator: ",") + "]"
        let request = try jsonRequest("{\"mel\": [" + Array(repeating: row, count: 4).joined(separator: ", ") + "]}")
        let tensor = try RequestBody.melArray(request, maxDecodedBytes: 1 << 20, maxValues: 12).mel
        #expect(tensor.shape == [4, 3])
        #expect(throws: HTTPError.self) { try RequestBody.melArray(request, maxDecodedBytes: 1 << 20, maxValues: 11) }
    }

    /// Found by Schemathesis (ST202): a JSON mel holding 5e-324 or 1e-308 (valid JSON numbers
    /// that underflow Float) was a 400 "JSON body must be ..."; they now round to 0.
    @Test func jsonNumbersThatUnderflowFloatRoundToZero() throws {
        let request = try jsonRequest("{\"mel\": [[5e-324, 1.1125369292536007e-308], [0.5, 1e-46]]}")
        let tensor = try RequestBody.melArray(request, maxDecodedBytes: 1 << 20).mel
        #expect(tensor.shape == [2, 2])
        #expect(tensor.data == [0, 0, 0.5, 0])
    }
}
