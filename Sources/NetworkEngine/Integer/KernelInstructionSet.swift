import CKernels

/// The instruction set the optimized kernels' C loops run at (`CKernels`), chosen at run time from the CPU.
///
/// Every level computes the same bits (the same operations in the same order; Float and Double use fused
/// multiply-adds on every level), so the choice changes only speed. The package is built without CPU-specific
/// compile flags; each loop is compiled once per level and the highest level the CPU supports is used, unless
/// capped (tests run every path; benchmarks compare them).
public enum KernelInstructionSet: Int, Comparable, CaseIterable, Sendable, CustomStringConvertible {
  /// Portable C, compiled for the baseline of the target architecture (any x86-64 or ARM64 CPU).
  case portable = 0
  /// x86-64 AVX2 with FMA.
  case avx2 = 1
  /// x86-64 AVX-512 (F, BW, DQ, VL).
  case avx512 = 2

  /// The highest level this CPU supports.
  public static var supported: KernelInstructionSet {
    KernelInstructionSet(rawValue: Int(precsearch_cpu_isa_level())) ?? .portable
  }

  /// The level the kernels use now: `supported`, capped by `cap(at:)`.
  public static var current: KernelInstructionSet {
    KernelInstructionSet(rawValue: Int(precsearch_kernel_isa_level())) ?? .portable
  }

  /// Caps the level for the whole process (for calls that start afterwards); `.avx512` removes the cap. Results
  /// do not change, only speed, so concurrent callers stay correct.
  public static func cap(at level: KernelInstructionSet) {
    precsearch_set_kernel_isa_cap(Int32(level.rawValue))
  }

  /// Whether plans made now use the AVX-512 VNNI form of the 8-bit dot-product GEMM (`AccumulatorKind.int8DotProduct`):
  /// the CPU has it and the level is not capped below `.avx512`. It is chosen per layer when a plan is made; at the
  /// `.avx2` level the same kind runs as AVX2 `vpmaddubsw` pairs where the operand bounds allow (`Int8DotProductForm`).
  public static var hasInt8DotProduct: Bool { precsearch_has_int8_dot_product() == 1 }

  /// `portable`, `avx2` or `avx512`.
  public var description: String {
    switch self {
    case .portable: return "portable"
    case .avx2: return "avx2"
    case .avx512: return "avx512"
    }
  }

  /// Orders by level.
  public static func < (lhs: KernelInstructionSet, rhs: KernelInstructionSet) -> Bool { lhs.rawValue < rhs.rawValue }
}
