/// Derives independent, reproducible random streams from a search seed.
///
/// A candidate's stream depends only on `(seed, generation, index)`, never on how many numbers
/// other candidates consumed or in which order tasks finished, so work on candidates can be done
/// in parallel and results put back in index order without changing the outcome.
///
/// The derivation is three chained ``SplitMix64/mix(_:)`` applications:
///
/// ```
/// γ  = 0x9E3779B97F4A7C15
/// h1 = mix(seed &+ γ)
/// h2 = mix(h1 ^ mix(UInt64(bitPattern: generation) &+ 2γ))
/// h3 = mix(h2 ^ mix(UInt64(bitPattern: index) &+ 3γ))
/// ```
///
/// and the stream is `Xoshiro256StarStar(seed: h3)`. Wrapping arithmetic is intended (hashing
/// modulo 2^64). Negative `generation` or `index` values are used by their bit pattern.
public enum SeedDerivation {
  /// The 64-bit seed of the stream for candidate `index` of `generation` under `seed`.
  public static func seed(_ seed: UInt64, generation: Int, index: Int) -> UInt64 {
    let gamma = SplitMix64.increment
    let h1 = SplitMix64.mix(seed &+ gamma)
    let h2 = SplitMix64.mix(h1 ^ SplitMix64.mix(UInt64(bitPattern: Int64(generation)) &+ (gamma &* 2)))
    return SplitMix64.mix(h2 ^ SplitMix64.mix(UInt64(bitPattern: Int64(index)) &+ (gamma &* 3)))
  }

  /// A generator for candidate `index` of `generation` under `seed` (see the type's documentation).
  public static func generator(seed: UInt64, generation: Int, index: Int) -> Xoshiro256StarStar {
    Xoshiro256StarStar(seed: Self.seed(seed, generation: generation, index: index))
  }
}
