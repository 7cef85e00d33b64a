import EnergyModel
import Testing
import SeededRandom

@Suite struct NonNegativeLeastSquaresTests {
  /// Brute force: the best feasible unconstrained least-squares solution over every subset of columns (the NNLS
  /// optimum is one of them), by normal equations with Gaussian elimination. Small n only.
  static func bruteForce(rows: [[Double]], targets: [Double]) -> (x: [Double], residual: Double) {
    let n = rows[0].count
    var best: ([Double], Double) = ([Double](repeating: 0, count: n), residual(rows, targets, [Double](repeating: 0, count: n)))
    for mask in 1 ..< (1 << n) {
      let set = (0 ..< n).filter { mask & (1 << $0) != 0 }
      // Normal equations on the subset.
      var g = set.map { i in set.map { j in rows.reduce(0) { $0 + $1[i] * $1[j] } } }
      var h = set.map { i in zip(rows, targets).reduce(0) { $0 + $1.0[i] * $1.1 } }
      let k = set.count
      var singular = false
      for c in 0 ..< k {
        guard let p = (c ..< k).max(by: { abs(g[$0][c]) < abs(g[$1][c]) }), abs(g[p][c]) > 1e-12 else {
          singular = true
          break
        }
        g.swapAt(c, p)
        h.swapAt(c, p)
        for r in 0 ..< k where r != c {
          let f = g[r][c] / g[c][c]
          for cc in 0 ..< k { g[r][cc] -= f * g[c][cc] }
          h[r] -= f * h[c]
        }
      }
      if singular { continue }
      var x = [Double](repeating: 0, count: n)
      for (position, j) in set.enumerated() { x[j] = h[position] / g[position][position] }
      if x.contains(where: { $0 < 0 }) { continue }
      let r = residual(rows, targets, x)
      if r < best.1 { best = (x, r) }
    }
    return best
  }

  static func residual(_ rows: [[Double]], _ targets: [Double], _ x: [Double]) -> Double {
    zip(rows, targets).reduce(0) { sum, pair in
      let r = zip(pair.0, x).reduce(0) { $0 + $1.0 * $1.1 } - pair.1
      return sum + r * r
    }
  }

  @Test func recoversAnExactNonNegativeSolution() throws {
    let rows: [[Double]] = [[1, 0, 2], [0, 1, 1], [1, 1, 0], [2, 1, 1], [1, 3, 1]]
    let truth = [0.5, 2, 1.25]
    let targets = rows.map { zip($0, truth).reduce(0) { $0 + $1.0 * $1.1 } }
    let x = try NonNegativeLeastSquares.solve(rows: rows, targets: targets)
    for (a, b) in zip(x, truth) { #expect(abs(a - b) < 1e-12) }
  }

  @Test func activeConstraintGivesZeroAndMatchesBruteForce() throws {
    // Unconstrained solution has x2 < 0; NNLS must set it to 0.
    let rows: [[Double]] = [[1, 1], [1, 2], [1, 3]]
    let targets = [3.0, 2, 1]
    let x = try NonNegativeLeastSquares.solve(rows: rows, targets: targets)
    #expect(x[1] == 0)
    #expect(abs(x[0] - 2) < 1e-12)
  }

  @Test func matchesBruteForceOnRandomProblems() throws {
    var generator = SplitMix64(seed: 0x1157)
    for trial in 0 ..< 300 {
      let n = Int.random(in: 1 ... 5, using: &generator)
      let m = Int.random(in: n ... 12, using: &generator)
      // Columns of very different scale, as energy features are.
      let scales = (0 ..< n).map { _ in Double.random(in: -4 ... 8, using: &generator) }
      let rows = (0 ..< m).map { _ in
        (0 ..< n).map { j in Double.random(in: -1 ... 1, using: &generator) * pow10(scales[j]) }
      }
      let targets = (0 ..< m).map { _ in Double.random(in: -1 ... 1, using: &generator) }
      let x = try NonNegativeLeastSquares.solve(rows: rows, targets: targets)
      #expect(x.allSatisfy { $0 >= 0 }, "trial \(trial)")
      let oracle = Self.bruteForce(rows: rows, targets: targets)
      let r = Self.residual(rows, targets, x)
      if !(r <= oracle.residual * (1 + 1e-9) + 1e-12) {
        Issue.record("trial \(trial): residual \(r) > brute force \(oracle.residual); x = \(x), oracle \(oracle.x)")
        return
      }
    }
  }

  @Test func zeroColumnGetsZero() throws {
    let x = try NonNegativeLeastSquares.solve(rows: [[1, 0], [2, 0], [3, 0]], targets: [2, 4, 6])
    #expect(abs(x[0] - 2) < 1e-12)
    #expect(x[1] == 0)
  }

  @Test func refusesMalformedInput() {
    #expect(throws: NonNegativeLeastSquares.InputError.self) {
      try NonNegativeLeastSquares.solve(rows: [], targets: [])
    }
    #expect(throws: NonNegativeLeastSquares.InputError.self) {
      try NonNegativeLeastSquares.solve(rows: [[1, 2], [1]], targets: [1, 2])
    }
    #expect(throws: NonNegativeLeastSquares.InputError.self) {
      try NonNegativeLeastSquares.solve(rows: [[1, .nan]], targets: [1])
    }
    #expect(throws: NonNegativeLeastSquares.InputError.self) {
      try NonNegativeLeastSquares.solve(rows: [[1, 2]], targets: [1, 2])
    }
  }
}

/// 10^e for the scale spread above, without libm.
private func pow10(_ e: Double) -> Double {
  var result = 1.0
  let whole = Int(e.rounded(.down))
  for _ in 0 ..< abs(whole) { result = whole > 0 ? result * 10 : result / 10 }
  return result * (1 + (e - Double(whole)) * 9)
}
