// The loop that `run()` runs: it serves the mailbox, one message at a time.
//
// Thread-safety: one task runs the loop, the one in `run()`. Other tasks reach it only
// through the mailbox.

extension ExportPipeline {
    /// Serves messages until shutdown has finished or `run()` is cancelled.
    func serveMailbox() async {
        for await message in mailbox.messages {
            mailbox.read(message)
            switch message {
            case .tick, .batchReady, .flush:
                await exportPending()
            case .shutdown(let deadline, let continuation):
                beginShutdown(deadline: deadline)
                if case .timedOut = await withDeadline(deadline, clock: clock, { await self.finish(deadline: deadline) }) {
                    abandon()
                }
                phase.withLock { $0 = .finished }
                continuation?.resume()
                drainLeftoverMessages()
                return
            }
        }
        // Cancelled: stop now, leaving records pending for a later shutdown.
        phase.withLock { if case .running = $0 { $0 = .cancelled } }
        drainLeftoverMessages()
    }

    /// Resumes anyone still waiting on a shutdown after the loop has stopped.
    private func drainLeftoverMessages() {
        mailbox.close()
        Task { [mailbox] in
            for await message in mailbox.messages {
                if case .shutdown(_, let continuation) = message {
                    continuation?.resume()
                }
            }
        }
    }
}
