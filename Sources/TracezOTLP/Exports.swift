// TracezOTLP re-exports TracezHTTP: its public API takes TracezHTTP's types
// (`OTLPExporterConfiguration.endpoint` is an ``HTTPEndpoint``, `OTLPHTTPExporter(transport:)` an
// ``HTTPTransport``), so a user who configures an exporter with `import TracezOTLP` alone can
// still name them, as they could before the HTTP layer had a module of its own.
@_exported import TracezHTTP
