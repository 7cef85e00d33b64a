extension ReferenceArchitectures {
  /// DS-CNN as in MLPerf Tiny keyword spotting (`keras_model.py`, model `ds_cnn`, after Hello Edge): 49x10x1 MFCC
  /// input; Conv2D 64 filters 10x4, stride 2, same padding (-> 25x5x64) + BatchNorm + ReLU; four depthwise-separable
  /// blocks, each a depthwise 3x3 convolution (same, `groups` = 64) + BatchNorm + ReLU and a pointwise 1x1
  /// convolution of 64 filters + BatchNorm + ReLU; average pooling 24x5 (MLPerf Tiny's `final_pool_size =
  /// (49/2, 10/2)`, valid, so the 25th row is not pooled: 1x1x64); Flatten; Dense `classes`; Softmax.
  /// About 23 k parameters and 2.66 M MACs (0.32 M in the first convolution, 0.58 M per block).
  /// The reference's Dropout layers (0.2 after the first convolution, 0.4 before pooling) have no inference
  /// effect and are not part of the IR.
  public static func dsCNN(classes: Int = 12, using generator: inout some RandomNumberGenerator) throws -> Network {
    let filters = 64
    var b = NetworkBuilder(input: TensorShape(height: 49, width: 10, channels: 1))
    try b.conv("conv1", Conv2DAttributes(outputChannels: filters, kernelHeight: 10, kernelWidth: 4,
                                         strideHeight: 2, strideWidth: 2), using: &generator)
    b.batchNorm("bn1")
    try b.add("relu1", .relu)
    for block in 1...4 {
      let p = "ds\(block)"
      try b.conv("\(p).depthwise", Conv2DAttributes(outputChannels: filters, kernelHeight: 3, kernelWidth: 3,
                                                    groups: filters), using: &generator)
      b.batchNorm("\(p).bn1")
      try b.add("\(p).relu1", .relu)
      try b.conv("\(p).pointwise", Conv2DAttributes(outputChannels: filters, kernelHeight: 1, kernelWidth: 1),
                 using: &generator)
      b.batchNorm("\(p).bn2")
      try b.add("\(p).relu2", .relu)
    }
    try b.add("pool", .avgPool(PoolAttributes(kernelHeight: 24, kernelWidth: 5)))
    try b.add("flatten", .flatten)
    try b.dense("fc", outputs: classes, using: &generator)
    try b.add("softmax", .softmax)
    return try b.build()
  }
}
