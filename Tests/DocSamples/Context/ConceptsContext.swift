import Tracez

// The collectors and pipelines Docs/Concepts.md names before, or after, the sample that uses them.

let main = collector("main")
let flightRecorder = collector("flight-recorder", overflow: .overwriteOldest)
let mainPipeline = pipeline("main")
let errorsPipeline = pipeline("errors")
