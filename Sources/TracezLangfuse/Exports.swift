// TracezLangfuse re-exports TracezHTTP: its public API takes TracezHTTP's types
// (`LangfuseConfiguration.baseURL` is an ``HTTPEndpoint``, `LangfuseExporter(transport:)` an
// ``HTTPTransport``), so a user who configures an exporter with `import TracezLangfuse` alone can
// still name them, as they could before the HTTP layer had a module of its own.
@_exported import TracezHTTP
