import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO
import SeededRandom
import PrecSearchTestSupport

@Suite struct CIFAR10ReaderTests {
  /// A record whose pixel (y, x) of channel c is `(label * 7 + c * 50 + y * 3 + x) mod 256`.
  static func record(label: UInt8) -> [UInt8] {
    var r = [label]
    for c in 0..<3 { for y in 0..<32 { for x in 0..<32 { r.append(UInt8((Int(label) * 7 + c * 50 + y * 3 + x) % 256)) } } }
    return r
  }

  func write(_ bytes: [UInt8], _ name: String, in dir: TemporaryDirectory) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: dir.file(name)))
  }

  @Test func readsRecordsAndConvertsChannelMajorToHWC() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    try write(Self.record(label: 3) + Self.record(label: 9), "test_batch.bin", in: dir)
    let set = try CIFAR10Reader.read(directory: dir.path, split: .test)
    #expect(set.count == 2 && set.height == 32 && set.width == 32 && set.channels == 3)
    #expect(set.labels == [3, 9])
    for (i, label) in [3, 9].enumerated() {
      let image = Array(set.image(i))
      for (y, x, c) in [(0, 0, 0), (0, 0, 2), (5, 17, 1), (31, 31, 2)] {
        #expect(image[(y * 32 + x) * 3 + c] == UInt8((label * 7 + c * 50 + y * 3 + x) % 256))
      }
    }
  }

  @Test func trainSplitConcatenatesFiveBatchesInOrder() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    for b in 1...5 { try write(Self.record(label: UInt8(b)) + Self.record(label: UInt8(b - 1)), "data_batch_\(b).bin", in: dir) }
    let set = try CIFAR10Reader.read(directory: dir.path, split: .train)
    #expect(set.labels == [1, 0, 2, 1, 3, 2, 4, 3, 5, 4])
    // A missing batch is named.
    try FileManager.default.removeItem(atPath: dir.file("data_batch_4.bin"))
    let text = errorText { _ = try CIFAR10Reader.read(directory: dir.path, split: .train) }
    #expect(text.contains("data_batch_4.bin") && text.contains("no such file"), "\(text)")
  }

  @Test func rejectsMalformedFiles() throws {
    let dir = try TemporaryDirectory()
    defer { dir.cleanup() }
    let path = dir.file("batch.bin")
    let two = Self.record(label: 1) + Self.record(label: 2)
    for cut in [1, 100, 3072, 3074] {
      try write(Array(two.prefix(two.count - cut)), "batch.bin", in: dir)
      let text = errorText { _ = try CIFAR10Reader.read(file: path) }
      let whole = (two.count - cut) / 3073
      #expect(text.contains("batch.bin") && text.contains("byte \(whole * 3073)") && text.contains("not a multiple of the 3073"), "\(text)")
    }
    try write([], "batch.bin", in: dir)
    #expect(errorText { _ = try CIFAR10Reader.read(file: path) }.contains("empty"))
    try write(Self.record(label: 1) + Self.record(label: 10), "batch.bin", in: dir)
    let text = errorText { _ = try CIFAR10Reader.read(file: path) }
    #expect(text.contains("byte 3073") && text.contains("record 1 has label 10"), "\(text)")
  }
}

@Suite struct ValidationSplitTests {
  static func dataset(_ n: Int) throws -> ImageDataset {
    try ImageDataset(height: 1, width: 2, channels: 1, pixels: (0..<(2 * n)).map { UInt8($0 % 256) },
                     labels: (0..<n).map { UInt8($0 % 10) })
  }

  @Test func lastImagesHoldsOutTheTail() throws {
    let split = try TrainValidationSplit(splitting: try Self.dataset(10), rule: .lastImages(count: 3))
    #expect(split.validationIndices == [7, 8, 9])
    #expect(split.trainIndices == Array(0..<7))
    #expect(split.validation.labels == [7, 8, 9])
    #expect(Array(split.validation.image(0)) == [14, 15])
    #expect(split.train.count == 7)
  }

