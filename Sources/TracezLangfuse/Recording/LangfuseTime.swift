import Foundation

/// ISO-8601 times with milliseconds and `Z`, as Langfuse wants them: `2026-11-24T00:28:00.936Z`.
///
/// Formatted by hand from the Unix time: benchmark "Langfuse ingestion JSON encode, generation
/// (per event)" found `Date.formatted(.iso8601…)` costing far more than the rest of an event.
enum LangfuseTime {
    static func iso8601(_ date: Date) -> String {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        return iso8601(milliseconds: Int64(clamping: Int64(exactly: milliseconds) ?? 0))
    }

    static func iso8601(nanoseconds: UInt64) -> String {
        iso8601(milliseconds: Int64(nanoseconds / 1_000_000))
    }

    /// Civil date from days since 1970-01-01 (Howard Hinnant's algorithm), proleptic Gregorian, UTC.
    static func iso8601(milliseconds: Int64) -> String {
        let days = milliseconds >= 0 ? milliseconds / 86_400_000 : (milliseconds - 86_399_999) / 86_400_000
        let inDay = milliseconds - days * 86_400_000
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        func pad(_ value: Int64, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(inDay / 3_600_000, 2)):\(pad(inDay / 60_000 % 60, 2)):"
            + "\(pad(inDay / 1000 % 60, 2)).\(pad(inDay % 1000, 3))Z"
    }
}
