import Foundation
import Testing
@testable import HTTP

@Suite struct ChunkedBodyDecoderTests {
    private func decoder(maxBody: Int = 1 << 20, maxLine: Int = 64, maxTrailer: Int = 128, maxTrailerCount: Int = 4) -> ChunkedBodyDecoder {
        ChunkedBodyDecoder(maxBodyBytes: maxBody, maxLineBytes: maxLine, maxTrailerBytes: maxTrailer, maxTrailerCount: maxTrailerCount)
    }

    /// Decodes `text` in one call; returns the body, bytes consumed and progress.
    private func decode(_ text: String, _ decoder: ChunkedBodyDecoder? = nil) throws(HTTPError) -> (String, Int, ChunkedBodyDecoder.Progress) {
        var decoder = decoder ?? self.decoder()
        var body = Data()
        let (consumed, progress) = try decoder.decode(ArraySlice(text.utf8), into: &body)
        return (String(decoding: body, as: UTF8.self), consumed, progress)
    }

    private func status(_ text: String, _ decoder: ChunkedBodyDecoder? = nil) -> Int? {
        do {
            _ = try decode(text, decoder)
            return nil
        } catch {
            return error.status.code
        }
    }

    @Test func decodesChunksAndStopsAtTheEnd() throws {
        let text = "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\nGET /next"
        let (body, consumed, progress) = try decode(text)
        #expect(body == "hello, world")
        #expect(progress == .done)
        #expect(consumed == text.utf8.count - "GET /next".utf8.count)
    }

    @Test func hexSizesAnyCaseWithLeadingZeros() throws {
        let data = String(repeating: "x", count: 0x1A)
        #expect(try decode("001a\r\n\(data)\r\n000\r\n\r\n").0 == data)
        #expect(try decode("1A\r\n\(data)\r\n0\r\n\r\n").0 == data)
    }

    @Test func extensionsAreIgnored() throws {
        let text = "3;name\r\nabc\r\n2 ; a=b ;c=\"quoted \\\" ;value\"\r\nde\r\n0;last=1\r\n\r\n"
        let (body, _, progress) = try decode(text)
        #expect(body == "abcde")
        #expect(progress == .done)
    }

    @Test func trailersAreParsedAndDiscarded() throws {
        let (body, _, progress) = try decode("2\r\nok\r\n0\r\nChecksum: abc\r\nX-Other:  y \r\n\r\n")
        #expect(body == "ok")
        #expect(progress == .done)
    }

    @Test func partialInputIsLeftForTheNextCall() throws {
        var decoder = decoder()
        var body = Data()
        let text = Array("a;x=1\r\n0123456789\r\n0\r\nT: v\r\n\r\n".utf8)
        var pending: [UInt8] = []
        var done = false
        for byte in text {
            pending.append(byte)
            let (consumed, progress) = try decoder.decode(pending[...], into: &body)
            pending.removeFirst(consumed)
            done = progress == .done
        }
        #expect(done)
        #expect(pending.isEmpty)
        #expect(String(decoding: body, as: UTF8.self) == "0123456789")
    }

    @Test func needsMoreUntilTheFinalCRLF() throws {
        #expect(try decode("2\r\nab\r\n0\r\n").2 == .needMore)
        #expect(try decode("2\r\nab\r\n0\r\n\r").2 == .needMore)
        #expect(try decode("2\r\nab").2 == .needMore)
        #expect(try decode("2\r\nab\r").2 == .needMore)
    }

    @Test func emptyInputNeedsMore() throws {
        #expect(try decode("").2 == .needMore)
    }

    @Test(arguments: [
        "x\r\n",                      // not hex
        "\r\n",                       // empty size
        " 5\r\nhello\r\n0\r\n\r\n",   // leading whitespace
        "5 \r\nhello\r\n0\r\n\r\n",   // trailing whitespace without an extension
        "5x\r\nhello\r\n",            // junk after size
        "-5\r\n",                     // sign
        "0x5\r\n",                    // C prefix
        "5\nhello\r\n",               // bare LF after size
        "5\r\nhello\n0\r\n\r\n",      // bare LF after data
        "5\r\nhelloX\r\n",            // data longer than declared
        "5\r\nhello\r\r\n",           // CR CR
        "5;\r\nhello\r\n",            // extension without a name
        "5;a=\r\nhello\r\n",          // extension without a value
        "5;a=\"open\r\nhello\r\n",    // unterminated quoted string
        "5;a b\r\nhello\r\n",         // junk in extension
        "5\r5\r\nhello\r\n",          // bare CR in size line
        "0\r\nBad Name: v\r\n\r\n",   // invalid trailer name
        "0\r\nName : v\r\n\r\n",      // whitespace before colon in trailer
        "0\r\nName: a\u{0}b\r\n\r\n", // NUL in trailer value
        "0\r\nName: a\r\n folded\r\n\r\n", // obs-fold in trailer
        "0\r\nNoColon\r\n\r\n",
        "0\r\n\n",                    // bare LF ending trailers
        "FFFFFFFFFFFFFFFFFFFF\r\n",   // overflows Int
    ])
    func malformedIs400(_ text: String) {
        #expect(status(text) == 400, "\(text.debugDescription)")
    }

    @Test func overlongSizeLineIs400() {
        #expect(status("1;" + String(repeating: "a", count: 100) + "\r\n") == 400)
        #expect(status("1;" + String(repeating: "a", count: 100)) == 400)  // even before its end
    }

    @Test func bodyOverTheLimitIs413AtTheChunkHeader() {
        let small = decoder(maxBody: 10)
        #expect(status("a\r\n0123456789\r\n0\r\n\r\n", small) == nil)
        #expect(status("b\r\n", small) == 413)
        #expect(status("6\r\n012345\r\n5\r\n", small) == 413)
        // A huge size that still fits in Int is over the limit, not malformed.
        #expect(status("7FFFFFFFFFFFFFFF\r\n", small) == 413)
    }

    @Test func trailerSectionOverTheLimitIs431() {
        #expect(status("0\r\nX: " + String(repeating: "v", count: 200) + "\r\n\r\n") == 431)
        #expect(status("0\r\n" + (0..<5).map { "T\($0): v\r\n" }.joined() + "\r\n") == 431)
        #expect(status("0\r\n" + (0..<4).map { "T\($0): v\r\n" }.joined() + "\r\n") == nil)
    }
}
