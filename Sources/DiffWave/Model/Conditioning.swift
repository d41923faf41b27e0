/// What a model is conditioned on besides the noisy audio and the diffusion step (Kong et
/// al. 2021, §3.2–3.3): a mel spectrogram (neural vocoding), a class label (the global
/// conditioner: SC09 digits, speaker ids), both, or nothing (unconditional generation). The
/// engine, the routes and the CLI switch on this one type.
public enum Conditioning: Equatable, Sendable, CustomStringConvertible {
    /// Unconditional generation: noise in, audio out.
    case none
    /// Neural vocoding: the mel's upsampled projection is added in every layer.
    case mel
    /// Class-conditional generation: the label's embedding is added in every layer.
    case label(ClassLabels)
    /// A vocoder with a label beside the mel (a multi-speaker vocoder's speaker id).
    case melAndLabel(ClassLabels)

    /// `none`, `mel`, `label` or `mel+label`, as `GET /model` and `diffwave info` name it.
    public var description: String {
        switch self {
        case .none: "none"
        case .mel: "mel"
        case .label: "label"
        case .melAndLabel: "mel+label"
        }
    }

    /// Whether the model takes a mel spectrogram (vocode) or a sample count (generate).
    public var takesMel: Bool {
        switch self {
        case .mel, .melAndLabel: true
        case .none, .label: false
        }
    }

    /// The model's classes, if it takes a label.
    public var labels: ClassLabels? {
        switch self {
        case .label(let labels), .melAndLabel(let labels): labels
        case .none, .mel: nil
        }
    }

    /// The same mel conditioning with `labels` (or without any).
    func with(labels: ClassLabels?) -> Conditioning {
        switch (takesMel, labels) {
        case (true, let labels?): .melAndLabel(labels)
        case (false, let labels?): .label(labels)
        case (true, nil): .mel
        case (false, nil): .none
        }
    }

    /// The class index a request's label names, nil for a model without classes. Refuses a
    /// label missing for a class-conditional model and one given to a model without classes.
    public func classIndex(of label: Label?) throws(DiffWaveError) -> Int? {
        switch (labels, label) {
        case (let labels?, let label?): return try labels.index(of: label)
        case (let labels?, nil):
            throw DiffWaveError(.label, "this model is class-conditional: give a label (\(labels.validLabels))")
        case (nil, let label?):
            throw DiffWaveError(.label, "this model has no classes: it takes no label (got \(label))")
        case (nil, nil): return nil
        }
    }
}
