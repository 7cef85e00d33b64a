/// Pareto dominance and Deb's constraint-domination between objective vectors (all minimized).
///
/// Comparisons use `<` on `Double`, so a NaN makes two vectors ``DominanceRelation/incomparable``;
/// the algorithms reject NaN before comparing. Vectors of different lengths are incomparable.
public enum Dominance {
  /// The Pareto relation of `a` to `b`. O(number of objectives).
  public static func relation(_ a: [Double], _ b: [Double]) -> DominanceRelation {
    guard a.count == b.count else { return .incomparable }
    var aBetterSomewhere = false
    var bBetterSomewhere = false
    for (x, y) in zip(a, b) {
      if x < y {
        aBetterSomewhere = true
      } else if y < x {
        bBetterSomewhere = true
      } else if x != y {
        return .incomparable  // NaN involved
      }
      if aBetterSomewhere && bBetterSomewhere { return .incomparable }
    }
    switch (aBetterSomewhere, bBetterSomewhere) {
    case (true, false): return .dominates
    case (false, true): return .isDominated
    case (false, false): return .equivalent
    case (true, true): return .incomparable
    }
  }

  /// The relation of `a` to `b` with the constraint handled as `constraintHandling` says.
  ///
  /// With ``ConstraintHandling/feasibilityFirst`` (Deb): the lower violation dominates; equal
  /// violations fall back to ``relation(_:_:)-(([Double],[Double]))`` on the objectives.
  public static func relation(
    _ a: Evaluation, _ b: Evaluation, constraintHandling: ConstraintHandling = .feasibilityFirst
  ) -> DominanceRelation {
    if constraintHandling == .feasibilityFirst {
      if a.constraintViolation < b.constraintViolation { return .dominates }
      if b.constraintViolation < a.constraintViolation { return .isDominated }
    }
    return relation(a.objectives, b.objectives)
  }

  /// Whether `a` Pareto-dominates `b`.
  public static func dominates(_ a: [Double], _ b: [Double]) -> Bool {
    relation(a, b) == .dominates
  }

  /// Whether `a` dominates `b` with the constraint handled as `constraintHandling` says.
  public static func dominates(
    _ a: Evaluation, _ b: Evaluation, constraintHandling: ConstraintHandling = .feasibilityFirst
  ) -> Bool {
    relation(a, b, constraintHandling: constraintHandling) == .dominates
  }
}
