// The single place where this module reaches the platform C math library.
// Only `exp` is needed (the Metropolis acceptance probability of simulated annealing).
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// e raised to `x`, from the platform libm.
///
/// Results may differ in the last bit between platforms' math libraries; the only caller is the
/// simulated-annealing acceptance test, whose outcome can flip only when a uniform draw falls
/// within one ulp of the probability.
@inline(__always)
internal func libmExp(_ x: Double) -> Double {
  exp(x)
}
