import Foundation
import PrecSearchFormats
import PrecSearchIO
import Testing
@testable import PrecSearchCLI

/// Request lines given in advance: the standard-input substitute of the tests.
struct ListedLines: RequestLineSource {
  var lines: [String]
  var position = 0
  init(_ lines: [String]) { self.lines = lines }
  mutating func nextLine() -> String? {
    guard position < lines.count else { return nil }
    defer { position += 1 }
    return lines[position]
  }
}

/// What one in-process `serve` session printed.
struct ServeSession {
  var lines: [String]
  var answers: [[String: JSONValue]]
  var errors: String
}

/// Runs `precsearch serve ARGUMENTS` in-process on `requests` (one per line).
func serve(_ arguments: [String], requests: [String]) throws -> ServeSession {
  let parsed = try ArgumentScanner.parse(arguments, options: ServeCommand.configuration.options)
  let command = try ServeCommand(parsing: parsed)
  var input = ListedLines(requests)
  var output = ""
  var errors = ""
  try command.run(input: &input, output: &output, errors: &errors)
  #expect(output.isEmpty || output.hasSuffix("\n"))
  let lines = output.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
  let answers = try lines.map { try #require(JSONValue.parse($0).objectValue, "\($0)") }
  return ServeSession(lines: lines, answers: answers, errors: errors)
}

/// `{"weightBits": [...], "activationBits": [...]}` of a front point, with extra members.
func request(_ point: ParetoFrontDocument.Point, _ extra: [String: JSONValue] = [:]) throws -> String {
  var object: [String: JSONValue] = [
    "weightBits": .array(point.layers.map { .integer($0.weightBits) }),
    "activationBits": .array(point.layers.map { .integer($0.activationBits) }),
  ]
  for (key, value) in extra { object[key] = value }
  return try JSONValue.object(object).serialized(pretty: false)
}

@Suite struct ServeCommandTests {
  @Test func servedNumbersAreWhatOptimizeReports() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let run = runTool(fixture.arguments(["--output", fixture.path("front.json"), "--seed", "3"]))
    #expect(run.status == 0, "\(run.errors)")
    let document = try ParetoFrontDocument.read(from: fixture.path("front.json"))
    let points = document.points
    try #require(points.count >= 3)

    // Describe, every front point alone (by increasing energy, the order optimize lists them), all of them again
    // as one batch (memo hits, still counted), then the front.
    var requests = [#"{"id": "d", "describe": true}"#]
    for (index, point) in points.enumerated() { requests.append(try request(point, ["id": .integer(index)])) }
    let batch = try points.map { try JSONValue.parse(try request($0)) }
    requests.append(try JSONValue.object(["id": "b", "batch": .array(batch)]).serialized(pretty: false))
    requests.append(#"{"front": true, "id": "f"}"#)
    let session = try serve(["--model", fixture.model, "--data", fixture.data, "--quiet"], requests: requests)
    #expect(session.errors.isEmpty)
    try #require(session.answers.count == points.count + 3)

    let describe = session.answers[0]
    #expect(describe["id"] == "d")
    #expect(describe["layers"] == .array(document.model.layers.map { .string($0.name) }))
    #expect(describe["weightBits"] == .array(Array(repeating: .array((2...16).map(JSONValue.integer)), count: 2)))
    #expect(describe["uniform16BitPicojoules"]?.doubleValue == document.energyModel.uniform16BitPicojoules)
    #expect(describe["uniform16BitValidationAccuracy"]?.doubleValue == document.baselines[0].validation.accuracy)
    #expect(describe["validationImages"] == 48)
    #expect(describe["evaluations"] == 0)
    let hypervolume = try #require(describe["hypervolume"])
    #expect(hypervolume["referencePoint"]?.arrayValue?.compactMap(\.doubleValue) == document.hypervolume.referencePoint)
    #expect(hypervolume["ideal"]?.arrayValue?.compactMap(\.doubleValue) == [0, -1])
    #expect(hypervolume["nadir"]?.arrayValue?.compactMap(\.doubleValue) == [document.energyModel.uniform16BitPicojoules, 0])
    let baselines = try #require(describe["baselines"]?.arrayValue)
    #expect(baselines.map { $0["bits"] } == document.baselines.map { .integer($0.bits) })
    for (served, baseline) in zip(baselines, document.baselines) {
      #expect(served["energyPicojoules"]?.doubleValue == baseline.energyPicojoules)
      #expect(served["relativeEnergy"]?.doubleValue == baseline.relativeEnergy)
      #expect(served["validationAccuracy"]?.doubleValue == baseline.validation.accuracy)
    }

    for (index, point) in points.enumerated() {
      let answer = session.answers[1 + index]
      #expect(answer["id"] == .integer(index))
      #expect(answer["energyPicojoules"]?.doubleValue == point.energy.totalPicojoules, "\(point.id)")
      #expect(answer["relativeEnergy"]?.doubleValue == point.relativeEnergy, "\(point.id)")
      #expect(answer["validationAccuracy"]?.doubleValue == point.validation.accuracy, "\(point.id)")
      #expect(answer["correct"] == .integer(point.validation.correct))
      #expect(answer["complete"] == true && answer["images"] == 48 && answer["imagesRun"] == 48)
      // A uniform front point was measured at start-up, so it comes from the memo.
      let uniform = Set(point.layers.flatMap { [$0.weightBits, $0.activationBits] }).count == 1
        && document.baselines.contains { $0.bits == point.layers[0].weightBits }
      #expect(answer["fromMemo"] == .bool(uniform), "\(point.id)")
      #expect(answer["evaluations"] == .integer(index + 1))
    }

    let batchAnswer = session.answers[1 + points.count]
    #expect(batchAnswer["id"] == "b")
    #expect(batchAnswer["evaluations"] == .integer(2 * points.count))
    let results = try #require(batchAnswer["results"]?.arrayValue)
    #expect(results.count == points.count)
    for (result, point) in zip(results, points) {
      #expect(result["fromMemo"] == true)
      #expect(result["validationAccuracy"]?.doubleValue == point.validation.accuracy)
      #expect(result["relativeEnergy"]?.doubleValue == point.relativeEnergy)
    }

    // The front of everything served is optimize's front, with optimize's hypervolume.
    let front = session.answers[2 + points.count]
    #expect(front["id"] == "f")
    #expect(front["hypervolume"]?.doubleValue == document.hypervolume.final)
    #expect(front["evaluations"] == .integer(2 * points.count))
    let frontPoints = try #require(front["points"]?.arrayValue)
    #expect(frontPoints.map { $0["weightBits"] } == points.map { .array($0.layers.map { .integer($0.weightBits) }) })
    #expect(frontPoints.map { $0["activationBits"] } == points.map { .array($0.layers.map { .integer($0.activationBits) }) })
    #expect(frontPoints.map { $0["validationAccuracy"]?.doubleValue } == points.map(\.validation.accuracy))

    // Answers are one compact line each, keys sorted.
    #expect(session.lines[1].hasPrefix(#"{"complete":true,"correct":"#))
    #expect(session.lines[1].hasSuffix(#","id":0,"images":48,"imagesRun":48,"relativeEnergy":\#(points[0].relativeEnergy),"validationAccuracy":\#(points[0].validation.accuracy)}"#))
  }

  @Test func malformedLinesGetAnErrorNamingTheFieldAndTheServerGoesOn() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let requests = [
      "not json",
      "[1, 2]",
      #"{"id": 1}"#,
      #"{"id": 2, "weightBits": [16, 6]}"#,
      #"{"id": 3, "weightBits": [16, 17], "activationBits": [16, 16]}"#,
      #"{"id": 4, "weightBits": [16, "8"], "activationBits": [16, 16]}"#,
      #"{"id": 5, "weightBits": [16], "activationBits": [16, 16]}"#,
      #"{"id": 6, "describe": false}"#,
      #"{"id": 7, "weightbits": [8, 8]}"#,
      #"{"id": 8, "batch": [{"weightBits": [8, 6], "activationBits": [8, 2]}, {"weightBits": [8, 6]}]}"#,
      #"{"id": 9, "describe": true, "front": true}"#,
      #"{"id": [10], "batch": {"weightBits": [8, 8]}}"#,
      #"{"id": 11, "weightBits": [8, 6], "activationBits": 8}"#,
      "   ",
      #"{"id": 12, "weightBits": [8, 8], "activationBits": [8, 8]}"#,
      #"{"id": 13, "weightBits": [8, 6], "activationBits": [8, 2]}"#,
    ]
    let session = try serve(["--model", fixture.model, "--data", fixture.data, "--weight-bits", "4-8,16",
                             "--pin", "last=w6", "--quiet"], requests: requests)
    #expect(session.answers.count == requests.count - 1)  // the blank line gets no answer
    let byLine = session.answers
    func error(_ index: Int) -> String { byLine[index]["error"]?.stringValue ?? "(no error)" }
    #expect(byLine[0]["id"] == .null)
    #expect(error(0).hasPrefix("line 1 is not JSON (JSON syntax error"))
    #expect(error(0).hasSuffix("expected one JSON object per line"))
    #expect(error(1).hasPrefix("line 2 is a JSON array; expected a JSON object"))
    #expect(byLine[2]["id"] == 1)
    #expect(error(2).hasPrefix("the request asks for nothing; expected one of 'describe': true"))
    #expect(error(3) == "'activationBits' is missing; expected an array of 2 integer bit-widths, one per weighted layer (conv, fc)")
    #expect(error(4) == "'weightBits[1]' is 17; expected one of the weight bit-widths allowed for layer 'fc': 6")
    #expect(error(5) == "'weightBits[1]' is \"8\" (string); expected an integer bit-width")
    #expect(error(6) == "'weightBits' has 1 values; expected an array of 2 integer bit-widths, one per weighted layer (conv, fc)")
    #expect(error(7) == "'describe' is false (boolean); expected true")
    #expect(error(8).hasPrefix("unknown field 'weightbits'; expected the fields 'activationBits', 'batch',"))
    #expect(error(9) == "'batch[1].activationBits' is missing; expected an array of 2 integer bit-widths, one per weighted layer (conv, fc)")
    #expect(error(10) == "the request mixes 'describe' and 'front'; expected exactly one kind of request per line")
    #expect(byLine[11]["id"] == [10])
    #expect(error(11).hasPrefix("'batch' is {\"weightBits\":[8,8]} (object); expected an array of objects"))
    #expect(error(12).hasPrefix("'activationBits' is 8 (integer); expected an array of 2 integer bit-widths"))
    // 'weightBits[0]' = 8 is allowed (4-8,16) but the pinned last layer only allows 6.
    #expect(error(13) == "'weightBits[1]' is 8; expected one of the weight bit-widths allowed for layer 'fc': 6")
    // Errors are not evaluations: the first valid request is evaluation 1.
    #expect(byLine[14]["id"] == 13)
    #expect(byLine[14]["error"] == nil)
    #expect(byLine[14]["evaluations"] == 1)
    #expect(byLine[14]["images"] == 48 && byLine[14]["fromMemo"] == false)
    // Every error line is '{"error": ..., "id": ...}' with sorted keys.
    #expect(session.lines[4].hasPrefix(#"{"error":"'weightBits[1]' is 17;"#))
    #expect(session.lines[4].hasSuffix(#","id":3}"#))
  }

  @Test func describeListsPinnedDomainsAndTheServerEndsAtTheEndOfInput() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let session = try serve(["--model", fixture.model, "--data", fixture.data, "--weight-bits", "4-8,16",
                             "--activation-bits", "8,16", "--pin", "first=a16", "--validation-images", "20"],
                            requests: [#"{"describe": true}"#])
    #expect(session.answers.count == 1)
    let describe = session.answers[0]
    #expect(describe["id"] == .null)
    #expect(describe["weightBits"] == [[4, 5, 6, 7, 8, 16], [4, 5, 6, 7, 8, 16]])
    #expect(describe["activationBits"] == [[16], [8, 16]])
    #expect(describe["validationImages"] == 20)
    // Only uniform 16 bits is inside the space (the first layer's activations are pinned to 16): the other
    // baselines are measured for the description but are not in the memo or the front.
    let baselines = try #require(describe["baselines"]?.arrayValue)
    #expect(baselines.map { $0["bits"] } == OptimizeCommand.baselineBits.map { .integer($0) })
    #expect(baselines.map { $0["inSpace"] } == OptimizeCommand.baselineBits.map { .bool($0 == 16) })
    #expect(session.errors.hasPrefix("serve: ready: 2 weighted layers, 20 validation images"))

    // No input: the server answers nothing and returns.
    let empty = try serve(["--model", fixture.model, "--data", fixture.data, "--quiet"], requests: [])
    #expect(empty.lines.isEmpty && empty.errors.isEmpty)
  }

  @Test func startUpMistakesFailBeforeReadingRequests() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let usage = runTool(["serve", "--model", fixture.model, "--weight-bits", "1-3"])
    #expect(usage.status == 64)
    #expect(usage.errors.contains("--weight-bits"))
    let missing = runTool(["serve", "--model", fixture.path("missing.psmodel"), "--data", fixture.data])
    #expect(missing.status == 1)
    #expect(missing.errors.hasPrefix("Error: "))
    let pin = runTool(["serve", "--model", fixture.model, "--data", fixture.data, "--pin", "conv9=8"])
    #expect(pin.status == 64)
    #expect(pin.errors.contains("no weighted layer 'conv9'"))
    #expect(PrecSearchTool.subcommandNames.contains("serve"))
  }

  /// The real executable over pipes: each answer arrives before the next request is written (flushed per line).
  @Test func theExecutableAnswersEachLineAsItArrives() throws {
    let fixture = try OptimizeFixture()
    defer { fixture.directory.cleanup() }
    let binary = EndToEndTests.productsDirectory.appendingPathComponent("precsearch")
    try #require(FileManager.default.isExecutableFile(atPath: binary.path), "no executable at \(binary.path)")
    let process = Process()
    process.executableURL = binary
    process.arguments = ["serve", "--model", fixture.model, "--data", fixture.data, "--quiet"]
    let input = Pipe(), output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    var buffer = Data()
    func readLine() -> String? {
      while true {
        if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
          let line = String(decoding: buffer[buffer.startIndex..<end], as: UTF8.self)
          buffer = Data(buffer[(end + 1)...])
          return line
        }
        let chunk = output.fileHandleForReading.availableData
        if chunk.isEmpty { return nil }
        buffer.append(chunk)
      }
    }
    input.fileHandleForWriting.write(Data(#"{"id": 1, "weightBits": [8, 8], "activationBits": [8, 8]}"#.utf8 + [10]))
    let first = try #require(readLine())
    #expect(try JSONValue.parse(first)["evaluations"] == 1)
    input.fileHandleForWriting.write(Data("oops\n".utf8))
    let second = try #require(readLine())
    #expect(try JSONValue.parse(second)["error"]?.stringValue?.hasPrefix("line 2 is not JSON") == true)
    try input.fileHandleForWriting.close()
    #expect(readLine() == nil)
    process.waitUntilExit()
    #expect(process.terminationStatus == 0)
  }
}
