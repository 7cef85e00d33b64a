import FixedPointArithmetic

/// Deriving b-bit weight codes from the 16-bit masters, fast: what a workspace does on a change of operating point
/// (`MultiPrecisionPlan`) and what `IntegerPlan` does once when it is prepared.
enum MultiPrecisionDerivation {
  /// `codes.map { MasterPrecision.derive($0, toBitWidth: bits, windowShift: windowShift) }`, bit for bit (tested
  /// exhaustively), written branch-free in Int32 so that it vectorizes.
  ///
  /// Same clamps as `MasterPrecision.derive`: `bits` into 2...16, `windowShift` into 0...(16 - bits), so the shift
  /// is in 0...14. Headroom: |code| <= 2^15, so every intermediate value fits in Int32.
  /// Per-channel weight formats: output channel c's codes (the c-th of `channelWindowShifts.count` equal contiguous
  /// runs of `codes`) derived with `channelWindowShifts[c]`, each run exactly as `derive(_:toBitWidth:windowShift:)`.
  static func derive(_ codes: [Int16], toBitWidth bits: Int, channelWindowShifts: [Int]) -> [Int16] {
    let length = codes.count / max(channelWindowShifts.count, 1)
    var result: [Int16] = []
    result.reserveCapacity(codes.count)
    for (c, shift) in channelWindowShifts.enumerated() {
      result += derive(Array(codes[(c * length)..<((c + 1) * length)]), toBitWidth: bits, windowShift: shift)
    }
    return result
  }

  static func derive(_ codes: [Int16], toBitWidth bits: Int, windowShift: Int) -> [Int16] {
    let width = min(max(bits, 2), 16)
    let window = min(max(windowShift, 0), 16 - width)
    let shift = Int32(16 - width - window)
    let low = -(Int32(1) << Int32(width - 1)), high = (Int32(1) << Int32(width - 1)) - 1
    if shift == 0 && width == 16 { return codes }
    return [Int16](unsafeUninitializedCapacity: codes.count) { out, count in
      codes.withUnsafeBufferPointer { input in
        if shift == 0 {
          for j in 0..<input.count {
            var v = Int32(input[j])
            v = v < low ? low : v
            v = v > high ? high : v
            out[j] = Int16(truncatingIfNeeded: v)
          }
        } else {
          let mask = (Int32(1) << shift) &- 1, half = Int32(1) << (shift - 1)
          for j in 0..<input.count {
            let v = Int32(input[j])
            var q = v >> shift                       // floor
            let r = v & mask                         // remainder in [0, 2^shift)
            let above: Int32 = r > half ? 1 : 0
            let tie: Int32 = r == half ? 1 : 0
            q = q &+ (above | (tie & q & 1))         // ties to even; |q| <= 2^15
            q = q < low ? low : q
            q = q > high ? high : q
            out[j] = Int16(truncatingIfNeeded: q)
          }
        }
      }
      count = codes.count
    }
  }
}
