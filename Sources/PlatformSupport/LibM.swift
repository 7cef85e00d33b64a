// The one place the package reaches the platform's C math library.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// The C math library functions the package uses, under one naming scheme.
///
/// Results may differ in the last bit between platforms' math libraries. Where that matters the callers say so:
/// the bit-exact integer engine never calls these; float training, the audio front-end, annealing acceptance and
/// budget spacing do.
public enum LibM {
  /// e^x.
  @inlinable @inline(__always) public static func exp(_ x: Double) -> Double { libmExp(x) }
  /// e^x in Float.
  @inlinable @inline(__always) public static func exp(_ x: Float) -> Float { libmExpf(x) }
  /// The natural logarithm.
  @inlinable @inline(__always) public static func log(_ x: Double) -> Double { libmLog(x) }
  /// log(1 + x), accurate near 0.
  @inlinable @inline(__always) public static func log1p(_ x: Double) -> Double { libmLog1p(x) }
  /// The sine (radians).
  @inlinable @inline(__always) public static func sin(_ x: Double) -> Double { libmSin(x) }
  /// The cosine (radians).
  @inlinable @inline(__always) public static func cos(_ x: Double) -> Double { libmCos(x) }
  /// `base` raised to `exponent`.
  @inlinable @inline(__always) public static func pow(_ base: Double, _ exponent: Double) -> Double {
    libmPow(base, exponent)
  }
}

// Module-level wrappers, so that `LibM`'s members can name the C functions without shadowing them.
@usableFromInline func libmExp(_ x: Double) -> Double { exp(x) }
@usableFromInline func libmExpf(_ x: Float) -> Float { expf(x) }
@usableFromInline func libmLog(_ x: Double) -> Double { log(x) }
@usableFromInline func libmLog1p(_ x: Double) -> Double { log1p(x) }
@usableFromInline func libmSin(_ x: Double) -> Double { sin(x) }
@usableFromInline func libmCos(_ x: Double) -> Double { cos(x) }
@usableFromInline func libmPow(_ base: Double, _ exponent: Double) -> Double { pow(base, exponent) }
