// TracezOTLPGRPC re-exports TracezOTLP: an exporter is built with TracezOTLP's types
// (`OTLPResource`, `OTLPInstrumentationScope`, `HTTPEndpoint`), so `import TracezOTLPGRPC` alone
// is enough to configure one.
@_exported import TracezOTLP
