import Dispatch
import EnergyModel
import Foundation
import MultiObjectiveSearch
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecSearchWorkflows
import PrecisionSearch
import PlatformSupport

/// Progress on standard error: a live line on a terminal, a line every `interval` seconds otherwise, nothing when
/// quiet.
struct ProgressReporter {
  let quiet: Bool
  let isTerminal: Bool
  let interval: Double
  private var lastReport: ContinuousClock.Instant?
  private var wroteLiveLine = false
  private let clock = ContinuousClock()

  init(quiet: Bool, isTerminal: Bool, interval: Double) {
    self.quiet = quiet
    self.isTerminal = isTerminal
    self.interval = interval
  }

  /// The progress line.
  static func line(state: HybridPrecisionSearch, elapsed: Double, timeLimit: Double?) -> String {
    var parts: [String] = []
    if let limit = state.settings.maximumEvaluations {
      parts.append("evaluations \(state.evaluations)/\(limit) (\(Int(state.progress * 100))%)")
    } else {
      parts.append("evaluations \(state.evaluations)")
    }
    parts.append(state.phase.rawValue)
    parts.append("hypervolume \(NumberFormatting.fixed(state.hypervolume, decimals: 4))")
    parts.append("front \(state.front.count)")
    parts.append("elapsed \(OptimizeCommand.clock(elapsed))")
    var remaining: Double?
    if state.progress > 0 { remaining = elapsed * (1 - state.progress) / state.progress }
    if let timeLimit { remaining = min(remaining ?? .infinity, max(0, timeLimit - elapsed)) }
    if let remaining, remaining.isFinite { parts.append("ETA \(OptimizeCommand.clock(remaining))") }
    return parts.joined(separator: " | ")
  }

  mutating func report(state: HybridPrecisionSearch, elapsed: Double, timeLimit: Double?, errors: inout some TextOutputStream) {
    guard !quiet else { return }
    let now = clock.now
    let due = isTerminal ? min(interval, 0.2) : interval
    if let lastReport, OptimizeCommand.seconds(now - lastReport) < due { return }
    lastReport = now
    let line = Self.line(state: state, elapsed: elapsed, timeLimit: timeLimit)
    if isTerminal {
      errors.write("\r\u{1B}[K" + line)
      wroteLiveLine = true
    } else {
      errors.write(line + "\n")
    }
  }

  /// The test pass's progress: `test split: 16/57 configurations | elapsed 0:05 | ETA 0:13`, at most once per
  /// interval and always for the last configuration (live on a terminal, whole lines on a pipe).
  mutating func reportTestPass(measured: Int, of total: Int, elapsed: Double, errors: inout some TextOutputStream) {
    guard !quiet else { return }
    let now = clock.now
    let finished = measured >= total
    let due = isTerminal ? min(interval, 0.2) : interval
    if !finished, let lastReport, OptimizeCommand.seconds(now - lastReport) < due { return }
    lastReport = now
    var line = "test split: \(measured)/\(total) configurations | elapsed \(OptimizeCommand.clock(elapsed))"
    if !finished, measured > 0 {
      line += " | ETA \(OptimizeCommand.clock(elapsed * Double(total - measured) / Double(measured)))"
    }
    if isTerminal {
      errors.write("\r\u{1B}[K" + line + (finished ? "\n" : ""))
      wroteLiveLine = !finished
    } else {
      errors.write(line + "\n")
    }
  }

  /// Ends a live line; on a pipe writes the final line.
  mutating func finish(state: HybridPrecisionSearch, elapsed: Double?, errors: inout some TextOutputStream) {
    guard !quiet else { return }
    if isTerminal {
      if let elapsed {
        errors.write("\r\u{1B}[K" + Self.line(state: state, elapsed: elapsed, timeLimit: nil) + "\n")
      } else if wroteLiveLine {
        errors.write("\n")
      }
    } else if let elapsed {
      errors.write(Self.line(state: state, elapsed: elapsed, timeLimit: nil) + "\n")
    }
    wroteLiveLine = false
  }
}

/// Splits the images over threads with `ParallelMap` (one piece per worker).
struct DispatchWorkerPool: WorkerPool {
  let workerCount: Int
  func run(_ body: @Sendable (Int) -> Void) {
    ParallelMap.forEach(count: workerCount, threads: workerCount, body)
  }
}

/// Turns SIGINT into a flag the search loop checks between chunks of images. After the first SIGINT the default
/// action is restored, so a second Ctrl-C ends the process at once (outputs are written atomically either way).
final class InterruptMonitor: @unchecked Sendable {
  private let lock = NSLock()
  private var raised = false
  private var source: DispatchSourceSignal?

  /// Whether SIGINT arrived.
  var isRaised: Bool { lock.withLock { raised } }

  func install() {
    signal(SIGINT, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
    source.setEventHandler { [weak self] in
      self?.lock.withLock { self?.raised = true }
      signal(SIGINT, SIG_DFL)
    }
    source.resume()
    self.source = source
  }

  func uninstall() {
    guard let source else { return }
    source.cancel()
    self.source = nil
    signal(SIGINT, SIG_DFL)
  }
}

/// The git commit the tool was built from (`BuildRevision`, recorded at build time by SourceRevisionPlugin), with
/// `-dirty` when tracked source files differed from it; `unknown` outside a git checkout.
enum SourceRevision {
  static let commit: String = BuildRevision.commit + (BuildRevision.modifiedSourceFiles > 0 ? "-dirty" : "")
}
