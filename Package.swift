// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "spendwall",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "spendwall", targets: ["spendwall"]),
        .executable(name: "spendwall-fake-engine", targets: ["SpendwallFakeEngine"]),
        .library(name: "SpendwallCore", targets: ["SpendwallCore"]),
        .library(name: "Spendwall", targets: ["Spendwall"]),
        .executable(name: "spendwall-example", targets: ["SpendwallExample"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-openapi-runtime.git", from: "1.13.4"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        // OTLP/HTTP only: the default traits would also build gRPC.
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // Pure domain: standard library only.
        .target(name: "SpendwallCore", swiftSettings: strict),
        // Wire formats of the provider APIs; no networking.
        .target(
            name: "SpendwallProviders",
            dependencies: ["SpendwallCore", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        // The bundled LiteLLM price data and its loader.
        .target(
            name: "SpendwallCatalog",
            dependencies: ["SpendwallCore"],
            resources: [
                .copy("Resources/litellm-prices.json"), .copy("Resources/gpu-prices.csv"), .copy("Resources/gpu-models.csv"),
            ],
            swiftSettings: strict
        ),
        // Reads an inference engine's Prometheus metrics and prices what it served (`spendwall measure`).
        .target(name: "SpendwallMeasure", dependencies: ["SpendwallCore"], swiftSettings: strict),
        .target(
            name: "SpendwallStorage",
            dependencies: ["SpendwallCore"],
            swiftSettings: strict
        ),
        .target(
            name: "SpendwallSQLite",
            dependencies: [
                "SpendwallCore", "SpendwallStorage",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        // The PostgreSQL store, for gateway replicas sharing one database.
        .target(
            name: "SpendwallPostgres",
            dependencies: [
                "SpendwallCore", "SpendwallStorage",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SpendwallEngine",
            dependencies: [
                "SpendwallCore", "SpendwallStorage", "SpendwallCatalog",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The built-in simulated provider: speaks the three dialects, for demo, tests and benchmarks.
        .target(
            name: "SpendwallSimulator",
            dependencies: [
                "SpendwallCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SpendwallServer",
            dependencies: [
                "SpendwallCore", "SpendwallProviders", "SpendwallStorage", "SpendwallEngine", "SpendwallCatalog",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "SpendwallCLI",
            dependencies: [
                "SpendwallCore", "SpendwallProviders", "SpendwallStorage", "SpendwallSQLite", "SpendwallPostgres", "SpendwallEngine",
                "SpendwallServer", "SpendwallCatalog", "SpendwallSimulator", "SpendwallMeasure",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The SDK for Swift apps that call providers directly: budgets in process, or a gateway's.
        .target(
            name: "Spendwall",
            dependencies: [
                "SpendwallCore", "SpendwallProviders", "SpendwallCatalog",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
            ],
            swiftSettings: strict
        ),
        // The SDK's quickstart, runnable: `swift run spendwall-example` (see Examples/QuickStart).
        .executableTarget(
            name: "SpendwallExample",
            dependencies: ["Spendwall"],
            path: "Examples/QuickStart",
            swiftSettings: strict
        ),
        // Test support: a stand-in for vLLM (OpenAI API, /metrics, a child process), for tests without a GPU.
        .executableTarget(
            name: "SpendwallFakeEngine",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "spendwall",
            dependencies: [
                "SpendwallCLI", "SpendwallServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),

        .testTarget(
            name: "SpendwallCoreTests",
            dependencies: ["SpendwallCore", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SpendwallProvidersTests",
            dependencies: ["SpendwallProviders", .product(name: "PropertyBased", package: "swift-property-based")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SpendwallMeasureTests",
            dependencies: ["SpendwallMeasure", "SpendwallCore"],
            resources: [.copy("Fixtures")],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SpendwallSDKTests",
            dependencies: [
                "Spendwall", "SpendwallCore", "SpendwallSimulator",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SpendwallCatalogTests",
            dependencies: ["SpendwallCatalog", "SpendwallCore"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SpendwallSQLiteTests",
            dependencies: [
                "SpendwallSQLite", "SpendwallPostgres", "SpendwallStorage", "SpendwallCore",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SpendwallEngineTests",
            dependencies: ["SpendwallEngine", "SpendwallStorage", "SpendwallCore", "SpendwallCatalog"],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SpendwallSimulatorTests",
            dependencies: [
                "SpendwallSimulator", "SpendwallCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SpendwallServerTests",
            dependencies: [
                "SpendwallServer",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "SpendwallEndToEndTests",
            dependencies: [
                "SpendwallCore", "Spendwall",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)
