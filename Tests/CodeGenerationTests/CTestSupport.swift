import CodeGeneration
import Foundation
import NetworkEngine
import PrecSearchFormats
import PrecSearchIO
import PrecSearchTestSupport
import Testing

/// C compilers on this machine and a way to run them.
enum CCompilers {
  /// The first executable called `name` on PATH, or nil.
  static func find(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
      let candidate = "\(directory)/\(name)"
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
  }

  /// The system C compiler (`cc`, else `gcc`, else `clang`).
  static let system: String? = find("cc") ?? find("gcc") ?? find("clang")
  /// Why the compile-and-run tests are skipped.
  static let missingReason: Comment = "no C compiler (cc, gcc or clang) on PATH; install one (apt-get install gcc) to run the C export tests"

  /// The strict flags every generated library must compile with.
  static let strictFlags = ["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic"]

  /// Runs `executable` with `arguments`; returns the status, standard output and standard error.
  static func run(_ executable: String, _ arguments: [String], in directory: String? = nil) throws
    -> (status: Int32, output: Data, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    // Standard error goes to a file, standard output to a pipe read to its end (it may exceed the pipe buffer).
    let errorPath = FileManager.default.temporaryDirectory
      .appendingPathComponent("precsearch-export-stderr-\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max))").path
    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errorPath) }
    let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
    let output = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let outputData = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try errors.close()
    let errorData = FileManager.default.contents(atPath: errorPath) ?? Data()
    return (process.terminationStatus, outputData, String(decoding: errorData, as: UTF8.self))
  }
}

/// Writes a generated library and a test driver, compiles them, runs the driver and returns the logits.
struct CLibraryHarness {
  let library: CLibrary
  let prefix: String
  let directory: TemporaryDirectory

  init(library: CLibrary, prefix: String) throws {
    self.library = library
    self.prefix = prefix
    directory = try TemporaryDirectory("precsearch-export-tests")
    for file in library.files {
      try Data(file.contents.utf8).write(to: URL(fileURLWithPath: directory.path(file.name)))
    }
    try Data(Self.driver(prefix: prefix).utf8).write(to: URL(fileURLWithPath: directory.path("driver.c")))
  }

  /// The driver: `driver RAW FLOATS COUNT POINT...` reads COUNT raw inputs (bytes) and their preprocessed floats,
  /// and for each POINT switches to it and writes the int32 logits of every input to standard output. It fails
  /// (exit 3) when the float and the raw quantization disagree, and (exit 4) when an unknown id is accepted or
  /// changes the current point.
  static func driver(prefix: String) -> String {
    let m = prefix.uppercased()
    return """
      #include <stdio.h>
      #include <stdlib.h>
      #include "\(prefix).h"

      static int64_t scratch[(\(m)_SCRATCH_BYTES + 7) / 8];

      int main(int argc, char **argv) {
        FILE *raw_file, *float_file;
        long count, i, j;
        int a;
        uint8_t *raw;
        float *floats;
        int16_t codes[\(m)_INPUT_ELEMENTS], float_codes[\(m)_INPUT_ELEMENTS];
        int32_t logits[\(m)_OUTPUT_ELEMENTS];
        if (argc < 5) return 2;
        count = atol(argv[3]);
        raw = (uint8_t *)malloc((size_t)count * \(m)_INPUT_ELEMENTS);
        floats = (float *)malloc((size_t)count * \(m)_INPUT_ELEMENTS * sizeof(float));
        raw_file = fopen(argv[1], "rb");
        float_file = fopen(argv[2], "rb");
        if (!raw || !floats || !raw_file || !float_file) return 2;
        if (fread(raw, 1, (size_t)count * \(m)_INPUT_ELEMENTS, raw_file) != (size_t)count * \(m)_INPUT_ELEMENTS) return 2;
        if (fread(floats, sizeof(float), (size_t)count * \(m)_INPUT_ELEMENTS, float_file) != (size_t)count * \(m)_INPUT_ELEMENTS) return 2;
        for (a = 4; a < argc; a++) {
          const int id = atoi(argv[a]);
          if (\(prefix)_set_point(id) != 0) return 2;
          if (\(prefix)_set_point(-1) != -1 || \(prefix)_set_point(\(prefix)_point_count()) != -1) return 4;
          if (\(prefix)_current_point() != id) return 4;
          for (i = 0; i < count; i++) {
            \(prefix)_quantize_raw(raw + i * \(m)_INPUT_ELEMENTS, codes);
            \(prefix)_quantize_input(floats + i * \(m)_INPUT_ELEMENTS, float_codes);
            for (j = 0; j < \(m)_INPUT_ELEMENTS; j++) {
              if (codes[j] != float_codes[j]) return 3;
            }
            \(prefix)_infer(codes, logits, scratch);
            fwrite(logits, sizeof(int32_t), \(m)_OUTPUT_ELEMENTS, stdout);
          }
        }
        free(raw);
        free(floats);
        fclose(raw_file);
        fclose(float_file);
        return 0;
      }

      """
  }

