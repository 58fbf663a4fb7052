// TracezBootstrap re-exports Tracez: a program that bootstraps with it names the tracer, its
// configuration and its statistics with `import TracezBootstrap` alone.
@_exported import Tracez
