import PlatformSupport

/// The discrete Fourier transform of a real sequence whose length is a power of two (4...65,536), by a radix-2
/// complex FFT of half the length (even samples as real parts, odd samples as imaginary parts) and the usual split
/// step. Gives the `length / 2 + 1` non-negative-frequency bins `X[k] = sum_n x[n] exp(-2 pi i k n / length)`
/// (no scaling). Computed in Double. Shorter inputs are zero-padded at the end.
public struct RealFFT: Sendable {
  /// The transform length (a power of two, 4...65,536).
  public let length: Int
  /// `cos` and `sin` of `2 pi k / length` for k in 0..<length/2.
  let cosines: [Double]
  let sines: [Double]
  /// The bit-reversal permutation of `length / 2` indices.
  let reversed: [Int]

  /// Creates a transform of `length` points; throws `AudioFeaturesError` unless it is a power of two in 4...65,536.
  public init(length: Int) throws {
    guard length >= 4, length <= 65_536, length & (length - 1) == 0 else {
      throw AudioFeaturesError("length", "must be a power of two in 4...65536, got \(length)")
    }
    self.length = length
    let half = length / 2
    cosines = (0..<half).map { LibM.cos(2 * Double.pi * Double($0) / Double(length)) }
    sines = (0..<half).map { LibM.sin(2 * Double.pi * Double($0) / Double(length)) }
    var bits = 0
    while 1 << bits < half { bits += 1 }
    reversed = (0..<half).map { i in
      var r = 0
      for b in 0..<bits where i & (1 << b) != 0 { r |= 1 << (bits - 1 - b) }
      return r
    }
  }

  /// The number of output bins, `length / 2 + 1`.
  public var binCount: Int { length / 2 + 1 }

  /// The `length / 2 + 1` bins of the transform of `input` (at most `length` values; zero-padded to `length`).
  /// Throws `AudioFeaturesError` when `input` is longer than `length`.
  public func transform(_ input: [Double]) throws -> (real: [Double], imaginary: [Double]) {
    guard input.count <= length else {
      throw AudioFeaturesError("input", "has \(input.count) samples, more than the transform length \(length)")
    }
    let half = length / 2
    var re = [Double](repeating: 0, count: half), im = [Double](repeating: 0, count: half)
    for m in 0..<half {
      let j = reversed[m]
      re[j] = 2 * m < input.count ? input[2 * m] : 0
      im[j] = 2 * m + 1 < input.count ? input[2 * m + 1] : 0
    }
    // Iterative radix-2 butterflies on z = even + i odd, length half; twiddle exp(-2 pi i k / size) taken from the
    // length-`length` tables at stride `length / size`.
    var size = 2
    while size <= half {
      let step = length / size
      let h = size / 2
      var start = 0
      while start < half {
        for k in 0..<h {
          let c = cosines[k * step], s = sines[k * step]
          let a = start + k, b = a + h
          let tr = re[b] * c + im[b] * s
          let ti = im[b] * c - re[b] * s
          re[b] = re[a] - tr
          im[b] = im[a] - ti
          re[a] += tr
          im[a] += ti
        }
        start += size
      }
      size *= 2
    }
    // Split: X[k] = E[k] + exp(-2 pi i k / length) O[k], E[k] = (Z[k] + conj Z[half-k]) / 2,
    // O[k] = (Z[k] - conj Z[half-k]) / (2i), with Z[half] = Z[0].
    var outRe = [Double](repeating: 0, count: half + 1), outIm = [Double](repeating: 0, count: half + 1)
    for k in 0...half {
      let a = k == half ? 0 : k
      let b = k == 0 ? 0 : half - k
      let zr = re[a], zi = im[a], wr = re[b], wi = -im[b]  // w = conj Z[half - k]
      let er = (zr + wr) / 2, ei = (zi + wi) / 2
      // (Z - conj Z') / (2i) = (dr + i di) / (2i) = (di - i dr) / 2
      let dr = zr - wr, di = zi - wi
      let orr = di / 2, oi = -dr / 2
      let c = k == half ? -1.0 : cosines[k], s = k == half ? 0.0 : sines[k]
      // exp(-i theta) * O = (c - i s)(orr + i oi)
      outRe[k] = er + c * orr + s * oi
      outIm[k] = ei + c * oi - s * orr
    }
    return (outRe, outIm)
  }

  /// The magnitudes `|X[k]|` of the `length / 2 + 1` bins.
  public func magnitudes(_ input: [Double]) throws -> [Double] {
    let (re, im) = try transform(input)
    return zip(re, im).map { ($0 * $0 + $1 * $1).squareRoot() }
  }
}
