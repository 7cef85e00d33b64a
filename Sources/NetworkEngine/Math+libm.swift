#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// e^x (the single place NetworkEngine reaches libm).
@usableFromInline func _exp(_ x: Float) -> Float { expf(x) }
/// e^x in Double.
@usableFromInline func _exp(_ x: Double) -> Double { exp(x) }
