import Dispatch

/// Runs the two shards (halves) of a mini-batch: one after the other on one thread, or concurrently on two.
///
/// The work partition is always the same two halves, and every cross-shard reduction adds shard 0 then shard 1,
/// so the thread count changes only the wall time, never a single bit of the results. This is the only file of
/// the module that imports Dispatch.
enum ShardExecution {
  /// Number of shards a mini-batch is split into.
  static let shardCount = 2

  /// Calls `body(0)` and `body(1)`; concurrently when `threads >= 2`.
  static func run(threads: Int, _ body: @Sendable (Int) -> Void) {
    if threads >= 2 {
      DispatchQueue.concurrentPerform(iterations: shardCount) { shard in body(shard) }
    } else {
      for shard in 0..<shardCount { body(shard) }
    }
  }
}
