import Dispatch

/// Runs independent pieces of work on several threads and returns their results in order.
///
/// Race-free by construction: a piece can only return a value; each result is written once, by the thread that
/// computed it, into its own slot, and read only after every piece has finished. The work partition is the
/// caller's (pieces are numbered `0..<count`), so results never depend on the thread count or on which piece
/// finishes first; only the wall time does.
public enum ParallelMap {
  /// `body(0) ..< body(count)`, on up to `threads` threads at once (1: in order on the calling thread).
  ///
  /// - Throws: the error of the lowest-numbered piece that threw, after every piece has finished.
  public static func map<Result: Sendable>(count: Int, threads: Int,
                                           _ body: @Sendable (Int) throws -> Result) throws -> [Result] {
    guard count > 0 else { return [] }
    if threads <= 1 || count == 1 { return try (0..<count).map(body) }
    let slots = ResultSlots<Result>(count: count)
    let workers = min(threads, count)
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      // Worker w takes pieces w, w + workers, w + 2 * workers, ...: a fixed assignment.
      var piece = worker
      while piece < count {
        slots.store(Swift.Result { try body(piece) }, at: piece)
        piece += workers
      }
    }
    return try slots.results().map { try $0.get() }
  }

  /// `map` for pieces that cannot throw.
  public static func map<Result: Sendable>(count: Int, threads: Int,
                                           _ body: @Sendable (Int) -> Result) -> [Result] {
    // `try!` cannot fire: the body does not throw.
    try! map(count: count, threads: threads, { (piece: Int) throws -> Result in body(piece) })
  }

  /// Calls `body(piece)` for every piece in `0..<count`, on up to `threads` threads at once, and returns when all
  /// have finished. Each piece must write only memory that no other piece touches.
  public static func forEach(count: Int, threads: Int, _ body: @Sendable (Int) -> Void) {
    _ = map(count: count, threads: threads, body)
  }
}

/// One slot per piece, each written exactly once by the thread that computed it (distinct indices, so no two
/// threads touch the same memory) and read after `concurrentPerform` has returned, which orders every write
/// before the reads. This is the only unchecked-Sendable type of the helper.
private final class ResultSlots<Value: Sendable>: @unchecked Sendable {
  private let storage: UnsafeMutablePointer<Result<Value, any Error>?>
  private let count: Int

  init(count: Int) {
    self.count = count
    storage = .allocate(capacity: count)
    storage.initialize(repeating: nil, count: count)
  }

  deinit {
    storage.deinitialize(count: count)
    storage.deallocate()
  }

  func store(_ result: Result<Value, any Error>, at index: Int) { storage[index] = result }

  /// Every slot's result, in order (all are filled when `map` calls this).
  func results() -> [Result<Value, any Error>] { (0..<count).map { storage[$0]! } }
}
