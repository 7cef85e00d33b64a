import PlatformSupport
import Synchronization
import Testing

@Suite struct ParallelMapTests {
  struct PieceFailed: Error, Equatable { let piece: Int }

  @Test(arguments: [1, 2, 3, 8])
  func resultsComeInPieceOrderWhateverTheThreadCount(threads: Int) {
    let squares = ParallelMap.map(count: 1000, threads: threads) { $0 * $0 }
    #expect(squares == (0..<1000).map { $0 * $0 })
    #expect(ParallelMap.map(count: 0, threads: threads) { $0 }.isEmpty)
  }

  @Test(arguments: [1, 2, 4])
  func theLowestFailingPieceIsThrown(threads: Int) {
    #expect(throws: PieceFailed(piece: 3)) {
      _ = try ParallelMap.map(count: 40, threads: threads) { piece -> Int in
        if piece == 3 || piece == 17 || piece == 39 { throw PieceFailed(piece: piece) }
        return piece
      }
    }
  }

  @Test(arguments: [1, 2, 5])
  func forEachRunsEveryPieceOnce(threads: Int) {
    let seen = Mutex<[Int]>([])
    ParallelMap.forEach(count: 64, threads: threads) { piece in seen.withLock { $0.append(piece) } }
    #expect(seen.withLock { $0.sorted() } == Array(0..<64))
  }
}

@Suite struct LibMTests {
  @Test func valuesMatchTheirDefinitions() {
    #expect(LibM.exp(0.0) == 1)
    #expect(abs(LibM.exp(1.0) - 2.718281828459045) < 1e-15)
    #expect(LibM.exp(Float(0)) == 1)
    #expect(LibM.log(1.0) == 0)
    #expect(abs(LibM.log1p(1e-20) - 1e-20) < 1e-35)
    #expect(LibM.sin(0.0) == 0)
    #expect(LibM.cos(0.0) == 1)
    #expect(LibM.pow(2.0, 10.0) == 1024)
  }
}
