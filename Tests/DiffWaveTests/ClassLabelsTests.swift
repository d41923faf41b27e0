import Testing
@testable import DiffWave

@Suite struct ClassLabelsTests {
    static let digits = ClassLabels(count: 3, names: ["zero", "one", "two"])

    @Test func indicesAndNamesResolve() throws {
        #expect(try Self.digits.index(of: .index(0)) == 0)
        #expect(try Self.digits.index(of: .index(2)) == 2)
        #expect(try Self.digits.index(of: .name("one")) == 1)
    }

    @Test func eachRefusalListsTheValidLabels() {
        #expect(throws: DiffWaveError(.label, "label 3 is out of range: the labels are 0...2 or zero, one, two")) {
            try Self.digits.index(of: .index(3))
        }
        #expect(throws: DiffWaveError(.label, "label -1 is out of range: the labels are 0...2 or zero, one, two")) {
            try Self.digits.index(of: .index(-1))
        }
        #expect(throws: DiffWaveError(.label, "unknown label 'One': the labels are 0...2 or zero, one, two")) {
            try Self.digits.index(of: .name("One"))
        }
        #expect(throws: DiffWaveError(.label, "label 'alice' is a name, but this model's classes have no names: the labels are 0...3")) {
            try ClassLabels(count: 4).index(of: .name("alice"))
        }
    }

    @Test func manyNamesAreCountedNotListed() {
        let many = ClassLabels(count: 100, names: (0..<100).map { "speaker\($0)" })
        #expect(many.validLabels == "the labels are 0...99 or one of 100 names")
        #expect(ClassLabels(count: 1).validLabels == "the labels are 0")
    }

    @Test func validation() throws {
        try Self.digits.validate()
        #expect(throws: DiffWaveError(.config, "class_names has 2 names for 3 classes")) {
            try ClassLabels(count: 3, names: ["a", "b"]).validate()
        }
        #expect(throws: DiffWaveError(.config, "class_names has a name twice")) {
            try ClassLabels(count: 2, names: ["a", "a"]).validate()
        }
        #expect(throws: DiffWaveError(.config, "num_classes must be in 1...1000000, got 0")) { try ClassLabels(count: 0).validate() }
        #expect(throws: DiffWaveError(.config, "label_embedding_dim must be in 1...4096, got 0")) {
            try ClassLabels(count: 2, embeddingDim: 0).validate()
        }
    }
}
