/// Non-negative least squares, `minimize |A x - b|_2 subject to x >= 0`, by the active-set method of Lawson and
/// Hanson ("Solving Least Squares Problems", 1974, ch. 23), in `Double`.
///
/// Columns are scaled to unit length before solving (non-negativity is unchanged by positive scaling) and the
/// solution is scaled back, so features of very different magnitudes (MACs x bits ~ 1e9, microseconds ~ 1e2) do
/// not hurt accuracy. Each unconstrained sub-problem is solved by Householder QR.
public enum NonNegativeLeastSquares {
  /// An input the solver cannot use.
  public struct InputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public var description: String
  }

  /// Solves `minimize |A x - b| subject to x >= 0`.
  ///
  /// - Parameters:
  ///   - rows: The matrix `A`, one array per row, all of the same length `n >= 1`; finite entries.
  ///   - targets: `b`, one entry per row; finite.
  /// - Returns: `x`, `n` non-negative entries. A zero column gets 0.
  /// - Throws: ``InputError`` for ragged, empty or non-finite input, or if the active-set iteration does not
  ///   finish within `3 n + 30` steps (it normally takes about `n`).
  public static func solve(rows: [[Double]], targets: [Double]) throws -> [Double] {
    let (columns, m, n) = try columnMajor(rows: rows, targets: targets)
    var scaled = columns
    var scale = [Double](repeating: 0, count: n)
    for j in 0 ..< n {
      let norm = euclideanNorm(columns[j])
      scale[j] = norm
      if norm > 0 { for i in 0 ..< m { scaled[j][i] = columns[j][i] / norm } }
    }
    let y = try lawsonHanson(columns: scaled, active: scale.map { $0 > 0 }, b: targets)
    return (0 ..< n).map { scale[$0] > 0 ? y[$0] / scale[$0] : 0 }
  }

  /// Columns of `rows`, checked.
  static func columnMajor(rows: [[Double]], targets: [Double]) throws -> ([[Double]], Int, Int) {
    guard let n = rows.first?.count, n > 0 else { throw InputError(description: "the matrix has no rows or columns") }
    guard targets.count == rows.count else {
      throw InputError(description: "\(rows.count) rows but \(targets.count) targets; expected one target per row")
    }
    var columns = [[Double]](repeating: [Double](repeating: 0, count: rows.count), count: n)
    for (i, row) in rows.enumerated() {
      guard row.count == n else {
        throw InputError(description: "row \(i) has \(row.count) entries; expected \(n) like row 0")
      }
      guard targets[i].isFinite else { throw InputError(description: "target \(i) is \(targets[i]); expected finite") }
      for j in 0 ..< n {
        guard row[j].isFinite else { throw InputError(description: "entry (\(i), \(j)) is \(row[j]); expected finite") }
        columns[j][i] = row[j]
      }
    }
    return (columns, rows.count, n)
  }

  /// Lawson-Hanson on columns already scaled to unit length (or excluded by `active[j] == false`).
  static func lawsonHanson(columns: [[Double]], active: [Bool], b: [Double]) throws -> [Double] {
    let n = columns.count
    let m = b.count
    var x = [Double](repeating: 0, count: n)
    var passive = [Bool](repeating: false, count: n)
    var blocked = [Bool](repeating: false, count: n)
    let tolerance = 10 * Double.ulpOfOne * Double(max(m, n)) * max(euclideanNorm(b), .leastNormalMagnitude)
    let maximumSteps = 3 * n + 30
    var steps = 0

    func gradient() -> [Double] {
      var residual = b
      for j in 0 ..< n where x[j] != 0 { for i in 0 ..< m { residual[i] -= columns[j][i] * x[j] } }
      return (0 ..< n).map { j in dot(columns[j], residual) }
    }

    var w = gradient()
    while true {
      var entering = -1
      for j in 0 ..< n where active[j] && !passive[j] && !blocked[j] && w[j] > tolerance {
        if entering < 0 || w[j] > w[entering] { entering = j }
      }
      if entering < 0 { break }
      passive[entering] = true
      var firstInner = true
      while true {
        steps += 1
        if steps > maximumSteps {
          throw InputError(description: "the active-set iteration did not finish within \(maximumSteps) steps")
        }
        let set = (0 ..< n).filter { passive[$0] }
        guard let solution = leastSquares(columns: set.map { columns[$0] }, b: b) else {
          // The entering column is (numerically) dependent on the passive ones: it cannot improve the fit.
          passive[entering] = false
          blocked[entering] = true
          break
        }
        var z = [Double](repeating: 0, count: n)
        for (k, j) in set.enumerated() { z[j] = solution[k] }
        if firstInner && z[entering] <= 0 {
          // Rounding made the entering variable non-positive: leave it out until the solution moves.
          passive[entering] = false
          blocked[entering] = true
          break
        }
        firstInner = false
        if set.allSatisfy({ z[$0] > 0 }) {
          x = z
          blocked = [Bool](repeating: false, count: n)
          break
        }
        // Step from x towards z until the first passive variable reaches zero, then drop the zeros.
        var alpha = Double.infinity
        var blocking = -1
        for j in set where z[j] <= 0 {
          let ratio = x[j] / (x[j] - z[j])
          if ratio < alpha { alpha = ratio; blocking = j }
        }
        if !alpha.isFinite { alpha = 0 }
        for j in set { x[j] += alpha * (z[j] - x[j]) }
        if blocking >= 0 { x[blocking] = 0 }
        for j in set where x[j] <= tolerance {
          x[j] = 0
          passive[j] = false
        }
        if !set.contains(where: { passive[$0] }) { break }
      }
      w = gradient()
    }
    return x
  }

  /// Least squares `min |C z - b|` by Householder QR; nil if `C` is (numerically) rank deficient or has more
  /// columns than rows.
  static func leastSquares(columns: [[Double]], b: [Double]) -> [Double]? {
    let k = columns.count
    let m = b.count
    guard k > 0, k <= m else { return k == 0 ? [] : nil }
    var a = columns
    var rhs = b
    var largest = 0.0
    for j in 0 ..< k {
      var norm = 0.0
      for i in j ..< m { norm += a[j][i] * a[j][i] }
      norm = norm.squareRoot()
      if norm == 0 { return nil }
      let alpha = a[j][j] > 0 ? -norm : norm
      largest = max(largest, norm)
      // v = a[j][j...] - alpha e_1; H = I - 2 v v^T / (v^T v).
      var v = Array(a[j][j ..< m])
      v[0] -= alpha
      let vv = dot(v, v)
      if vv == 0 { continue }
      for c in j ..< k {
        var s = 0.0
        for i in j ..< m { s += v[i - j] * a[c][i] }
        let f = 2 * s / vv
        for i in j ..< m { a[c][i] -= f * v[i - j] }
      }
      var s = 0.0
      for i in j ..< m { s += v[i - j] * rhs[i] }
      let f = 2 * s / vv
      for i in j ..< m { rhs[i] -= f * v[i - j] }
    }
    let threshold = largest * Double(max(m, k)) * Double.ulpOfOne * 16
    var z = [Double](repeating: 0, count: k)
    for j in stride(from: k - 1, through: 0, by: -1) {
      let r = a[j][j]
      if abs(r) <= threshold { return nil }
      var s = rhs[j]
      for c in (j + 1) ..< k { s -= a[c][j] * z[c] }
      z[j] = s / r
    }
    return z
  }

  /// The first column (in order) that is zero or a linear combination of earlier non-dependent columns, with the
  /// indices of the earlier columns involved; nil when the columns are linearly independent.
  ///
  /// A column counts as dependent when, after scaling to unit length, less than `relativeTolerance` of it is left
  /// outside the span of the earlier accepted columns (modified Gram-Schmidt with re-orthogonalisation).
  static func firstDependentColumn(columns: [[Double]], relativeTolerance: Double = 1e-8)
    -> (column: Int, involved: [Int])?
  {
    var basis: [[Double]] = []
    var accepted: [Int] = []
    for (j, column) in columns.enumerated() {
      let norm = euclideanNorm(column)
      if norm == 0 { return (j, []) }
      var v = column.map { $0 / norm }
      for _ in 0 ..< 2 {
        for q in basis {
          let r = dot(q, v)
          for i in v.indices { v[i] -= r * q[i] }
        }
      }
      let rest = euclideanNorm(v)
      if rest < relativeTolerance {
        let involvedColumns = accepted.map { columns[$0] }
        guard let weights = leastSquares(columns: involvedColumns, b: column) else { return (j, accepted) }
        let involved = accepted.indices.filter { k in
          abs(weights[k]) * euclideanNorm(involvedColumns[k]) > 1e-6 * norm
        }.map { accepted[$0] }
        return (j, involved)
      }
      basis.append(v.map { $0 / rest })
      accepted.append(j)
    }
    return nil
  }

  /// The diagonal of `(C^T C)^-1` for the columns `C`, or nil if `C^T C` is (numerically) singular.
  ///
  /// Computed on unit-length columns (Gauss-Jordan with partial pivoting) and scaled back, for accuracy.
  static func inverseNormalDiagonal(columns: [[Double]]) -> [Double]? {
    let k = columns.count
    let norms = columns.map(euclideanNorm)
    guard !norms.contains(0) else { return nil }
    let unit = columns.indices.map { j in columns[j].map { $0 / norms[j] } }
    // Augmented [G | I].
    var g = (0 ..< k).map { i in (0 ..< k).map { j in dot(unit[i], unit[j]) } + (0 ..< k).map { $0 == i ? 1.0 : 0 } }
    for c in 0 ..< k {
      var pivot = c
      for r in (c + 1) ..< k where abs(g[r][c]) > abs(g[pivot][c]) { pivot = r }
      guard abs(g[pivot][c]) > 1e-14 else { return nil }
      g.swapAt(c, pivot)
      let p = g[c][c]
      for cc in 0 ..< 2 * k { g[c][cc] /= p }
      for r in 0 ..< k where r != c {
        let f = g[r][c]
        if f != 0 { for cc in 0 ..< 2 * k { g[r][cc] -= f * g[c][cc] } }
      }
    }
    return (0 ..< k).map { g[$0][k + $0] / (norms[$0] * norms[$0]) }
  }

  static func dot(_ a: [Double], _ b: [Double]) -> Double {
    var s = 0.0
    for i in 0 ..< min(a.count, b.count) { s += a[i] * b[i] }
    return s
  }

  static func euclideanNorm(_ a: [Double]) -> Double {
    // Scaled to avoid overflow for huge entries.
    let largest = a.reduce(0) { max($0, abs($1)) }
    guard largest > 0, largest.isFinite else { return largest }
    var s = 0.0
    for value in a { let t = value / largest; s += t * t }
    return largest * s.squareRoot()
  }
}
