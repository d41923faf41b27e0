extension NPY {
    /// The three keys of a `.npy` header. numpy writes the header as a Python dict literal;
    /// it is parsed here with a tiny grammar of its own, never evaluated.
    struct Header: Equatable {
        var descr: String
        var fortranOrder: Bool
        var shape: [Int]

        init(descr: String, fortranOrder: Bool, shape: [Int]) {
            self.descr = descr
            self.fortranOrder = fortranOrder
            self.shape = shape
        }

        init(parsing text: String) throws(DiffWaveError) {
            var parser = LiteralParser(text)
            let literal = try parser.parseDocument()
            guard case .dict(let items) = literal else {
                throw NPY.failure("malformed header: expected a dict literal")
            }
            var descr: String?, fortranOrder: Bool?, shape: [Int]?
            for (key, value) in items {
                switch key {
                case "descr":
                    switch value {
                    case .string(let s): descr = s
                    case .list: throw NPY.failure("unsupported dtype: structured arrays are not accepted")
                    default: throw NPY.failure("malformed header: 'descr' is not a string")
                    }
                case "fortran_order":
                    guard case .bool(let b) = value else {
                        throw NPY.failure("malformed header: 'fortran_order' is not True or False")
                    }
                    fortranOrder = b
                case "shape":
                    guard case .tuple(let dims) = value else {
                        throw NPY.failure("malformed header: 'shape' is not a tuple")
                    }
                    var parsed: [Int] = []
                    for dim in dims {
                        guard case .int(let n) = dim, n >= 0 else {
                            throw NPY.failure("malformed header: 'shape' holds something other than a non-negative integer")
                        }
                        parsed.append(n)
                    }
                    shape = parsed
                default:
                    // numpy itself refuses headers with keys beyond these three.
                    throw NPY.failure("malformed header: unexpected key '\(key)'")
                }
            }
            guard let descr else { throw NPY.failure("malformed header: no 'descr'") }
            guard let fortranOrder else { throw NPY.failure("malformed header: no 'fortran_order'") }
            guard let shape else { throw NPY.failure("malformed header: no 'shape'") }
            self.init(descr: descr, fortranOrder: fortranOrder, shape: shape)
        }
    }

    /// The Python literals that can appear in a header.
    enum Literal: Equatable {
        case string(String)
        case int(Int)
        case bool(Bool)
        case none
        case tuple([Literal])
        case list([Literal])
        case dict([(String, Literal)])

        static func == (lhs: Literal, rhs: Literal) -> Bool {
            switch (lhs, rhs) {
            case (.string(let a), .string(let b)): a == b
            case (.int(let a), .int(let b)): a == b
            case (.bool(let a), .bool(let b)): a == b
            case (.none, .none): true
            case (.tuple(let a), .tuple(let b)), (.list(let a), .list(let b)): a == b
            case (.dict(let a), .dict(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            default: false
            }
        }
    }

    /// Recursive descent over the header's characters; nesting is capped so that a
    /// hostile header of a million '(' cannot exhaust the stack.
    struct LiteralParser {
        private let chars: [Unicode.Scalar]
        private var position = 0
        private static let maxDepth = 16

        init(_ text: String) {
            chars = Array(text.unicodeScalars)
        }

        /// One literal, then only whitespace (numpy pads the header with spaces and a newline).
        mutating func parseDocument() throws(DiffWaveError) -> Literal {
            let value = try parseValue(depth: 0)
            skipSpace()
            guard position == chars.count else { throw error("unexpected text after the dict") }
            return value
        }

        private mutating func parseValue(depth: Int) throws(DiffWaveError) -> Literal {
            guard depth < Self.maxDepth else { throw error("nested too deeply") }
            skipSpace()
            guard let c = peek() else { throw error("ends early") }
            switch c {
            case "'", "\"": return .string(try parseString())
            case "(":
                let (items, trailingComma) = try parseSequence(close: ")", depth: depth)
                // `(5)` is just 5 in Python; only `(5,)` is a tuple.
                if items.count == 1 && !trailingComma { return items[0] }
                return .tuple(items)
            case "[": return .list(try parseSequence(close: "]", depth: depth).items)
            case "{": return try parseDict(depth: depth)
            case "-", "0"..."9": return .int(try parseInt())
            default:
                if consume(word: "True") { return .bool(true) }
                if consume(word: "False") { return .bool(false) }
                if consume(word: "None") { return .none }
                throw error("unexpected character '\(c)'")
            }
        }

        private mutating func parseSequence(close: Unicode.Scalar, depth: Int) throws(DiffWaveError) -> (items: [Literal], trailingComma: Bool) {
            position += 1  // the opening bracket
            var items: [Literal] = []
            var trailingComma = false
            while true {
                skipSpace()
                if peek() == close { position += 1; return (items, trailingComma) }
                items.append(try parseValue(depth: depth + 1))
                skipSpace()
                trailingComma = false
                if peek() == "," {
                    position += 1
                    trailingComma = true
                } else if peek() != close {
                    throw error("expected ',' or '\(close)'")
                }
            }
        }

        private mutating func parseDict(depth: Int) throws(DiffWaveError) -> Literal {
            position += 1  // "{"
            var items: [(String, Literal)] = []
            while true {
                skipSpace()
                if peek() == "}" { position += 1; return .dict(items) }
                guard peek() == "'" || peek() == "\"" else { throw error("expected a string key") }
                let key = try parseString()
                skipSpace()
                guard peek() == ":" else { throw error("expected ':' after '\(key)'") }
                position += 1
                let value = try parseValue(depth: depth + 1)
                guard !items.contains(where: { $0.0 == key }) else { throw error("repeats key '\(key)'") }
                items.append((key, value))
                skipSpace()
                if peek() == "," {
                    position += 1
                } else if peek() != "}" {
                    throw error("expected ',' or '}'")
                }
            }
        }

        private mutating func parseString() throws(DiffWaveError) -> String {
            let quote = chars[position]
            position += 1
            var scalars = String.UnicodeScalarView()
            while let c = peek() {
                position += 1
                if c == quote { return String(scalars) }
                if c == "\\" {
                    guard let escaped = peek() else { break }
                    position += 1
                    scalars.append(escaped)
                } else {
                    scalars.append(c)
                }
            }
            throw error("unterminated string")
        }

        private mutating func parseInt() throws(DiffWaveError) -> Int {
            var negative = false
            if peek() == "-" { negative = true; position += 1 }
            var value = 0
            var digits = 0
            while let c = peek(), ("0"..."9").contains(c) {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(Int(c.value - 48))
                guard !o1, !o2 else { throw NPY.failure("shape dimension is too large") }
                value = sum
                digits += 1
                position += 1
            }
            guard digits > 0 else { throw error("expected digits") }
            // Python 2 numpy wrote longs as `3L`.
            if peek() == "L" { position += 1 }
            return negative ? -value : value
        }

        private func peek() -> Unicode.Scalar? {
            position < chars.count ? chars[position] : nil
        }

        private mutating func consume(word: String) -> Bool {
            let scalars = Array(word.unicodeScalars)
            guard position + scalars.count <= chars.count,
                  Array(chars[position..<(position + scalars.count)]) == scalars else { return false }
            position += scalars.count
            return true
        }

        private mutating func skipSpace() {
            while let c = peek(), c == " " || c == "\n" || c == "\t" || c == "\r" { position += 1 }
        }

        private func error(_ what: String) -> DiffWaveError {
            NPY.failure("malformed header: \(what) at character \(position)")
        }
    }
}
