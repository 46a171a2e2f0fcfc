/// A command failure with the exit code it maps to.
struct CLIError: Error, CustomStringConvertible {
    enum ExitCode: Int32 {
        case failure = 1
        case usage = 2
        case notFound = 3
        case unreachable = 4
        case configuration = 5
        case refused = 6
    }

    var message: String
    var exitCode: ExitCode

    init(_ message: String, exitCode: ExitCode = .failure) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}
