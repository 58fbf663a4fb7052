import Logging
import Tracez

// What the samples of README.md and Docs/ use without declaring it: the reader's own code,
// declared here only so that the samples compile. Nothing in this target runs.

/// The tracer a sample records into, set up the way the document's first sample shows.
let tracer = Tracer(configuration: TracerConfiguration(serviceName: "checkout"))

let logger = Logger(label: "doc-samples")

/// A collector a sample names (`main`, `flightRecorder`), built as the document builds it.
func collector(_ name: String, overflow: OverflowPolicy = .dropNewest) -> Collector {
    do {
        return try Collector(configuration: CollectorConfiguration(name: name, capacity: 1024, overflow: overflow))
    } catch {
        preconditionFailure("a valid collector configuration was refused: \(error)")
    }
}

/// An export pipeline a sample names (`mainPipeline`).
func pipeline(_ name: String) -> ExportPipeline {
    do {
        return try ExportPipeline(collector: collector(name), exporter: StdoutExporter())
    } catch {
        preconditionFailure("a valid pipeline was refused: \(error)")
    }
}
