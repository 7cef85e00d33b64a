import CodeGeneration
import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecSearchTestSupport
import Testing

/// One shipped model, a front of it and three of its points.
struct ShippedExportCase: Sendable, CustomTestStringConvertible {
  var model: String
  var front: String
  var pointIDs: [String]
  var testDescription: String { "\(model) \(pointIDs.joined(separator: ","))" }
}

/// The generated C library computes the engine's integer logits bit for bit on the shipped models.
@Suite(.serialized) struct ShippedModelExportTests {
  static let inputCount = 200
  /// Point table ids visited in one process: every point, then back and forth.
  static let sequence = [0, 1, 2, 0, 2, 1, 1, 0]

  static let cases = [
    ShippedExportCase(model: "fashion", front: "Results/optimize/fashion-budget40.json", pointIDs: ["p05", "p20", "p40"]),
    ShippedExportCase(model: "kws", front: "Results/pareto/kws/swp-16-8-4/seed1.json", pointIDs: ["p05", "p22", "p38"]),
  ]

  @Test(.enabled(if: CCompilers.system != nil, CCompilers.missingReason), arguments: cases)
  func logitsEqualTheEngineForEveryInputAndPoint(_ testCase: ShippedExportCase) throws {
    let fixture = try ShippedExportFixture(model: testCase.model, front: testCase.front)
    let points = fixture.points(testCase.pointIDs)
    try #require(points.count == 3, "the front \(testCase.front) lacks one of \(testCase.pointIDs)")
    // The premise: a mixed-precision point whose codes use window shifts.
    let model = fixture.front.model
    let mixedWithShifts = points.contains { point in
      let layers = point.configuration.layers
      let mixed = Set(layers.map(\.weightBits)).count > 1 || Set(layers.map(\.activationBits)).count > 1
      let shifted = layers.enumerated().contains { k, p in
        model.layers[k].windowShifts[p.weightBits] > 0
          || model.groups[model.groupOfNode[model.network.inputIndices[model.layers[k].nodeIndex][0]]].windowShifts[p.activationBits] > 0
      }
      return mixed && shifted
    }
    #expect(mixedWithShifts, "no exported point is mixed-precision with a window shift")

    // The engine's integer logits (output codes) of the first 200 test inputs at each point.
    let count = min(Self.inputCount, fixture.images.count)
    let channels = model.network.inputShape.channels
    var raw: [UInt8] = []
    var floats: [Float] = []
    for i in 0..<count {
      let pixels = Array(fixture.images.image(i))
      raw += pixels
      floats += fixture.model.preprocessing.apply(pixels, channels: channels)
    }
    let elements = model.network.inputShape.elementCount
    let expected: [[[Int32]]] = try points.map { point in
      let plan = try IntegerPlan(model: model, configuration: point.configuration)
      let workspace = plan.makeWorkspace()
      return (0..<count).map { i in
        plan.runCodes(Array(floats[(i * elements)..<((i + 1) * elements)]), workspace: workspace).map(Int32.init)
      }
    }
    // The points must not all give the same logits, or the comparison could not tell them apart.
    #expect(expected[0] != expected[1] && expected[1] != expected[2])

    let outputs = model.network.outputShape.elementCount
    let prefix = "\(testCase.model)_net"
    let compiler = try #require(CCompilers.system)
    for storage in WeightStorage.allCases {
      let library = try CLibraryGenerator.generate(model: model, request: fixture.request(prefix: prefix, points: points,
                                                                                          storage: storage))
      let harness = try CLibraryHarness(library: library, prefix: prefix)
      defer { harness.directory.cleanup() }
      let builds: [(name: String, flags: [String])] = [
        ("driver", []), ("driver_set", ["-D\(prefix.uppercased())_DERIVE_AT_SET_POINT"]),
      ]
      for build in builds {
        if let failure = try harness.build(compiler: compiler, extraFlags: build.flags, name: build.name) {
          Issue.record("\(storage) \(build.name): \(failure)")
          continue
        }
        let result = try harness.run(raw: raw, floats: floats, count: count, sequence: Self.sequence, outputs: outputs,
                                     name: build.name)
        #expect(result.status == 0, "\(storage) \(build.name): driver exited \(result.status): \(result.errors)")
        for (step, id) in Self.sequence.enumerated() {
          let got = result.logits[step]
          let mismatches = (0..<count).filter { $0 >= got.count || got[$0] != expected[id][$0] }
          #expect(mismatches.count == 0, """
            \(storage) \(build.name), visit \(step) of point \(points[id].id): \(mismatches.count) of \(count) inputs \
            differ, first \(mismatches.first.map { "input \($0): C \($0 < got.count ? got[$0] : []) engine \(expected[id][$0])" } ?? "")
            """)
        }
      }
    }
  }

  @Test(.enabled(if: CCompilers.find("gcc") != nil || CCompilers.find("clang") != nil, "neither gcc nor clang is installed"),
        arguments: cases)
  func compilesStrictlyWithGCCAndClang(_ testCase: ShippedExportCase) throws {
    let fixture = try ShippedExportFixture(model: testCase.model, front: testCase.front)
    let points = fixture.points(testCase.pointIDs)
    let prefix = "\(testCase.model)_strict"
    var compiled = 0
    for storage in WeightStorage.allCases {
      let library = try CLibraryGenerator.generate(model: fixture.front.model,
                                                   request: fixture.request(prefix: prefix, points: points, storage: storage))
      let harness = try CLibraryHarness(library: library, prefix: prefix)
      defer { harness.directory.cleanup() }
      for compiler in ["gcc", "clang"].compactMap(CCompilers.find) {
        for flags in [["-O2"], ["-O2", "-D\(prefix.uppercased())_DERIVE_AT_SET_POINT"]] {
          let result = try CCompilers.run(compiler, CCompilers.strictFlags + flags + ["-c", "\(prefix).c", "\(prefix)_weights.c"],
                                          in: harness.directory.path)
          #expect(result.status == 0 && result.errors.isEmpty,
                  "\(compiler) \(flags) \(storage): status \(result.status)\n\(result.errors)")
          compiled += 1
          // No dependency: the objects reference only each other (and memcpy / memset, which a compiler may call
          // for a copy loop).
          if let nm = CCompilers.find("nm") {
            let symbols = try CCompilers.run(nm, ["-u", "\(prefix).o", "\(prefix)_weights.o"], in: harness.directory.path)
            let undefined = String(decoding: symbols.output, as: UTF8.self).split(separator: "\n")
              .compactMap { $0.split(separator: " ").last.map(String.init) }
              .filter { $0.hasSuffix(".o:") == false && !$0.hasPrefix(prefix + "_") && $0 != "memcpy" && $0 != "memset" }
            #expect(undefined.isEmpty, "\(compiler) \(flags) \(storage): external symbols \(undefined)")
          }
        }
      }
    }
    #expect(compiled >= 4)
    // Only <stdint.h> and the library's own header are included.
    let library = try CLibraryGenerator.generate(model: fixture.front.model,
                                                 request: fixture.request(prefix: prefix, points: points, storage: .master16))
    for file in library.files where file.name.hasSuffix(".c") || file.name.hasSuffix(".h") {
      let includes = file.contents.split(separator: "\n").filter { $0.hasPrefix("#include") }
      #expect(includes.allSatisfy { $0 == "#include <stdint.h>" || $0 == "#include \"\(prefix).h\"" }, "\(file.name): \(includes)")
      #expect(!file.contents.contains("malloc") && !file.contents.contains("math.h"))
    }
  }

  /// Cortex-M4 builds (Debian's gcc-arm-none-eabi) compile without a diagnostic at -Os, both storages.
  @Test(.enabled(if: CCompilers.find("arm-none-eabi-gcc") != nil,
                 "arm-none-eabi-gcc is not installed (apt-get install gcc-arm-none-eabi): no Cortex-M4 build"),
        arguments: cases)
  func compilesForCortexM4(_ testCase: ShippedExportCase) throws {
    let fixture = try ShippedExportFixture(model: testCase.model, front: testCase.front)
    let prefix = "\(testCase.model)_m4"
    let compiler = try #require(CCompilers.find("arm-none-eabi-gcc"))
    for storage in WeightStorage.allCases {
      let library = try CLibraryGenerator.generate(model: fixture.front.model, request: fixture.request(
        prefix: prefix, points: fixture.points(testCase.pointIDs), storage: storage))
      let harness = try CLibraryHarness(library: library, prefix: prefix)
      defer { harness.directory.cleanup() }
      let result = try CCompilers.run(compiler, CCompilers.strictFlags + [
        "-Os", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16", "-c", "\(prefix).c", "\(prefix)_weights.c",
      ], in: harness.directory.path)
      #expect(result.status == 0 && result.errors.isEmpty, "\(storage): \(result.errors)")
    }
  }

  /// The C example of docs/export.md (the same text as README's "Exporting to C") compiles strictly against the
  /// library it documents.
  @Test(.enabled(if: CCompilers.system != nil, CCompilers.missingReason))
  func theDocumentedExampleCompiles() throws {
    func example(_ relativePath: String) throws -> String {
      let text = try String(contentsOf: ShippedExportFixture.repositoryRoot.appendingPathComponent(relativePath), encoding: .utf8)
      let blocks = text.components(separatedBy: "```c\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
      return try #require(blocks.first { $0.contains("fashion_infer") }, "no C example in \(relativePath)")
    }
    let documented = try example("docs/export.md")
    #expect(try example("README.md") == documented)
    let fixture = try ShippedExportFixture(model: "fashion", front: Self.cases[0].front)
    let library = try CLibraryGenerator.generate(model: fixture.front.model, request: fixture.request(
      prefix: "fashion", points: fixture.points(Self.cases[0].pointIDs), storage: .master16))
    let harness = try CLibraryHarness(library: library, prefix: "fashion")
    defer { harness.directory.cleanup() }
    try Data(documented.utf8).write(to: URL(fileURLWithPath: harness.directory.path("example.c")))
    let compiler = try #require(CCompilers.system)
    let result = try CCompilers.run(compiler, CCompilers.strictFlags + ["-O2", "-c", "example.c", "fashion.c", "fashion_weights.c"],
                                    in: harness.directory.path)
    #expect(result.status == 0 && result.errors.isEmpty, "\(result.errors)")
  }
}
