/// How the constraint violation takes part in comparisons.
public enum ConstraintHandling: String, Hashable, Sendable, Codable, CaseIterable {
  /// Deb's constraint-domination, as in pymoo: the lower violation always wins (so every feasible
  /// point beats every infeasible one); equal violations (in particular two feasible points) are
  /// compared by Pareto dominance on the objectives.
  case feasibilityFirst
  /// The violation is ignored: plain Pareto dominance on the objectives.
  case ignored
}