  @Test func seededRandomIsDeterministicDisjointAndSeedDependent() throws {
    let source = try Self.dataset(200)
    let a = try TrainValidationSplit(splitting: source, rule: .seededRandom(count: 50, seed: 1))
    let b = try TrainValidationSplit(splitting: source, rule: .seededRandom(count: 50, seed: 1))
    let c = try TrainValidationSplit(splitting: source, rule: .seededRandom(count: 50, seed: 2))
    #expect(a.validationIndices == b.validationIndices)
    #expect(a.validationIndices != c.validationIndices)
    #expect(a.validationIndices.count == 50 && a.trainIndices.count == 150)
    #expect(Set(a.validationIndices).isDisjoint(with: a.trainIndices))
    #expect((a.validationIndices + a.trainIndices).sorted() == Array(0..<200))
    #expect(a.validationIndices == a.validationIndices.sorted())
    // Not just a contiguous block.
    #expect(a.validationIndices.last! - a.validationIndices.first! > 100)
    #expect(a.validation.labels == a.validationIndices.map { UInt8($0 % 10) })
  }

  @Test func splitMix64MatchesTheReferenceSequence() {
    // SplitMix64 seeded with 0: first outputs as in the reference implementation (Vigna's splitmix64.c).
    #expect(TrainValidationSplit.splitMix64(seed: 0, index: 0) == 0xE220_A839_7B1D_CDAF)
    #expect(TrainValidationSplit.splitMix64(seed: 0, index: 1) == 0x6E78_9E6A_A1B9_65F4)
    var g = SplitMix64(seed: 1234)
    for i in 0..<5 { #expect(TrainValidationSplit.splitMix64(seed: 1234, index: i) == g.next()) }
  }

  @Test func seededStratifiedBalancesClasses() throws {
    let source = try Self.dataset(300)  // labels i % 10: 30 per class
    let a = try TrainValidationSplit(splitting: source, rule: .seededStratified(perClass: 4, seed: 9))
    #expect(a.validation.classHistogram(classes: 10) == Array(repeating: 4, count: 10))
    #expect(a.train.classHistogram(classes: 10) == Array(repeating: 26, count: 10))
    // Within each class the choice is the smallest keys, as for seededRandom restricted to that class.
    let class3 = (0..<300).filter { $0 % 10 == 3 }
      .sorted { TrainValidationSplit.splitMix64(seed: 9, index: $0) < TrainValidationSplit.splitMix64(seed: 9, index: $1) }
    #expect(Set(a.validationIndices.filter { $0 % 10 == 3 }) == Set(class3.prefix(4)))
    #expect(throws: DatasetError.self) { _ = try TrainValidationSplit(splitting: source, rule: .seededStratified(perClass: 30, seed: 0)) }
  }

  @Test func rejectsImpossibleCounts() throws {
    let source = try Self.dataset(5)
    for rule in [ValidationHoldout.lastImages(count: 0), .lastImages(count: 5), .seededRandom(count: 9, seed: 0)] {
      #expect(throws: DatasetError.self) { _ = try TrainValidationSplit(splitting: source, rule: rule) }
    }
    #expect(ValidationHoldout.seededRandom(count: 5, seed: 18_446_744_073_709_551_615).provenance
            == ["rule": "seededRandom", "count": 5, "seed": "18446744073709551615"])
  }

  @Test func imageDatasetValidatesSizes() {
    #expect(throws: DatasetError.self) { _ = try ImageDataset(height: 2, width: 2, channels: 1, pixels: [1, 2, 3], labels: [0]) }
    #expect(throws: DatasetError.self) { _ = try ImageDataset(height: 0, width: 2, channels: 1, pixels: [], labels: []) }
    #expect(throws: DatasetError.self) {
      _ = try ImageDataset(height: Int.max, width: 2, channels: 1, pixels: [], labels: [0])
    }
  }
}
