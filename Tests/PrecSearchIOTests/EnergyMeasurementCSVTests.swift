import EnergyModel
import Foundation
import Testing
@testable import PrecSearchFormats
@testable import PrecSearchIO

/// The calibration CSV reader: the documented example, syntax variants, and every rejection naming the file, line
/// and column.
@Suite struct EnergyMeasurementCSVTests {
  static let layers = ["conv1", "conv2", "fc1", "fc2", "fc3"]

  static func parse(_ text: String) throws -> EnergyMeasurementCSV {
    try EnergyMeasurementCSV.parse(Data(text.utf8), file: "m.csv")
  }

  static func error(_ text: String) -> String? {
    do {
      _ = try parse(text)
      return nil
    } catch {
      return "\(error)"
    }
  }

  @Test func documentedExampleParsesAndMapsToMeasurements() throws {
    let text = """
      id,scope,layer,weight_bits,activation_bits,output_bits,energy_pj
      r1,network,,8;8;8;8;8,8;8;8;8;8,,921000
      r2,network,,4;4;8;8;16,4;4;8;8;16,,1210500
      r3,layer,fc1,4,8,8,410000

      """
    let csv = try Self.parse(text)
    #expect(csv.rows.count == 3 && csv.networkRowCount == 2 && csv.layerRowCount == 1)
    #expect(csv.checksum == sha256Hex(of: Data(text.utf8)))
    #expect(csv.rows[1] == EnergyMeasurementRow(
      line: 3, identifier: "r2", scope: .network, layerName: nil, weightBits: [4, 4, 8, 8, 16],
      activationBits: [4, 4, 8, 8, 16], outputBits: nil, measuredPicojoules: 1_210_500))
    let measurements = try csv.measurements(layerNames: Self.layers)
    // Chained: each layer's output at the next layer's activation width, the last at 16.
    #expect(measurements[1].precisions == (try LayerPrecisionBits.sequential(
      weightBits: [4, 4, 8, 8, 16], activationBits: [4, 4, 8, 8, 16])))
    #expect(measurements[2] == EnergyMeasurement(
      identifier: "r3", layerName: "fc1", precisions: [LayerPrecisionBits(weightBits: 4, activationBits: 8, outputBits: 8)],
      measuredPicojoules: 410_000))
    #expect(measurements[0].layerName == nil && measurements[0].measuredPicojoules == 921_000)
  }

  @Test func columnsInAnyOrderQuotesCRLFBOMAndOneWidthForAllLayers() throws {
    let text = "\u{FEFF}energy_pj , id,scope,layer,activation_bits,weight_bits\r\n"
      + "1.5e3,\"a,\"\"1\"\"\",network,,8,4\r\n\r\n"
      + " 2.25 ,b,layer,\"conv2\",16,2\r\n"
    // A layer row needs output_bits, which this header lacks.
    #expect(Self.error(text) == "measurements file 'm.csv', line 4, column 'output_bits': a layer row needs the width"
      + " its output is written at (e.g. the next layer's activation bits, 16 for the last layer)")
    let fixed = text.replacingOccurrences(of: "weight_bits\r\n", with: "weight_bits,output_bits\r\n")
      .replacingOccurrences(of: "8,4\r\n", with: "8,4,\r\n").replacingOccurrences(of: "16,2\r\n", with: "16,2,16\r\n")
    let csv = try Self.parse(fixed)
    #expect(csv.rows.map(\.identifier) == ["a,\"1\"", "b"])
    #expect(csv.rows.map(\.line) == [2, 4])
    #expect(csv.rows[0].measuredPicojoules == 1500 && csv.rows[1].measuredPicojoules == 2.25)
    let measurements = try csv.measurements(layerNames: Self.layers)
    #expect(measurements[0].precisions.map(\.weightBits) == [4, 4, 4, 4, 4])
    #expect(measurements[0].precisions.map(\.outputBits) == [8, 8, 8, 8, 16])
    #expect(measurements[1].precisions == [LayerPrecisionBits(weightBits: 2, activationBits: 16, outputBits: 16)])
    // Explicit output widths and a custom chain rule.
    let explicit = try Self.parse("id,scope,layer,weight_bits,activation_bits,output_bits,energy_pj\n"
      + "x,network,,8,8,4;4;4;4;2,5\n")
    #expect(try explicit.measurements(layerNames: Self.layers)[0].precisions.map(\.outputBits) == [4, 4, 4, 4, 2])
    let chained = try Self.parse("id,scope,layer,weight_bits,activation_bits,energy_pj\nx,network,,8,6,5\n")
    #expect(try chained.measurements(layerNames: Self.layers) { _, a in a.map { $0 + 1 } }[0]
      .precisions.map(\.outputBits) == [7, 7, 7, 7, 7])
  }

  @Test func writerOutputReadsBack() throws {
    let rows = [
      EnergyMeasurementRow(line: 2, identifier: "n,1", scope: .network, layerName: nil, weightBits: [8, 4],
                           activationBits: [8, 8], outputBits: nil, measuredPicojoules: 123.456),
      EnergyMeasurementRow(line: 3, identifier: "l1", scope: .layer, layerName: "fc", weightBits: [2],
                           activationBits: [3], outputBits: [16], measuredPicojoules: 1e-3),
    ]
    #expect(try Self.parse(EnergyMeasurementCSV.text(rows)).rows == rows)
  }

  @Test func rejectionsNameFileLineAndColumn() {
    let header = "id,scope,layer,weight_bits,activation_bits,output_bits,energy_pj\n"
    let cases: [(String, String)] = [
      ("", "measurements file 'm.csv': the file is empty; expected a header line"
        + " (id,scope,layer,weight_bits,activation_bits,output_bits,energy_pj) and at least one row"),
      (header, "measurements file 'm.csv': the file has a header but no measurement rows"),
      ("id,scope,layer,weight_bits,activation_bits,energy_nj\n", "measurements file 'm.csv', line 1, column 6"
        + " (energy_nj): unknown column 'energy_nj'; expected the columns id, scope, layer, weight_bits,"
        + " activation_bits, output_bits, energy_pj"),
      ("id,scope,layer,weight_bits,activation_bits\n", "measurements file 'm.csv', line 1, column 'energy_pj':"
        + " missing required column 'energy_pj'; the header must name id, scope, weight_bits, activation_bits,"
        + " energy_pj (layer and output_bits are optional)"),
      ("id,scope,weight_bits,activation_bits,energy_pj\nr1,layer,8,8,1\n", "measurements file 'm.csv', line 2,"
        + " column 'layer': a layer row needs the layer's name"),
      ("id,scope,layer,weight_bits,activation_bits,energy_pj,id\n", "measurements file 'm.csv', line 1, column 7"
        + " (id): column 'id' appears twice (also column 1)"),
      (header + "r1,network,,8,8,,1\nr2,network,,8,8,1\n",
       "measurements file 'm.csv', line 3: 6 fields but the header has 7 columns"),
      (header + "r1,network,,8,8,,1\nr2,network,,8,8,,-5\n",
       "measurements file 'm.csv', line 3, column 7 (energy_pj): '-5' is not a number; expected the measured energy"
        + " per inference in pJ, e.g. 921000 or 9.21e5"),
      (header + "r1,network,,8,8,,0\n", "measurements file 'm.csv', line 2, column 7 (energy_pj): '0' is not a"
        + " finite energy > 0 pJ"),
      (header + "r1,network,,8,8,,inf\n", "measurements file 'm.csv', line 2, column 7 (energy_pj): 'inf' is not a"
        + " number; expected the measured energy per inference in pJ, e.g. 921000 or 9.21e5"),
      (header + "r1,network,,8,8,,1e999\n", "measurements file 'm.csv', line 2, column 7 (energy_pj): '1e999' is"
        + " not a finite energy > 0 pJ"),
      (header + "r1,network,,8;x;8,8,,1\n", "measurements file 'm.csv', line 2, column 4 (weight_bits): 'x' (item 2"
        + " of 3) is not an integer; expected widths in 1...32 bits separated by ';'"),
      (header + "r1,network,,8;;8,8,,1\n", "measurements file 'm.csv', line 2, column 4 (weight_bits): '' (item 2"
        + " of 3) is not an integer; expected widths in 1...32 bits separated by ';'"),
      (header + "r1,network,,8,33,,1\n", "measurements file 'm.csv', line 2, column 5 (activation_bits): 33 is"
        + " outside 1...32 bits"),
      (header + "r1,network,,8;8,8;8;8,,1\n", "measurements file 'm.csv', line 2, column 5 (activation_bits): 3"
        + " widths but weight_bits has 2; give the same number (or one for all layers)"),
      (header + "r1,layer,fc1,8;8,8,8,1\n", "measurements file 'm.csv', line 2, column 4 (weight_bits): '8;8' has 2"
        + " widths; a layer row takes exactly one"),
      (header + "r1,layer,,8,8,8,1\n", "measurements file 'm.csv', line 2, column 3 (layer): a layer row needs the"
        + " layer's name"),
      (header + "r1,layer,fc1,8,8,,1\n", "measurements file 'm.csv', line 2, column 6 (output_bits): a layer row"
        + " needs the width its output is written at (e.g. the next layer's activation bits, 16 for the last layer)"),
      (header + "r1,network,fc1,8,8,,1\n", "measurements file 'm.csv', line 2, column 3 (layer): a network row must"
        + " leave the layer empty (found 'fc1'); use scope 'layer' for a one-layer measurement"),
      (header + "r1,model,,8,8,,1\n", "measurements file 'm.csv', line 2, column 2 (scope): 'model' is not a scope;"
        + " expected 'network' or 'layer'"),
      (header + ",network,,8,8,,1\n", "measurements file 'm.csv', line 2, column 1 (id): the id is empty; every row"
        + " needs a unique id"),
      (header + "r1,network,,8,8,,1\n\nr1,network,,4,4,,1\n", "measurements file 'm.csv', line 4, column 1 (id): id"
        + " 'r1' is also used on line 2; ids must be unique"),
      (header + "r1,network,,8,8,,\"1\n", "measurements file 'm.csv', line 2, column 7: a quoted field is not"
        + " closed before the end of the file"),
      (header + "r1,net\"work,,8,8,,1\n", "measurements file 'm.csv', line 2, column 2: a quote inside an unquoted"
        + " field; quote the whole field and double the quotes inside"),
      (header + "\"r1\"x,network,,8,8,,1\n", "measurements file 'm.csv', line 2, column 1: text after the closing"
        + " quote of a quoted field"),
    ]
    for (text, expected) in cases {
      #expect(Self.error(text) == expected, "\(text)")
    }
  }

  @Test func invalidUTF8NamesTheLine() {
    var bytes = Array("id,scope,layer,weight_bits,activation_bits,energy_pj\nr1,network,,8,8,1\n".utf8)
    bytes += [0x72, 0x32, 0xFF, 0x2C]
    #expect(throws: EnergyMeasurementCSVError(file: "m.csv", line: 3, message: "the file is not valid UTF-8 text")) {
      try EnergyMeasurementCSV.parse(Data(bytes), file: "m.csv")
    }
  }

  @Test func matchingAgainstTheNetworkNamesLineAndColumn() throws {
    let header = "id,scope,layer,weight_bits,activation_bits,output_bits,energy_pj\n"
    func failure(_ row: String, chain: ([Int], [Int]) throws -> [Int] = { _, a in Array(a.dropFirst()) + [16] })
      throws -> String? {
      let csv = try Self.parse(header + row)
      let result = Result { try csv.measurements(layerNames: ["a", "b"], chainedOutputBits: chain) }
      guard case .failure(let error) = result else { return nil }
      return "\(error)"
    }
    #expect(try failure("r1,layer,c,8,8,8,1\n") == "measurements file 'm.csv', line 2, column 'layer': 'c' is not a"
      + " weighted layer of the model; expected one of a, b")
    #expect(try failure("r1,network,,8;8;8,8;8;8,,1\n") == "measurements file 'm.csv', line 2, column 'weight_bits': 3"
      + " widths but the model has 2 weighted layers (a, b); give one width per layer separated by ';', or one for all")
    #expect(try failure("r1,network,,8,8,4;4;4,1\n") == "measurements file 'm.csv', line 2, column 'output_bits': 3"
      + " widths but the model has 2 weighted layers (a, b); give one width per layer separated by ';', or one for all")
    struct ChainFailure: Error, CustomStringConvertible { var description: String { "no chain" } }
    #expect(try failure("r1,network,,8,8,,1\n", chain: { _, _ in throw ChainFailure() })
      == "measurements file 'm.csv', line 2, column 'output_bits': no chain")
    #expect(try failure("r1,network,,8,8,,1\n", chain: { _, _ in [8] })
      == "measurements file 'm.csv', line 2, column 'output_bits': the chained output widths have 1 entries for 2 layers")
  }

  @Test func readFromAMissingFileNamesIt() {
    #expect(throws: EnergyMeasurementCSVError(file: "/nonexistent/m.csv", line: nil, message: "no such file")) {
      try EnergyMeasurementCSV.read(from: "/nonexistent/m.csv")
    }
  }
}
