import PrecSearchFormats
import Foundation

/// The ticks of one plot axis: the axis bounds, the tick values and their labels.
///
/// Linear axes use "nice" steps (1, 2, 2.5 or 5 times a power of ten) and bounds that are multiples of the step;
/// logarithmic axes use 1, 2 and 5 times powers of ten (or every integer multiple when the range is narrow). Tick
/// values are computed as integer multiples of the step, so they carry no accumulated rounding error, and labels
/// use a fixed number of decimals so that the same data always give the same text.
struct AxisTicks: Hashable, Sendable {
  /// The value at the start of the axis.
  var lower: Double
  /// The value at the end of the axis (greater than `lower`).
  var upper: Double
  /// The tick values, ascending, all in `lower...upper`.
  var values: [Double]
  /// One label per tick value.
  var labels: [String]

  /// Nice linear ticks covering `minimum...maximum` with about `targetCount` intervals.
  ///
  /// The data range is first widened by `padding` (a fraction of its span) on each side, then clamped to
  /// `limits` (for example 0...100 for a percentage), then rounded outwards to multiples of the step. An empty
  /// range (`minimum == maximum`) is widened to 10% of the value (or 1 for zero) first.
  static func linear(covering minimum: Double, _ maximum: Double, targetCount: Int = 6, padding: Double = 0.02,
                     limits: ClosedRange<Double>? = nil) -> AxisTicks {
    var low = Swift.min(minimum, maximum), high = Swift.max(minimum, maximum)
    if !(high > low) {
      let half = low == 0 ? 0.5 : abs(low) * 0.05
      low -= half
      high += half
    }
    let span = high - low
    low -= span * padding
    high += span * padding
    if let limits {
      low = Swift.max(low, limits.lowerBound)
      high = Swift.min(high, limits.upperBound)
      if !(high > low) { high = low + span }
    }
    let step = niceStep(for: (high - low) / Double(Swift.max(1, targetCount)))
    let first = (low / step.value).rounded(.down), last = (high / step.value).rounded(.up)
    // The multiples of the step; at most a few dozen since step >= span / targetCount.
    let count = Int(last - first)
    let values = (0...Swift.max(1, count)).map { (first + Double($0)) * step.value }
    let decimals = step.decimals
    return AxisTicks(lower: values[0], upper: values[values.count - 1], values: values,
                     labels: values.map { ReportText.fixed($0, decimals: decimals) })
  }

  /// Logarithmic ticks covering `minimum...maximum` (both positive): the bounds are the nearest 1, 2 or 5 times
  /// a power of ten outside the data, the ticks 1, 2 and 5 times powers of ten inside (only the powers of ten when
  /// the range spans more than four decades; every integer multiple, with tighter bounds, when fewer than six
  /// 1-2-5 ticks would show).
  static func logarithmic(covering minimum: Double, _ maximum: Double) -> AxisTicks {
    var low = Swift.min(minimum, maximum), high = Swift.max(minimum, maximum)
    if high < low * 1.05 {
      // A (nearly) single value: widen so that the axis has a span.
      low /= 1.25
      high *= 1.25
    }
    let firstDecade = Int(log10(low).rounded(.down)) - 1, lastDecade = Int(log10(high).rounded(.up)) + 1
    func candidates(_ mantissas: [Double]) -> [(value: Double, decimals: Int)] {
      var result: [(Double, Int)] = []
      for decade in firstDecade...lastDecade {
        for mantissa in mantissas {
          result.append((mantissa * pow(10, Double(decade)), Swift.max(0, -decade)))
        }
      }
      return result
    }
    func ticks(_ mantissas: [Double]) -> AxisTicks {
      let all = candidates(mantissas)
      // The bounds snap to the 1-2-5 sequence (values within a part in 10^9 of a bound count as on it).
      let lower = all.last { $0.value <= low * (1 + 1e-9) } ?? all[0]
      let upper = all.first { $0.value >= high * (1 - 1e-9) } ?? all[all.count - 1]
      let inside = all.filter { $0.value >= lower.value * (1 - 1e-9) && $0.value <= upper.value * (1 + 1e-9) }
      return AxisTicks(lower: lower.value, upper: upper.value,
                       values: inside.map(\.value),
                       labels: inside.map { ReportText.fixed($0.value, decimals: $0.decimals) })
    }
    let standard = ticks([1, 2, 5])
    if standard.values.count < 6 {
      let dense = ticks([1, 2, 3, 4, 5, 6, 7, 8, 9])
      if dense.values.count > standard.values.count { return dense }
    }
    if standard.values.count > 12 {
      let decades = ticks([1])
      return AxisTicks(lower: standard.lower, upper: standard.upper, values: decades.values, labels: decades.labels)
    }
    return standard
  }

