import Testing
@testable import DiffWave

@Test func audioFormatRawValuesAreTheQuerySpellings() {
    #expect(AudioFormat.allCases.map(\.rawValue) == ["wav", "wav-f32", "flac", "ogg"])
    #expect(AudioFormat(rawValue: "wav-f32") == .wavF32)
    #expect(AudioFormat(rawValue: "mp3") == nil)
}

@Test func audioFormatMediaTypesAndExtensions() {
    #expect(AudioFormat.allCases.map(\.mediaType) == ["audio/wav", "audio/wav", "audio/flac", "audio/ogg"])
    #expect(AudioFormat.allCases.map(\.fileExtension) == ["wav", "wav", "flac", "ogg"])
}

@Test(arguments: [
    ("audio/wav", AudioFormat.wav), ("audio/x-wav", .wav), ("audio/wave", .wav), ("audio/vnd.wave", .wav),
    ("audio/flac", .flac), ("audio/x-flac", .flac),
    ("audio/ogg", .ogg), ("audio/vorbis", .ogg), ("audio/x-vorbis+ogg", .ogg), ("application/ogg", .ogg),
])
func audioFormatFromMediaType(mediaType: String, format: AudioFormat) {
    #expect(AudioFormat(mediaType: mediaType) == format)
}

@Test func audioFormatMediaTypeIgnoresCaseSpacesAndParameters() {
    #expect(AudioFormat(mediaType: "Audio/X-WAV") == .wav)
    #expect(AudioFormat(mediaType: " audio/flac ;q=0.5") == .flac)
    #expect(AudioFormat(mediaType: "audio/ogg; codecs=vorbis") == .ogg)
}

@Test(arguments: ["audio/*", "*/*", "audio/mpeg", "text/html", "", "wav", "audio/wav-f32"])
func audioFormatRejectsOtherMediaTypes(mediaType: String) {
    #expect(AudioFormat(mediaType: mediaType) == nil)
}

@Test func audioFormatSndfileFlagsAreDistinctPerEncoding() {
    // wav and wav-f32 share a media type but not an encoding.
    #expect(Set(AudioFormat.allCases.map(\.sndfileFormat)).count == AudioFormat.allCases.count)
    #expect(AudioFormat.allCases.filter(\.isInteger) == [.wav, .flac])
}
