import PlatformSupport

/// Runs the two shards (halves) of a mini-batch: one after the other on one thread, or concurrently on two.
///
/// The work partition is always the same two halves, and every cross-shard reduction adds shard 0 then shard 1,
/// so the thread count changes only the wall time, never a single bit of the results. The threads come from
/// `ParallelMap` (PlatformSupport).
enum ShardExecution {
  /// Number of shards a mini-batch is split into.
  static let shardCount = 2

  /// Calls `body(0)` and `body(1)`; concurrently when `threads >= 2`.
  static func run(threads: Int, _ body: @Sendable (Int) -> Void) {
    ParallelMap.forEach(count: shardCount, threads: threads >= 2 ? shardCount : 1, body)
  }
}