  /// The smallest step of the form {1, 2, 2.5, 5} x 10^k that is at least `raw` (positive), with the decimals
  /// its multiples need.
  static func niceStep(for raw: Double) -> (value: Double, decimals: Int) {
    let positive = raw > 0 && raw.isFinite ? raw : 1
    let exponent = Int(log10(positive).rounded(.down))
    for candidate in [(1.0, 0), (2.0, 0), (2.5, 1), (5.0, 0), (10.0, 0)] {
      let decade = candidate.0 == 10 ? exponent + 1 : exponent
      let value = (candidate.0 == 10 ? 1 : candidate.0) * pow(10, Double(decade))
      if value >= positive * (1 - 1e-12) {
        return (value, Swift.max(0, -decade + candidate.1))
      }
    }
    return (pow(10, Double(exponent + 1)), Swift.max(0, -(exponent + 1)))
  }
}

/// Maps data values on one axis to pixel positions (linear or logarithmic).
struct AxisScale: Hashable, Sendable {
  /// The ticks, whose `lower...upper` is the mapped domain.
  var ticks: AxisTicks
  /// True for a base-10 logarithmic axis (values must be positive).
  var isLogarithmic: Bool
  /// Pixel position of `ticks.lower`.
  var start: Double
  /// Pixel position of `ticks.upper` (smaller than `start` for a y axis, which grows upwards).
  var end: Double

  /// The pixel position of `value` (values outside the domain map outside `start...end`).
  func position(_ value: Double) -> Double {
    let fraction: Double
    if isLogarithmic {
      let low = log10(ticks.lower), high = log10(ticks.upper)
      fraction = (log10(Swift.max(value, .leastNormalMagnitude)) - low) / (high - low)
    } else {
      fraction = (value - ticks.lower) / (ticks.upper - ticks.lower)
    }
    return start + fraction * (end - start)
  }

  /// True when `value` lies in the domain (with a tolerance of a part in 10^9 of its span).
  func contains(_ value: Double) -> Bool {
    let tolerance = (ticks.upper - ticks.lower) * 1e-9
    return value >= ticks.lower - tolerance && value <= ticks.upper + tolerance
  }
}

/// An energy unit for axis titles and readable figures.
struct EnergyUnit: Hashable, Sendable {
  /// `pJ`, `nJ`, `µJ`, `mJ` or `J`.
  var symbol: String
  /// The unit in picojoules.
  var picojoules: Double

  /// From the largest to the smallest.
  static let all: [EnergyUnit] = [
    EnergyUnit(symbol: "J", picojoules: 1e12), EnergyUnit(symbol: "mJ", picojoules: 1e9),
    EnergyUnit(symbol: "µJ", picojoules: 1e6), EnergyUnit(symbol: "nJ", picojoules: 1e3),
    EnergyUnit(symbol: "pJ", picojoules: 1),
  ]

  /// The largest unit in which `picojoules` is at least 1 (pJ for smaller values).
  static func unit(for picojoules: Double) -> EnergyUnit {
    all.first { abs(picojoules) >= $0.picojoules } ?? all[all.count - 1]
  }
}
