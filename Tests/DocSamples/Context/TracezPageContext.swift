import Tracez
import TracezPage

// The reader's own code in Docs/TracezPage.md.

/// The page the document's first sample makes.
let page: TracezPage = {
    do {
        return try TracezPage(pipelines: [pipeline("otlp")])
    } catch {
        preconditionFailure("a valid page configuration was refused: \(error)")
    }
}()
