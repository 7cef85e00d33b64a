public import NetworkEngine

/// Which node outputs two plans of one model have in common, so that an inference at one configuration can
/// restart from the stored outputs of another.
///
/// A node's output codes are a function of the input image, of its own parameters and of its inputs' outputs.
/// Its own parameters are fixed by its *signature*: its stored bit-width (`IntegerPlan.storageBits`) and, for a
/// weighted layer, its precision pair (derived weights, input shift, output shift and accumulator all follow from
/// these and the masters). So if two plans have equal signatures on nodes `0..<n` (nodes are in topological
/// order), they compute identical outputs on those nodes for every image, and a run at the second can start at
/// node `n` from the first one's outputs.
///
/// A batch sorted by signature (``signature(of:)``, lexicographically) visits configurations so that each shares
/// with its predecessor the longest prefix it shares with any earlier one: one workspace per worker is then
/// enough to reuse every shared prefix. Running from node `n` is `IntegerPlan.runCodes(resumingAt:workspace:)`;
/// the evaluator does this when `PrecisionEvaluator.reusesPrefixes` is set (docs/cli.md, "Evaluation speed").
public enum PrefixReuse {
  /// One integer per node: `storageBits * 289 + weightBits * 17 + activationBits` for a weighted layer,
  /// `storageBits * 289` for any other node (widths are at most 16, so the encoding is one-to-one).
  public static func signature(of plan: IntegerPlan) -> [Int] {
    var layer = 0
    return plan.network.nodes.indices.map { node in
      var value = plan.storageBits[node] * 289
      if plan.network.nodes[node].operation.isWeighted {
        let precision = plan.configuration.layers[layer]
        value += precision.weightBits * 17 + precision.activationBits
        layer += 1
      }
      return value
    }
  }

  /// The number of leading nodes on which two signatures agree: a run can restart at this node index.
  public static func sharedNodeCount(_ first: [Int], _ second: [Int]) -> Int {
    var count = 0
    while count < first.count && count < second.count && first[count] == second[count] { count += 1 }
    return count
  }

  /// Lexicographic order of signatures (shorter first on a common prefix).
  public static func precedes(_ first: [Int], _ second: [Int]) -> Bool {
    first.lexicographicallyPrecedes(second)
  }
}
