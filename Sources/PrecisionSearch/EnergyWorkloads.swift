public import NetworkEngine
public import EnergyModel

extension Network {
  /// What every weighted layer (Conv2D, Dense) does per inference, in `weightedLayerIndices` order, as the energy
  /// model counts it: MACs, weights and biases read, input elements read and output elements written.
  ///
  /// Call it on the folded network (`FixedPointModel.network`), whose weighted layers carry the BatchNorm.
  public var layerWorkloads: [LayerWorkload] {
    let statistics = layerStatistics
    return weightedLayerIndices.map { i in
      let node = nodes[i]
      return LayerWorkload(name: node.name, macs: statistics[i].macs,
                           weightCount: node.parameter(.weight)?.values.count ?? 0,
                           biasCount: node.parameter(.bias)?.values.count ?? 0,
                           inputElements: shapes[inputIndices[i][0]].elementCount,
                           outputElements: shapes[i].elementCount)
    }
  }
}

extension IntegerPlan {
  /// The bit-widths the energy model prices for every weighted layer: its weight bits, its input-activation bits,
  /// and the stored bit-width of its output (the highest precision among the output's readers; 16 at the network
  /// output).
  public var layerPrecisionBits: [LayerPrecisionBits] {
    zip(network.weightedLayerIndices, configuration.layers).map { i, p in
      LayerPrecisionBits(weightBits: p.weightBits, activationBits: p.activationBits, outputBits: storageBits[i])
    }
  }
}
