extension ReferenceArchitectures {
  /// The filter counts of mini-Xception as published: 8 in the two stem convolutions, 16/32/64/128 in the four
  /// residual modules.
  public static let miniXceptionStemFilters = 8
  /// The filter counts of the four residual modules of the published mini-Xception.
  public static let miniXceptionModuleFilters = [16, 32, 64, 128]

  /// mini-Xception (Arriaga, Ploeger and Valdenegro, "Real-time Convolutional Neural Networks for Emotion and
  /// Gender Classification", 2017) for 48x48x1 faces, as in the authors' Keras code (`mini_XCEPTION`):
  ///
  /// - stem: two 3x3 convolutions of 8 filters, unpadded (48 -> 46 -> 44), no bias, each followed by
  ///   BatchNorm + ReLU;
  /// - four residual modules of 16, 32, 64 and 128 filters, each: depthwise-separable conv 3x3 (a depthwise 3x3
  ///   `Conv2D` with `groups` = channels, then a pointwise 1x1 `Conv2D`, both without bias) + BatchNorm + ReLU,
  ///   a second depthwise-separable conv + BatchNorm, max pooling 3x3 stride 2 (same padding: 44 -> 22 -> 11 -> 6
  ///   -> 3); the shortcut is a 1x1 stride-2 convolution (no bias) + BatchNorm; the two are added (no ReLU after
  ///   the sum, as in the original);
  /// - head: a 3x3 convolution to `classes` channels (with bias, no BatchNorm), global average pooling, softmax.
  ///
  /// With 7 classes: 58,423 parameters (the count Keras reports for `mini_XCEPTION`; 2,944 of them are the four
  /// BatchNorm vectors, half of those running statistics) and 5,520,448 MACs per image. Everything maps exactly onto the IR (Keras' `SeparableConv2D` is exactly depthwise + pointwise with no
  /// nonlinearity between; BatchNorm epsilon 1e-3 as in Keras). Differences from the Keras model lie in training,
  /// not in the network: weights are He-uniform and regularized by the trainer's weight decay, not by Keras'
  /// `l2(0.01)` kernel regularizers.
  public static func miniXception(classes: Int = 7, using generator: inout some RandomNumberGenerator) throws -> Network {
    try miniXception(classes: classes, stemFilters: miniXceptionStemFilters, moduleFilters: miniXceptionModuleFilters,
                     using: &generator)
  }

  /// mini-Xception with other filter counts (e.g. a wider variant): `stemFilters` in both stem convolutions and
  /// `moduleFilters[i]` in residual module `i + 1`, on an input of `inputShape` (the published model: 8,
  /// [16, 32, 64, 128], 48x48x1). Throws `NetworkError` when a count is not positive or the input is too small
  /// for the two unpadded stem convolutions (at least 5x5).
  public static func miniXception(classes: Int, stemFilters: Int, moduleFilters: [Int],
                                  inputShape: TensorShape = TensorShape(height: 48, width: 48, channels: 1),
                                  using generator: inout some RandomNumberGenerator) throws -> Network {
    guard classes >= 2, stemFilters >= 1, !moduleFilters.isEmpty, moduleFilters.allSatisfy({ $0 >= 1 }) else {
      throw NetworkError(node: "", "miniXception: classes must be >= 2 and filter counts >= 1 (got classes \(classes), "
        + "stem \(stemFilters), modules \(moduleFilters))")
    }
    guard inputShape.height >= 5, inputShape.width >= 5, inputShape.channels >= 1 else {
      throw NetworkError(node: "", "miniXception: the input must be at least 5x5x1, got \(inputShape)")
    }
    var b = NetworkBuilder(input: inputShape)
    func conv3x3(_ name: String, _ filters: Int, padding: Padding = .same, input: String? = nil) throws {
      try b.conv(name, Conv2DAttributes(outputChannels: filters, kernelHeight: 3, kernelWidth: 3, padding: padding),
                 input: input, bias: false, using: &generator)
    }
    /// Keras' `SeparableConv2D(filters, 3x3, padding='same', use_bias=False)`.
    func separable(_ name: String, _ filters: Int, input: String? = nil) throws {
      let channels = b.shape(of: input ?? b.last).channels
      try b.conv("\(name).depthwise", Conv2DAttributes(outputChannels: channels, kernelHeight: 3, kernelWidth: 3,
                 groups: channels), input: input, bias: false, using: &generator)
      try b.conv("\(name).pointwise", Conv2DAttributes(outputChannels: filters, kernelHeight: 1, kernelWidth: 1),
                 bias: false, using: &generator)
    }

    try conv3x3("stem.conv1", stemFilters, padding: .valid)
    b.batchNorm("stem.bn1")
    try b.add("stem.relu1", .relu)
    try conv3x3("stem.conv2", stemFilters, padding: .valid)
    b.batchNorm("stem.bn2")
    var x = try b.add("stem.relu2", .relu)
    for (index, filters) in moduleFilters.enumerated() {
      let p = "module\(index + 1)"
      try b.conv("\(p).shortcut", Conv2DAttributes(outputChannels: filters, kernelHeight: 1, kernelWidth: 1,
                 strideHeight: 2, strideWidth: 2), input: x, bias: false, using: &generator)
      let shortcut = b.batchNorm("\(p).shortcut.bn")
      try separable("\(p).separable1", filters, input: x)
      b.batchNorm("\(p).bn1")
      try b.add("\(p).relu1", .relu)
      try separable("\(p).separable2", filters)
      b.batchNorm("\(p).bn2")
      let main = try b.add("\(p).pool", .maxPool(PoolAttributes(kernelHeight: 3, kernelWidth: 3, strideHeight: 2,
                                                                 strideWidth: 2, padding: .same)))
      x = try b.add("\(p).add", .add, inputs: [main, shortcut])
    }
    try b.conv("head.conv", Conv2DAttributes(outputChannels: classes, kernelHeight: 3, kernelWidth: 3), input: x,
               using: &generator)
    try b.add("head.pool", .globalAvgPool)
    try b.add("softmax", .softmax)
    return try b.build()
  }
}
