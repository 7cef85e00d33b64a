#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C math library's functions this module needs (stdlib only otherwise), in one place.
enum LibM {
  @inline(__always) static func sin(_ x: Double) -> Double { Glibc_sin(x) }
  @inline(__always) static func cos(_ x: Double) -> Double { Glibc_cos(x) }
  @inline(__always) static func log(_ x: Double) -> Double { Glibc_log(x) }
  @inline(__always) static func log1p(_ x: Double) -> Double { Glibc_log1p(x) }
}

// Module-level wrappers so that `LibM` can name the C functions without shadowing.
@inline(__always) private func Glibc_sin(_ x: Double) -> Double { sin(x) }
@inline(__always) private func Glibc_cos(_ x: Double) -> Double { cos(x) }
@inline(__always) private func Glibc_log(_ x: Double) -> Double { log(x) }
@inline(__always) private func Glibc_log1p(_ x: Double) -> Double { log1p(x) }
