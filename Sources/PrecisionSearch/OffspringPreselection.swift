import MultiObjectiveSearch
import PlatformSupport

/// The guided search's pre-selection of NSGA-II offspring: an additive surrogate of the log error rate fitted on
/// everything measured so far, and the offspring whose predicted (energy, error) add the most hypervolume to the
/// front.
///
/// **Surrogate.** An ``AdditiveSurrogate`` of `log(1 − accuracy + 0.5 / images)` (the half image keeps a perfect
/// score finite), so each gene's step down multiplies the error rate by its own factor, fitted with ridge
/// ``ridge`` on every memo entry in the memo's order, the screened ones with their accuracy over the images they
/// ran. Its prediction is `exp` of the fitted value, clamped to 0...1.
///
/// **Choice.** Energies are exact (they cost no images); each candidate's point is `(energy / uniform 16-bit
/// energy, predicted error)`, the front's points are the measured ones in the same units, the reference point is
/// the search's (1.1, 1.1), and ``HypervolumePreselection`` picks the batch. A candidate already measured, or over
/// the energy budget of a ``PrecisionConstraint/maximumEnergy(picojoules:)`` constraint (its energy is exact, and
/// NSGA-II ranks it below every feasible one), is picked only when no other remains.
///
/// Deterministic: a function of the memo, the front and the candidates.
struct OffspringPreselection {
  /// The surrogate's ridge penalty.
  static let ridge = 1.0

  /// The surrogate.
  let surrogate: AdditiveSurrogate

  /// The value the surrogate models for a measurement.
  static func target(_ measurement: PrecisionMeasurement) -> Double {
    LibM.log(1 - measurement.accuracy + 0.5 / Double(max(measurement.imageCount, 1)))
  }

  /// Fits the surrogate on `memo`; `nil` when the space has too many features for one or the memo is empty.
  init?(space: PrecisionSearchSpace, memo: EvaluationMemo) throws {
    let genes = space.searchSpace
    let entries = memo.sortedEntries
    guard !entries.isEmpty, AdditiveSurrogate.featureCount(of: genes) <= AdditiveSurrogate.maximumFeatureCount else {
      return nil
    }
    surrogate = try AdditiveSurrogate(searchSpace: genes, samples: entries.map { ($0.genome, Self.target($0.measurement)) },
                                      ridge: Self.ridge)
  }

  /// The predicted error rate (0...1) of `genome`.
  func predictedError(_ genome: [Int]) throws -> Double {
    min(1, max(0, LibM.exp(try surrogate.predict(genome))))
  }

  /// The indices of the `count` candidates to measure.
  func choose(_ candidates: [[Int]], count: Int, space: PrecisionSearchSpace, memo: EvaluationMemo,
              front: [[Double]], uniform16BitPicojoules: Double, constraint: PrecisionConstraint,
              evaluator: PrecisionEvaluator) throws -> [Int] {
    let energies = try candidates.map { try evaluator.energyPicojoules(of: space.configuration(of: $0)) }
    let predicted = try zip(candidates, energies).map { [$1 / uniform16BitPicojoules, try predictedError($0)] }
    var excluded = Set(candidates.indices.filter { memo[candidates[$0]] != nil })
    if case .maximumEnergy(let budget) = constraint {
      excluded.formUnion(candidates.indices.filter { energies[$0] > budget })
    }
    return try HypervolumePreselection.choose(count: count, predicted: predicted, front: front,
                                              referencePoint: [1.1, 1.1], excluded: excluded)
  }
}
