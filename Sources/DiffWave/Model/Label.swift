/// A class label as a caller gives it: an index into the model's classes, or one of their
/// names (`ClassLabels.names`). Resolved against a model by `Conditioning.classIndex(of:)`.
public enum Label: Equatable, Sendable, CustomStringConvertible, Decodable {
    case index(Int)
    case name(String)

    /// Text as a command line or a query string gives it: all ASCII digits is an index,
    /// anything else a name (so a class named "7" is reached by its index, never its name).
    public init(parsing text: String) {
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Too many digits for an Int is still an index: out of range, never a name.
            self = .index(Int(text) ?? Int.max)
        } else {
            self = .name(text)
        }
    }

    /// A JSON value: an integer is an index, a string is read as `init(parsing:)` reads text.
    public init(from decoder: any Decoder) throws {
        let value = try decoder.singleValueContainer()
        if let index = try? value.decode(Int.self) {
            self = .index(index)
        } else {
            self = Label(parsing: try value.decode(String.self))
        }
    }

    public var description: String {
        switch self {
        case .index(let i): "\(i)"
        case .name(let name): "'\(name)'"
        }
    }
}
