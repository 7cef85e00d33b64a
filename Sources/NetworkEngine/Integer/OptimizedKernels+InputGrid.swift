import CKernels

/// A scalar the optimized kernels take input codes into: the GEMM scalars and the depthwise lanes. Every derived
/// code is an Int16, exactly representable in each of them.
protocol DerivedCodeScalar: Numeric {
  /// Conversion from a code (exact).
  init(code: Int16)
  /// `pixels` pixels of `channels` codes, each derived with `rounding` (`Int32RoundingShift.apply`) and converted,
  /// written `outputStride` scalars apart, the `outputStride - channels` scalars after each pixel's codes set to
  /// zero (`precsearch_derive_f32` / `_f64`; a loop for the integer scalars).
  static func derive(_ codes: UnsafePointer<Int16>, pixels: Int, channels: Int, outputStride: Int,
                     rounding: Int32RoundingShift, into output: UnsafeMutablePointer<Self>)
}

extension Float: DerivedCodeScalar {
  static func derive(_ codes: UnsafePointer<Int16>, pixels: Int, channels: Int, outputStride: Int,
                     rounding r: Int32RoundingShift, into output: UnsafeMutablePointer<Float>) {
    precsearch_derive_f32(codes, Int64(pixels), Int64(channels), Int64(outputStride), r.shift, r.low, r.high, output)
  }
}

extension Double: DerivedCodeScalar {
  static func derive(_ codes: UnsafePointer<Int16>, pixels: Int, channels: Int, outputStride: Int,
                     rounding r: Int32RoundingShift, into output: UnsafeMutablePointer<Double>) {
    precsearch_derive_f64(codes, Int64(pixels), Int64(channels), Int64(outputStride), r.shift, r.low, r.high, output)
  }
}

/// The integer scalars' derivation, element by element.
extension DerivedCodeScalar where Self: FixedWidthInteger {
  static func derive(_ codes: UnsafePointer<Int16>, pixels: Int, channels: Int, outputStride: Int,
                     rounding r: Int32RoundingShift, into output: UnsafeMutablePointer<Self>) {
    for pixel in 0..<pixels {
      for i in 0..<channels { output[pixel * outputStride + i] = Self(r.apply(Int32(codes[pixel * channels + i]))) }
      for i in channels..<Swift.max(channels, outputStride) { output[pixel * outputStride + i] = 0 }
    }
  }
}

extension Int32: DerivedCodeScalar {}

extension Int64: DerivedCodeScalar {}

extension OptimizedKernels {
  /// The rounding that derives a layer's stored input codes (`derivation`), or nil when only the general path can
  /// (`InputDerivation.isFast` false). Identity codes are Int16s already: a shift of 0 with Int16's clamp leaves
  /// them unchanged.
  @inline(__always)
  static func derivationRounding(_ derivation: InputDerivation) -> Int32RoundingShift? {
    if derivation.isIdentity { return Int32RoundingShift(shift: 0, low: -32768, high: 32767) }
    return derivation.isFast ? derivation.rounding : nil
  }

  /// `count` input codes derived and converted, contiguous (the im2col path's input).
  @inline(__always)
  static func deriveInput<S: DerivedCodeScalar>(_ x: UnsafePointer<Int16>, count: Int, _ derivation: InputDerivation,
                                                into output: UnsafeMutablePointer<S>) {
    if let rounding = derivationRounding(derivation) {
      S.derive(x, pixels: 1, channels: count, outputStride: count, rounding: rounding, into: output)
    } else {
      for j in 0..<count { output[j] = S(code: derivation.apply(x[j])) }
    }
  }

  /// The input (HWC, `input`) derived, converted and copied into a zero-padded grid of `gridHeight` x `gridWidth`
  /// pixels `pixelStride` scalars apart: input pixel (y, x) lands on grid pixel (y + padTop, x + padLeft); every
  /// other of the first `elementCount` scalars of the grid is zero (padding, padded channels, any tail). Input rows
  /// and columns beyond the grid are read by no tap and skipped. Padding is never negative (shape inference checks
  /// it).
  @inline(__always)
  static func fillInputGrid<S: DerivedCodeScalar>(_ x: UnsafePointer<Int16>, input: TensorShape,
                                                  _ derivation: InputDerivation, into grid: UnsafeMutablePointer<S>,
                                                  elementCount: Int, gridHeight: Int, gridWidth: Int, pixelStride: Int,
                                                  padTop: Int, padLeft: Int) {
    let c = input.channels
    let columns = max(0, min(input.width, gridWidth - padLeft))
    let rounding = derivationRounding(derivation)
    if rounding == nil {
      grid.update(repeating: 0, count: elementCount)
    } else {
      // `S.derive` writes whole pixels (codes, then zeros up to the stride): only the border is left to clear.
      fillGridBorder(grid, with: 0, elementCount: elementCount, gridHeight: gridHeight, gridWidth: gridWidth,
                     pixelStride: pixelStride, padTop: padTop, padLeft: padLeft, copiedRows: input.height,
                     copiedColumns: columns)
    }
    for y in 0..<input.height {
      let gy = y + padTop
      if gy >= gridHeight { break }
      let from = x + y * input.width * c, to = grid + (gy * gridWidth + padLeft) * pixelStride
      if let rounding {
        S.derive(from, pixels: columns, channels: c, outputStride: pixelStride, rounding: rounding, into: to)
      } else {
        for column in 0..<columns {
          for ch in 0..<c { to[column * pixelStride + ch] = S(code: derivation.apply(from[column * c + ch])) }
        }
      }
    }
  }

  /// Sets to `value` every one of the first `elementCount` scalars of a grid (`gridHeight` x `gridWidth` pixels,
  /// `pixelStride` scalars each, then a tail) that the row copies of an input do not cover: the rows above row
  /// `padTop` and below the last copied row, the pixels left of column `padLeft` and right of the copied columns in
  /// every copied row, and the tail. The copied pixels (input rows 0..<`copiedRows` and columns
  /// 0..<`copiedColumns`, as far as they fit in the grid) are left alone: their caller writes them whole.
  @inline(__always)
  static func fillGridBorder<T>(_ grid: UnsafeMutablePointer<T>, with value: T, elementCount: Int, gridHeight: Int,
                                gridWidth: Int, pixelStride: Int, padTop: Int, padLeft: Int, copiedRows: Int,
                                copiedColumns: Int) {
    let rowScalars = gridWidth * pixelStride
    let topEnd = min(padTop, gridHeight)
    let copiedEnd = max(topEnd, min(padTop + copiedRows, gridHeight))
    let left = min(padLeft, gridWidth), right = max(left, min(padLeft + copiedColumns, gridWidth))
    grid.update(repeating: value, count: topEnd * rowScalars)
    for gy in topEnd..<copiedEnd {
      let row = grid + gy * rowScalars
      row.update(repeating: value, count: left * pixelStride)
      (row + right * pixelStride).update(repeating: value, count: (gridWidth - right) * pixelStride)
    }
    let rest = copiedEnd * rowScalars
    if elementCount > rest { (grid + rest).update(repeating: value, count: elementCount - rest) }
  }
}
