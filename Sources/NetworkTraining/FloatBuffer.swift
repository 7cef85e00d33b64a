/// A zero-initialized, fixed-size Float allocation shared by reference (scratch, activations, parameters).
///
/// Concurrency contract: during a parallel phase each shard writes only its own buffers; shared buffers
/// (parameters, derived weights, batch statistics) are written only between phases, on the calling thread.
final class FloatBuffer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Float>
  let count: Int

  init(count: Int) {
    self.count = max(count, 1)
    pointer = .allocate(capacity: self.count)
    pointer.initialize(repeating: 0, count: self.count)
  }

  convenience init(_ values: [Float]) {
    self.init(count: values.count)
    values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: values.count) }
  }

  deinit { pointer.deallocate() }

  var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

  func zero() { pointer.update(repeating: 0, count: count) }
}

/// A zero-initialized Double allocation (per-channel statistics).
final class DoubleBuffer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Double>
  let count: Int

  init(count: Int) {
    self.count = max(count, 1)
    pointer = .allocate(capacity: self.count)
    pointer.initialize(repeating: 0, count: self.count)
  }

  deinit { pointer.deallocate() }

  func zero() { pointer.update(repeating: 0, count: count) }
}

/// An Int32 allocation (max-pool argmax offsets).
final class IndexBuffer: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<Int32>
  let count: Int

  init(count: Int) {
    self.count = max(count, 1)
    pointer = .allocate(capacity: self.count)
    pointer.initialize(repeating: -1, count: self.count)
  }

  deinit { pointer.deallocate() }
}

@inline(__always) func roundUp(_ value: Int, toMultipleOf m: Int) -> Int { (value + m - 1) / m * m }
