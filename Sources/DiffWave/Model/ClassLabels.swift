/// A class-conditional model's classes (the checkpoint's `params.num_classes`,
/// `label_embedding_dim` and optional `class_names`): label i is `names[i]` when there are names.
public struct ClassLabels: Equatable, Sendable {
    /// K, the number of classes.
    public var count: Int
    /// D, the width of the label embedding (128 in the paper).
    public var embeddingDim: Int
    /// The classes' names, K of them, or none.
    public var names: [String]

    /// The paper's label embedding width, a checkpoint's when its params do not say.
    public static let defaultEmbeddingDim = 128
    /// Error details list every valid label up to this many classes, and only their count beyond.
    static let listedLabels = 16

    public init(count: Int, embeddingDim: Int = defaultEmbeddingDim, names: [String] = []) {
        self.count = count
        self.embeddingDim = embeddingDim
        self.names = names
    }

    /// Rejects classes the network cannot use, or names a label could not tell apart.
    func validate() throws(DiffWaveError) {
        guard count >= 1 && count <= 1_000_000 else { throw DiffWaveError(.config, "num_classes must be in 1...1000000, got \(count)") }
        guard embeddingDim >= 1 && embeddingDim <= 4096 else {
            throw DiffWaveError(.config, "label_embedding_dim must be in 1...4096, got \(embeddingDim)")
        }
        guard names.isEmpty || names.count == count else {
            throw DiffWaveError(.config, "class_names has \(names.count) names for \(count) classes")
        }
        guard Set(names).count == names.count else { throw DiffWaveError(.config, "class_names has a name twice") }
    }

    /// The index `label` names, or an error that lists the valid labels.
    public func index(of label: Label) throws(DiffWaveError) -> Int {
        switch label {
        case .index(let i):
            guard i >= 0 && i < count else { throw DiffWaveError(.label, "label \(i) is out of range: \(validLabels)") }
            return i
        case .name(let name):
            guard !names.isEmpty else {
                throw DiffWaveError(.label, "label '\(name)' is a name, but this model's classes have no names: \(validLabels)")
            }
            guard let i = names.firstIndex(of: name) else { throw DiffWaveError(.label, "unknown label '\(name)': \(validLabels)") }
            return i
        }
    }

    /// The labels a request may give, for error details: every name when they are few, else their count.
    public var validLabels: String {
        let range = count == 1 ? "0" : "0...\(count - 1)"
        if names.isEmpty { return "the labels are \(range)" }
        if count <= Self.listedLabels { return "the labels are \(range) or \(names.joined(separator: ", "))" }
        return "the labels are \(range) or one of \(count) names"
    }
}
