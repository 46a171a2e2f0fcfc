/// The quantities Spendwall needs from one scrape, reduced from its ``MetricSet`` so a window
/// keeps only a few numbers per scrape.
struct EngineReading: Sendable {
    /// A chosen histogram family and its snapshot.
    struct NamedHistogram: Sendable {
        var family: String
        var snapshot: HistogramSnapshot
    }

    var time: Duration
    var engine: InferenceEngine
    var promptTokens: Double?
    var generationTokens: Double?
    var runningRequests: Double?
    var timeToFirstToken: NamedHistogram?
    var timePerOutputToken: NamedHistogram?
    /// Every series that must never decrease (token counters, histogram buckets, counts, sums),
    /// keyed `name{labels}`.
    var monotonicSeries: [String: Double]
    /// Values that stay fixed for the life of an engine process, keyed by what they are.
    var restartMarkers: [String: String]

    init(metrics: MetricSet, at time: Duration) throws(MeasureError) {
        guard let engine = InferenceEngine.detect(in: metrics) else {
            throw MeasureError(.noKnownEngine, "the scrape has no vLLM (vllm:*), SGLang (sglang:*) or TGI (tgi_*) metrics")
        }
        let names = engine.metricNames
        self.time = time
        self.engine = engine
        promptTokens = metrics.sum(names.promptTokens.seriesName)
        generationTokens = metrics.sum(names.generationTokens.seriesName)
        runningRequests = metrics.sum(names.runningRequests)
        timeToFirstToken = Self.firstHistogram(names.timeToFirstToken, in: metrics)
        timePerOutputToken = Self.firstHistogram(names.timePerOutputToken, in: metrics)

        var families: [String] = names.timeToFirstToken + names.timePerOutputToken
        var counters: [String] = []
        for source in [names.promptTokens, names.generationTokens] {
            switch source {
            case .counter(let name): counters.append(name)
            case .histogramSum(let family): families.append(family)
            }
        }
        var series: [String: Double] = [:]
        var markers: [String: String] = [:]
        func track(_ name: String) {
            for sample in metrics.samples(named: name) where !sample.value.isNaN {
                series[name + "{" + sample.labelKey + "}"] = sample.value
            }
        }
        func mark(_ name: String) {
            for sample in metrics.samples(named: name) {
                markers[name + "{" + sample.labelKey + "}"] = String(sample.value)
            }
        }
        for counter in counters {
            track(counter)
            // prometheus_client publishes `<name>_created` beside `<name>_total`: a new value means a new process.
            mark(counter.hasSuffix("_total") ? String(counter.dropLast(6)) + "_created" : counter + "_created")
        }
        for family in families {
            track(family + "_bucket")
            track(family + "_count")
            track(family + "_sum")
            mark(family + "_created")
        }
        mark("process_start_time_seconds")
        if let info = names.configInfo, metrics.contains(info) {
            markers[info] = metrics.samples(named: info).map(\.labelKey).sorted().joined(separator: " | ")
        }
        monotonicSeries = series
        restartMarkers = markers
    }

    private static func firstHistogram(_ families: [String], in metrics: MetricSet) -> NamedHistogram? {
        for family in families {
            if let snapshot = HistogramSnapshot(family: family, in: metrics) {
                return NamedHistogram(family: family, snapshot: snapshot)
            }
        }
        return nil
    }

    /// Refuses `self` as the scrape after `previous`: another engine, time not moving forward,
    /// a restart marker that changed, or a tracked series that went down.
    func validate(after previous: EngineReading) throws(MeasureError) {
        guard engine == previous.engine else {
            throw MeasureError(.engineChanged, "the endpoint changed from \(previous.engine.rawValue) to \(engine.rawValue) metrics during the window")
        }
        guard time > previous.time else {
            throw MeasureError(.timeNotIncreasing, "scrape times must increase (got \(time) after \(previous.time))")
        }
        for key in restartMarkers.keys.sorted() {
            if let before = previous.restartMarkers[key], before != restartMarkers[key] {
                throw MeasureError(.engineRestarted, "the engine restarted during the window (\(key) changed); measure again")
            }
        }
        for key in monotonicSeries.keys.sorted() {
            if let before = previous.monotonicSeries[key], let now = monotonicSeries[key], now < before {
                throw MeasureError(.counterReset, "counter reset: \(key) fell from \(before) to \(now); the engine likely restarted, measure again")
            }
        }
    }
}
