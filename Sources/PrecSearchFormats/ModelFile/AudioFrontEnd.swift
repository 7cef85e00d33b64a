import NetworkEngine

/// The audio front-end a keyword-spotting model reads its input through: how a WAV clip becomes the model's
/// 49 x 10 x 1 feature bytes (docs/audio.md). A model file names it in its optional `audioFrontEnd` header field
/// (docs/model-format.md); `KeywordFeatureExtractor` (PrecSearchIO) computes the features.
public enum AudioFrontEnd: String, Hashable, Sendable, Codable, CaseIterable {
  /// The project's 40 ms recipe (`MFCCConfiguration.keywordSpotting`: 640-sample windows, FFT 1,024, divided by
  /// the largest absolute sample) stored with one step and zero code per coefficient
  /// (`MFCCQuantization.keywordSpotting`). What a 49 x 10 x 1 model without the field reads.
  case precsearch40ms = "precsearch-40ms"
  /// MLPerf Tiny's recipe (`MFCCConfiguration.mlperfTiny`: 480-sample windows, FFT 512, divided by the largest
  /// signed sample) as MLPerf's int8 input (`Int8FeatureQuantization.mlperfTiny`: scale 0.5847029, zero point 83,
  /// truncated), each int8 code stored as the byte `code + 128`.
  case mlperfTiny = "mlperf-tiny"

  /// The shape of the features every front-end here produces: 49 frames x 10 coefficients x 1 channel.
  public static let featureShape = TensorShape(height: 49, width: 10, channels: 1)

  /// The front-end a model reads WAV clips through: `declared` (the model file's `audioFrontEnd`) when present,
  /// else ``precsearch40ms`` for a model whose input is ``featureShape`` and that was not imported (every
  /// keyword-spotting model trained here before the field existed), else nil: an imported model that names no
  /// front-end reads feature tensors, as `precsearch import` writes it (its provenance has a `source`).
  public static func resolved(declared: AudioFrontEnd?, inputShape: TensorShape, imported: Bool) -> AudioFrontEnd? {
    if let declared { return declared }
    return inputShape == featureShape && !imported ? .precsearch40ms : nil
  }
}
