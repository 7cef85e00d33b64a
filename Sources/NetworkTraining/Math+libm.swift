#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// The single place NetworkTraining reaches libm.

/// e^x in Float (softmax).
@inline(__always) func trainingExp(_ x: Float) -> Float { expf(x) }
/// Natural logarithm in Double (cross-entropy).
@inline(__always) func trainingLog(_ x: Double) -> Double { log(x) }
/// Cosine in Double (cosine learning-rate schedule).
@inline(__always) func trainingCos(_ x: Double) -> Double { cos(x) }
/// x^y in Double (Adam bias correction).
@inline(__always) func trainingPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
