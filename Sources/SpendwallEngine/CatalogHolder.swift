import SpendwallCore
import Synchronization

/// The price catalog in force, swappable at run time (`prices import`, config reload).
public final class CatalogHolder: Sendable {
    private let storage: Mutex<PriceCatalog>

    public init(_ catalog: PriceCatalog) {
        self.storage = Mutex(catalog)
    }

    /// The catalog now in force.
    public var current: PriceCatalog { storage.withLock { $0 } }

    /// Replaces the catalog.
    public func replace(with catalog: PriceCatalog) {
        storage.withLock { $0 = catalog }
    }
}
