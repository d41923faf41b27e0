import Testing
@testable import DiffWave

@Suite struct ConditioningTests {
    static let labels = ClassLabels(count: 2, names: ["yes", "no"])

    @Test func eachCaseSaysWhatItTakes() {
        let cases: [(Conditioning, takesMel: Bool, hasLabels: Bool, name: String)] = [
            (.none, false, false, "none"), (.mel, true, false, "mel"),
            (.label(Self.labels), false, true, "label"), (.melAndLabel(Self.labels), true, true, "mel+label"),
        ]
        for (conditioning, takesMel, hasLabels, name) in cases {
            #expect(conditioning.takesMel == takesMel, "\(name)")
            #expect((conditioning.labels != nil) == hasLabels, "\(name)")
            #expect(conditioning.description == name)
            #expect(conditioning.with(labels: conditioning.labels) == conditioning)
        }
        #expect(Conditioning.mel.with(labels: Self.labels) == .melAndLabel(Self.labels))
        #expect(Conditioning.none.with(labels: Self.labels) == .label(Self.labels))
        #expect(Conditioning.melAndLabel(Self.labels).with(labels: nil) == .mel)
    }

    @Test func aLabelExactlyForAModelWithClasses() throws {
        #expect(try Conditioning.label(Self.labels).classIndex(of: .name("no")) == 1)
        #expect(try Conditioning.mel.classIndex(of: nil) == nil)
        #expect(throws: DiffWaveError(.label, "this model is class-conditional: give a label (the labels are 0...1 or yes, no)")) {
            try Conditioning.melAndLabel(Self.labels).classIndex(of: nil)
        }
        #expect(throws: DiffWaveError(.label, "this model has no classes: it takes no label (got 'yes')")) {
            try Conditioning.none.classIndex(of: .name("yes"))
        }
    }
}
