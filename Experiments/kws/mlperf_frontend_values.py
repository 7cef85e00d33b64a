#!/usr/bin/env python3
"""Independent numpy values for the MLPerf Tiny front-end tests (Tests/AudioFeaturesTests/MLPerfFrontEndTests.swift).

Implements MLPerf Tiny's keyword-spotting MFCC recipe (mlcommons/tiny benchmark/training/keyword_spotting/
get_dataset.py with kws_util.py's defaults, on tf.signal) with numpy only, written from TensorFlow's
mel_ops.py / mfcc_ops.py / spectral_ops.py rather than from the Swift code:
  wav / max(wav) (signed maximum), frames of 480 every 320 (no padding), periodic Hann, |rfft(512)|,
  linear_to_mel_weight_matrix(40, 257, 16000, 20, 4000) (HTK mel, DC row zero), log(mel + 1e-6),
  DCT-II times rsqrt(2 * 40), first 10; int8 = trunc(value / 0.5847029 + 83) in float32, wrapped.
Prints Swift literals. Usage: python3 Experiments/kws/mlperf_frontend_values.py
"""
import numpy as np

def hz_to_mel(f):
    return 1127.0 * np.log(1.0 + f / 700.0)

def mel_matrix(bins=257, bands=40, rate=16000.0, low=20.0, high=4000.0):
    freqs = np.linspace(0.0, rate / 2, bins)[1:]          # DC dropped, re-added as a zero row
    m = hz_to_mel(freqs)[:, None]
    edges = np.linspace(hz_to_mel(low), hz_to_mel(high), bands + 2)
    lower, centre, upper = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    w = np.maximum(0.0, np.minimum((m - lower) / (centre - lower), (upper - m) / (upper - centre)))
    return np.vstack([np.zeros((1, bands)), w])          # [bins, bands]

def features(samples):
    x = samples.astype(np.float64)
    x = x / x.max()
    x = np.pad(x, (0, 16000 - len(x)))
    n = np.arange(480)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * n / 480)
    frames = np.stack([x[t * 320:t * 320 + 480] * window for t in range(49)])
    spectrum = np.abs(np.fft.rfft(frames, 512))
    log_mel = np.log(spectrum @ mel_matrix() + 1e-6)
    # Unnormalized DCT-II (2 * sum x cos(...)) times rsqrt(2N), as mfccs_from_log_mel_spectrograms.
    k = np.arange(40)[:, None]
    b = np.arange(40)[None, :]
    dct = 2.0 * np.cos(np.pi * k * (b + 0.5) / 40) / np.sqrt(2.0 * 40)
    return (log_mel @ dct.T)[:, :10]

def codes(values):
    q = values.astype(np.float32) / np.float32(0.5847029) + np.float32(83)
    t = np.trunc(q).astype(np.int64)
    return ((t + 128) % 256) - 128, q

def swift(name, values, fmt):
    print(f"  static let {name}: [{'Double' if fmt == 'f' else 'Int'}] = [" +
          ", ".join((f"{v:.9g}" if fmt == 'f' else str(int(v))) for v in values) + "]")

if __name__ == "__main__":
    m = mel_matrix()
    print("  // mel matrix [257 bins x 40 bands]: first and last non-zero bin of bands 0, 1, 20, 39; weights of bin 10")
    ranges = []
    for band in (0, 1, 20, 39):
        nz = np.nonzero(m[:, band])[0]
        ranges += [int(nz[0]), int(nz[-1])]
    swift("melRanges", ranges, 'd')
    swift("melBin10", m[10], 'f')
    # 0.75 s (zero-padded to 1 s) of two tones under a rising envelope, shifted down so that the negative peak is
    # the larger one (the signed maximum, not the largest magnitude, divides).
    n = np.arange(12000)
    envelope = 0.2 + 0.8 * n / 12000
    tone = np.round(envelope * (8000 * np.sin(2 * np.pi * 1000 * n / 16000) + 3000 * np.sin(2 * np.pi * 300 * n / 16000))
                    - 2000)
    tone = tone.astype(np.int16)
    f = features(tone)
    c, q = codes(f)
    print(f"  // tone: signed maximum {tone.max()}, largest magnitude {np.abs(tone.astype(int)).max()}")
    for t in (0, 20, 36, 48):
        swift(f"toneFrame{t}", f[t], 'f')
        swift(f"toneCodes{t}", c[t], 'd')
    frac = np.abs(q - np.round(q))
    print(f"  // nearest distance of a code of frames 0, 20, 36 to an integer: {frac[[0, 20, 36]].min():.3g} "
          "(frame 48 is all padding: c1...c9 are 0 up to rounding, codes exactly 83.0)")
