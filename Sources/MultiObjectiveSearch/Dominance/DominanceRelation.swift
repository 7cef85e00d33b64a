/// The relation of a point `a` to a point `b` under (constraint-)dominance, all objectives minimized.
public enum DominanceRelation: String, Hashable, Sendable, Codable {
  /// `a` is no worse than `b` in every objective and better in at least one (or has lower violation).
  case dominates
  /// `b` dominates `a`.
  case isDominated
  /// Same violation class and equal objective vectors.
  case equivalent
  /// Neither dominates: each is better in some objective (or the vectors have different lengths).
  case incomparable
}
