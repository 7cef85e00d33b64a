// The C math library, for `Double.squareRoot()` (it lowers to libm's `sqrt`, which an executable that links only
// this module would otherwise fail to find). The one platform import of this module; no Foundation.
#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif
