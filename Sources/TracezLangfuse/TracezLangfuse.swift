/// Tracez's Langfuse exporter: the Langfuse observation model on top of Tracez spans.
@_exported import Tracez