  /// Compiles the library with the strict flags (and `extraFlags`) into an executable; returns the compiler's
  /// diagnostics when it fails.
  func build(compiler: String, extraFlags: [String] = [], name: String = "driver") throws -> String? {
    let result = try CCompilers.run(compiler, CCompilers.strictFlags + ["-O1"] + extraFlags
      + ["driver.c", "\(prefix).c", "\(prefix)_weights.c", "-o", name], in: directory.path)
    return result.status == 0 ? nil : "\(compiler) failed (\(result.status)):\n\(result.errors)"
  }

  /// Runs the built driver on `raw` inputs (and their preprocessed `floats`) at the point ids in `sequence`;
  /// returns, per entry of `sequence`, the logits of every input.
  func run(raw: [UInt8], floats: [Float], count: Int, sequence: [Int], outputs: Int, name: String = "driver") throws
    -> (status: Int32, errors: String, logits: [[[Int32]]]) {
    try Data(raw).write(to: URL(fileURLWithPath: directory.path("raw.bin")))
    try floats.withUnsafeBytes { try Data($0).write(to: URL(fileURLWithPath: directory.path("floats.bin"))) }
    let result = try CCompilers.run(directory.path(name), ["raw.bin", "floats.bin", String(count)] + sequence.map(String.init),
                                    in: directory.path)
    var values = [Int32](repeating: 0, count: result.output.count / 4)
    _ = values.withUnsafeMutableBytes { result.output.copyBytes(to: $0) }
    var logits: [[[Int32]]] = []
    var offset = 0
    for _ in sequence {
      var block: [[Int32]] = []
      for _ in 0..<count where offset + outputs <= values.count {
        block.append(Array(values[offset..<offset + outputs]))
        offset += outputs
      }
      logits.append(block)
    }
    return (result.status, result.errors, logits)
  }
}

/// A shipped model, one of its fronts and its test images, loaded the way `precsearch run` loads them.
struct ShippedExportFixture {
  let model: ModelFile
  let front: RuntimeFront
  let images: ImageDataset
  let checksum: String

  static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  init(model name: String, front relativePath: String) throws {
    guard let shipped = ModelCatalog.shippedModel(named: name), let test = shipped.test else {
      throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "shipped model \(name) or its test split is missing"])
    }
    model = try ModelFile.read(from: shipped.modelPath)
    front = try ParetoFrontDocument.loadRuntimeFront(from: Self.repositoryRoot.appendingPathComponent(relativePath).path,
                                                     network: model.network, ranges: model.activationRanges!)
    images = try IDXReader.read(images: test.images, labels: test.labels)
    checksum = sha256Hex(of: try model.singleFileData(file: shipped.modelPath))
  }

  /// The front's points with these ids, as exported points.
  func points(_ ids: [String]) -> [ExportedPoint] {
    ids.compactMap { id in
      front.points.first { $0.id == id }.map {
        ExportedPoint(id: $0.id, configuration: $0.configuration, validationAccuracy: $0.validationAccuracy,
                      testAccuracy: $0.testAccuracy, energyJoules: $0.energyJoules)
      }
    }
  }

  /// A request for these points.
  func request(prefix: String, points: [ExportedPoint], storage: WeightStorage) -> CLibraryRequest {
    CLibraryRequest(prefix: prefix, weightStorage: storage, points: points, preprocessing: model.preprocessing,
                    modelName: model.name, modelChecksum: checksum,
                    arithmeticReference: "docs/arithmetic.md (tests)", frontName: "front.json")
  }
}
