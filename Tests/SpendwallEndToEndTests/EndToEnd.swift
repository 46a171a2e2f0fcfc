import Testing

/// Every end-to-end suite nests in this one, so that the child gateways never run side by side
/// (the machine has 2 cores, and timings matter in the crash and streaming tests).
@Suite(.serialized, .timeLimit(.minutes(2)))
enum EndToEnd {}
