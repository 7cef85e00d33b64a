/// NSGA-II's crowded binary tournament: draw two distinct members; the lower rank wins, then the
/// larger crowding distance, then a fair coin.
///
/// Constraint handling is already folded into the ranks (see ``RankAndCrowdingSurvival``).
public struct BinaryTournamentSelection: Hashable, Sendable, Codable {
  /// Creates the operator (it has no parameters).
  public init() {}

  /// The index of the winner among `ranks.count` members, or `nil` if there are none.
  ///
  /// `ranks` and `crowding` are indexed by member; a missing crowding value counts as 0. Random
  /// draws, in order: the first contestant, the second (distinct when there are two or more
  /// members), and a coin only on a full tie.
  public func select(
    ranks: [Int], crowding: [Double], using generator: inout some RandomNumberGenerator
  ) -> Int? {
    let count = ranks.count
    guard count > 0 else { return nil }
    let first = Int.random(in: 0..<count, using: &generator)
    guard count > 1 else { return first }
    var second = Int.random(in: 0..<(count - 1), using: &generator)
    if second >= first { second += 1 }
    if ranks[first] != ranks[second] { return ranks[first] < ranks[second] ? first : second }
    let firstCrowding = first < crowding.count ? crowding[first] : 0
    let secondCrowding = second < crowding.count ? crowding[second] : 0
    if firstCrowding != secondCrowding { return firstCrowding > secondCrowding ? first : second }
    return Bool.random(using: &generator) ? first : second
  }
}
