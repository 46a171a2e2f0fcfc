public import Hummingbird
import NIOCore

/// The request context of the simulator's router: Hummingbird's basics plus the connection, so a
/// `hang` fault can notice when the client goes away.
public struct SimulatorRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The connection the request arrived on.
    let channel: any Channel

    /// Creates the context for one request.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
