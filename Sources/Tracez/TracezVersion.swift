/// The library's version, reported as the instrumentation scope version.
public enum TracezVersion {
    /// The version of this release, as `major.minor.patch`.
    public static let current = "0.1.0"
}
