/// Runs one piece of work per worker, possibly at the same time, and returns when all have finished.
///
/// The precision evaluator splits the images of every chunk into `workerCount` fixed, contiguous parts and adds
/// the integer counts of the parts afterwards, so the results never depend on the number of workers or on which
/// one finishes first; only the wall time does. This module imports no threading library: the command-line tool
/// provides a pool backed by Dispatch (`DispatchQueue.concurrentPerform`), tests may use any pool.
public protocol WorkerPool: Sendable {
  /// The number of workers (at least 1).
  var workerCount: Int { get }
  /// Calls `body(worker)` once for every worker in `0..<workerCount`, possibly concurrently, and returns when
  /// every call has returned.
  func run(_ body: @Sendable (Int) -> Void)
}

/// A pool of one worker that runs the work on the calling thread.
public struct SerialWorkerPool: WorkerPool {
  /// Creates the pool.
  public init() {}
  /// Always 1.
  public var workerCount: Int { 1 }
  /// Calls `body(0)`.
  public func run(_ body: @Sendable (Int) -> Void) { body(0) }
}
