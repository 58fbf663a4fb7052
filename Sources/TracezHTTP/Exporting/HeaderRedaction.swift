import Foundation
import Tracez

/// Replaces the values of request headers (keys, tokens) in text a backend sent back with
/// `[redacted]`: a backend that echoes a header into its answer must not put a secret into
/// an export error or a log line.
///
/// Values shorter than four characters are left alone: they would mangle every text and
/// protect nothing.
package struct HeaderRedaction: Sendable {
    private let values: [String]

    package init(_ headers: [(name: String, value: String)]) {
        values = headers.map(\.value).filter { $0.count >= 4 }
    }

    package func clean(_ text: String) -> String {
        values.reduce(text) { text, value in text.replacingOccurrences(of: value, with: "[redacted]") }
    }

    package func clean(_ error: ExportError) -> ExportError {
        error.replacingReason { clean($0) }
    }
}
