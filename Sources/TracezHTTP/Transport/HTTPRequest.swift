/// One HTTP request, body included.
public struct HTTPRequest: Sendable {
    public var method: String
    public var endpoint: HTTPEndpoint
    /// Header names and values, in order. Values may be secrets: never log them.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]
    public var timeout: Duration

    public init(
        method: String = "POST", endpoint: HTTPEndpoint, headers: [(name: String, value: String)] = [], body: [UInt8] = [], timeout: Duration = .seconds(10)
    ) {
        self.method = method
        self.endpoint = endpoint
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}
