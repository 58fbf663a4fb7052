#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback TCP port held while nothing listens on it: a socket bound to the port and never
/// listening, so a client that connects is refused, exactly as by a stopped server, and nothing
/// else (another test's server on an ephemeral port, a client's outgoing connection) can take
/// the port meanwhile.
///
/// Without it, a ``TestBackend`` that is down for a few seconds frees its port, and in a busy
/// test run another test's server may be given that port: the clients of the stopped backend
/// then talk to a server that answers something else, and the test fails for no fault of the
/// code under test.
///
/// The socket has `SO_REUSEADDR`, as the backend's listening socket does, so the backend can
/// bind the port again while the reservation still holds it (Linux allows it while neither
/// socket listens); the reservation is released once the backend listens.
///
/// Thread-safety: immutable; the socket is closed once, when the last reference goes.
final class PortReservation: Sendable {
    private let descriptor: Int32

    /// Binds 127.0.0.1:`port`, or returns nil if the port cannot be held (then the caller
    /// goes on without a reservation, as before).
    init?(port: Int) {
        #if canImport(Darwin)
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #else
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #endif
        guard descriptor >= 0 else { return nil }
        var yes: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(UInt32(0x7F00_0001).bigEndian)
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(descriptor)
            return nil
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }
}
