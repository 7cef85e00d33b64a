// The single place where this module reaches the platform C math library.
// Only `pow` is needed (geometrically spaced annealing budgets).
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// `base` raised to `exponent`, from the platform libm.
///
/// Used only to space the annealing budgets of a whole-front search; a last-bit difference between platforms'
/// math libraries moves a budget by less than 1e-15 of itself.
@inline(__always)
internal func libmPow(_ base: Double, _ exponent: Double) -> Double {
  pow(base, exponent)
}
