@testable import DiffWave
import Foundation
import Testing
import HTTP
@testable import VocoderServer

@Suite struct SamplingRequestTests {
    private func options(_ query: String, _ headers: HTTPHeaders = [:], defaultPrecision: Precision = .float32) throws(HTTPError) -> SamplingRequest {
        try SamplingRequest(try HTTPRequest(method: .post, target: "/vocode" + (query.isEmpty ? "" : "?" + query), headers: headers),
                            defaultPrecision: defaultPrecision)
    }

    private func status(_ query: String, _ headers: HTTPHeaders = [:]) -> Int? {
        do {
            _ = try options(query, headers)
            return nil
        } catch {
            return error.status.code
        }
    }

    /// The query's label, the body's, or both when they name the same class (by number or name).
    @Test func classIndexFromTheQueryTheBodyOrBoth() throws {
        let digits = Conditioning.label(ClassLabels(count: 3, names: ["zero", "one", "two"]))
        #expect(try options("label=2").classIndex(body: nil, conditioning: digits) == 2)
        #expect(try options("label=two").classIndex(body: nil, conditioning: digits) == 2)
        #expect(try options("").classIndex(body: .name("one"), conditioning: digits) == 1)
        #expect(try options("label=1").classIndex(body: .name("one"), conditioning: digits) == 1)
        #expect(try options("").classIndex(body: nil, conditioning: .mel) == nil)
        #expect(throws: HTTPError(.label, "the query's label 2 and the body's label 'one' disagree")) {
            try options("label=2").classIndex(body: .name("one"), conditioning: digits)
        }
        #expect(throws: HTTPError(.label, "this model has no classes: it takes no label (got 'one')")) {
            try options("").classIndex(body: .name("one"), conditioning: .mel)
        }
    }

    @Test func defaults() throws {
        let a = try options(""), b = try options("")
        #expect(a.schedule == .fast && a.format == .wav && !a.respondAsync && a.strict && a.precision == .float32)
        #expect(a.seed != b.seed, "a fresh seed per request")
    }

    @Test func parsesEveryOption() throws {
        let o = try options("schedule=full&seed=18446744073709551615&format=wav-f32&async=true&strict=false&precision=f32")
        #expect(o.schedule == .full && o.seed == .max && o.format == .wavF32 && o.respondAsync && !o.strict)
        #expect(try options("seed=0").seed == 0)
        #expect(try options("format=ogg").format == .ogg)
        #expect(try options("format=flac").format == .flac)
    }

    /// The server's default applies when the request names no precision; a named one wins.
    @Test func precisionFromTheQueryOrTheServerDefault() throws {
        #expect(try options("", defaultPrecision: .bfloat16).precision == .bfloat16)
        #expect(try options("precision=f32", defaultPrecision: .bfloat16).precision == .float32)
    }

    /// `precision=bf16` is read where the CPU runs bfloat16 and refused (422) where it cannot;
    /// both are forced here (`bfloat16AvailableOverride`), so each is tested on every CPU.
    @Test func bfloat16IsReadWhereAvailableAndRefusedWhereNot() throws {
        let read = try Precision.$bfloat16AvailableOverride.withValue(true) { () throws -> SamplingRequest in try options("precision=bf16") }
        #expect(read.precision == .bfloat16)
        Precision.$bfloat16AvailableOverride.withValue(false) {
            #expect(status("precision=bf16") == 422, "refused where the CPU cannot run it")
        }
    }

    @Test(arguments: [("true", true), ("1", true), ("yes", true), ("TRUE", true), ("false", false), ("0", false), ("No", false)])
    func booleanFlags(_ value: String, _ expected: Bool) throws {
        #expect(try options("async=\(value)").respondAsync == expected)
        #expect(try options("strict=\(value)").strict == expected)
    }

    /// openapi.yaml types the flags as booleans: an empty or bare value is no boolean
    /// (Schemathesis ST201 caught `resample=` being read as true).
    @Test func anEmptyFlagIs400() throws {
        for query in ["async", "async=", "strict=", "resample="] {
            #expect(throws: HTTPError.self) { try options(query) }
        }
    }

    @Test func preferRespondAsync() throws {
        #expect(try options("", ["Prefer": "respond-async"]).respondAsync)
        #expect(try options("", ["Prefer": "wait=10, respond-async"]).respondAsync)
        #expect(try options("", ["Prefer": "Respond-Async"]).respondAsync)
        #expect(try options("", ["Prefer": "wait=10"]).respondAsync == false)
        #expect(try options("async=false", ["Prefer": "respond-async"]).respondAsync, "either asks for async")
        // RFC 7240 §4.3: wait=N (delta-seconds) with respond-async; anything else is ignored.
        #expect(try options("", ["Prefer": "respond-async, wait=10"]).asyncWait == .seconds(10))
        #expect(try options("", ["Prefer": "respond-async"]).asyncWait == nil)
        #expect(try options("", ["Prefer": "respond-async, wait=soon"]).asyncWait == nil)
        #expect(try options("", ["Prefer": "respond-async, wait=-1"]).asyncWait == nil)
        #expect(try options("", ["Prefer": "wait=10"]).asyncWait == nil)
    }

    @Test func refusals() {
        #expect(status("schedule=slow") == 422)
        #expect(status("schedule=FAST") == 422)
        #expect(status("precision=f16") == 422)
        #expect(status("seed=-1") == 400)
        #expect(status("seed=1.5") == 400)
        #expect(status("seed=") == 400)
        #expect(status("seed=18446744073709551616") == 400)
        #expect(status("format=mp3") == 400)
        #expect(status("async=sometimes") == 400)
        #expect(status("strict=2") == 400)
    }

    @Test(arguments: [
        ("audio/flac", AudioFormat.flac),
        ("audio/x-flac", .flac),
        ("audio/ogg", .ogg),
        ("audio/wav", .wav),
        ("audio/x-wav", .wav),
        ("audio/*", .wav),
        ("*/*", .wav),
        ("text/html, audio/flac", .flac),
        ("audio/ogg;q=0.5, audio/flac;q=0.9", .flac),
        ("audio/ogg, audio/flac", .ogg),
        ("audio/flac;q=0.5, */*", .wav),
        ("audio/flac; q=0.2, audio/ogg ; q=0.3", .ogg),
        ("AUDIO/FLAC", .flac),
    ])
    func negotiatesAccept(_ accept: String, _ expected: AudioFormat) throws {
        #expect(try SamplingRequest.negotiate(accept) == expected)
        #expect(try options("", ["Accept": accept]).format == expected)
    }

    @Test(arguments: ["text/html", "application/json", "audio/flac;q=0", "audio/mpeg", "*/*;q=0", ""])
    func nothingAcceptableIs406(_ accept: String) {
        #expect(status("", ["Accept": accept]) == 406)
    }

    @Test func theFormatQueryOverridesAccept() throws {
        #expect(try options("format=ogg", ["Accept": "text/html"]).format == .ogg)
    }

    @Test func anAsyncRequestMayAcceptJustJSON() throws {
        // The 202 answer is JSON; such a request used to be refused 406 for naming no audio type.
        #expect(try options("async=true", ["Accept": "application/json"]).format == .wav)
        #expect(try options("", ["Accept": "application/*", "Prefer": "respond-async"]).format == .wav)
        #expect(try options("async=true", ["Accept": "application/json, audio/flac"]).format == .flac)
        #expect(status("async=true", ["Accept": "application/json;q=0"]) == 406)
        #expect(status("async=true", ["Accept": "text/html"]) == 406)
        #expect(status("", ["Accept": "application/json"]) == 406, "a sync answer is audio")
    }
}
