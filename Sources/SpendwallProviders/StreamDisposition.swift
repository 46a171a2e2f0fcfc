/// What the gateway should do with an observed stream event.
public enum StreamDisposition: Sendable, Hashable {
    /// Send the event's bytes to the client.
    case forward
    /// Swallow the event: it exists only because the gateway asked for it (the OpenAI usage chunk
    /// the client did not request).
    case drop
}
