/// Typed reads of scanned members, with errors that name the field.
struct PeekFields {
    let bytes: UnsafeRawBufferPointer
    let members: [JSONMember]
    var prefix = ""

    /// The one member with any of `names`; nil when absent. More than one is an error, since
    /// providers differ in which duplicate they apply.
    func member(_ names: [String]) throws(ProviderError) -> JSONMember? {
        var found: JSONMember?
        for member in members where names.contains(member.key) {
            guard found == nil else {
                throw .invalidRequest("`\(prefix)\(member.key)` is given more than once.", field: prefix + member.key)
            }
            found = member
        }
        return found
    }

    func requiredModel() throws(ProviderError) -> String {
        guard let member = try member(["model"]) else {
            throw .invalidRequest("`model` is required.", field: "model")
        }
        guard member.kind == .string else { throw typeError(member, expected: "a string") }
        let content = member.valueRange.lowerBound + 1..<member.valueRange.upperBound - 1
        let model = JSONText.unescape(bytes, content)
        guard !model.isEmpty else { throw .invalidRequest("`model` must not be empty.", field: "model") }
        return model
    }

    /// A boolean, or nil when absent or null.
    func bool(_ names: [String]) throws(ProviderError) -> Bool? {
        guard let member = try member(names), member.kind != .null else { return nil }
        guard member.kind == .bool else { throw typeError(member, expected: "a boolean") }
        return bytes[member.valueRange.lowerBound] == UInt8(ascii: "t")
    }

    /// A string, unescaped, or nil when absent or null.
    func string(_ names: [String]) throws(ProviderError) -> String? {
        guard let member = try member(names), member.kind != .null else { return nil }
        guard member.kind == .string else { throw typeError(member, expected: "a string") }
        return JSONText.unescape(bytes, member.valueRange.lowerBound + 1..<member.valueRange.upperBound - 1)
    }

    /// A positive integer, or nil when absent or null.
    func cap(_ names: [String]) throws(ProviderError) -> Int64? {
        guard let member = try member(names), member.kind != .null else { return nil }
        guard member.kind == .integer else { throw typeError(member, expected: "an integer") }
        let value = JSONText.int64(bytes, member.valueRange)
        guard value >= 1 else {
            throw .invalidRequest("`\(prefix)\(member.key)` must be at least 1.", field: prefix + member.key)
        }
        return value
    }

    /// A choice count in 1...maximumChoices, or nil when absent or null.
    func choices(_ names: [String]) throws(ProviderError) -> Int64? {
        guard let value = try cap(names) else { return nil }
        guard value <= RequestPeeker.maximumChoices else {
            let name = (try? member(names))??.key ?? names[0]
            throw .invalidRequest("`\(prefix)\(name)` must be at most \(RequestPeeker.maximumChoices).", field: prefix + name)
        }
        return value
    }

    /// An object member, or nil when absent or null.
    func object(_ names: [String]) throws(ProviderError) -> JSONMember? {
        guard let member = try member(names), member.kind != .null else { return nil }
        guard member.kind == .object else { throw typeError(member, expected: "an object") }
        return member
    }

    /// The element count of an array member; 1 for a string, 0 when absent or null.
    /// Other types are left for the provider to reject.
    func count(_ names: [String]) throws(ProviderError) -> Int {
        guard let member = try member(names) else { return 0 }
        switch member.kind {
        case .array: return member.elementCount
        case .string, .object: return 1
        default: return 0
        }
    }

    private func typeError(_ member: JSONMember, expected: String) -> ProviderError {
        .invalidRequest("`\(prefix)\(member.key)` must be \(expected), not \(member.kind.name).", field: prefix + member.key)
    }
}
