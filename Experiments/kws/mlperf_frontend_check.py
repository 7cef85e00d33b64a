#!/usr/bin/env python3
"""Cross-check of the mlperf-tiny front-end outside Swift: MLPerf Tiny's recipe recomputed with TensorFlow's own
tf.signal functions (when tensorflow imports) and with plain numpy (float64), each compared with MLPerf's
reference int8 features of its 1,000 test clips. Prints one histogram of differences (recomputed minus
reference, int8 codes) per implementation.

  python3 Experiments/kws/mlperf_frontend_check.py [../shared/data/mlperf-tiny-kws]

The recipe (mlcommons/tiny benchmark/training/keyword_spotting/get_dataset.py, feature_type "mfcc", kws_util.py
defaults): float32 samples divided by their signed maximum, zero-padded to 16,000; tf.signal.stft(frame_length
480, frame_step 320, fft_length None -> 512, Hann periodic window, no end padding); magnitude;
linear_to_mel_weight_matrix(40, 257, 16000, 20, 4000); log(mel + 1e-6); mfccs_from_log_mel_spectrograms, first
10; int8 = np.array(value / 0.5847029 + 83, dtype=np.int8) as make_bin_files.py writes it (truncation; numpy's
cast wraps on x86-64).
"""
import csv
import os
import sys
import wave
from collections import Counter

import numpy as np

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../shared/data/mlperf-tiny-kws")
SCALE = np.float32(0.5847029)
ZERO = 83


def read_pcm(path):
    with wave.open(path) as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1 and w.getframerate() == 16000, path
        return np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


def quantize(values):
    # float32 arithmetic, then numpy's float -> int8 cast (what make_bin_files.py does).
    q = values.astype(np.float32) / SCALE + np.float32(ZERO)
    return np.trunc(q).astype(np.int64).astype(np.int32).astype(np.int8)


def numpy_features(pcm):
    x = pcm.astype(np.float64)
    x = np.pad(x / x.max(), (0, 16000 - len(x)))
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(480) / 480)
    frames = np.stack([x[t * 320:t * 320 + 480] * window for t in range(49)])
    spectrum = np.abs(np.fft.rfft(frames, 512))
    mel = lambda f: 1127.0 * np.log(1.0 + f / 700.0)
    bins = mel(np.linspace(0, 8000, 257)[1:])[:, None]
    edges = np.linspace(mel(20.0), mel(4000.0), 42)
    lo, mid, hi = edges[:-2][None], edges[1:-1][None], edges[2:][None]
    weights = np.vstack([np.zeros((1, 40)), np.maximum(0, np.minimum((bins - lo) / (mid - lo), (hi - bins) / (hi - mid)))])
    log_mel = np.log(spectrum @ weights + 1e-6)
    k, b = np.arange(10)[:, None], np.arange(40)[None, :]
    return log_mel @ (2 * np.cos(np.pi * k * (b + 0.5) / 40) / np.sqrt(80.0)).T


def tensorflow_features():
    try:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf
    except ImportError:
        return None, None
    matrix = tf.signal.linear_to_mel_weight_matrix(40, 257, 16000, 20.0, 4000.0)

    def features(pcm):
        x = tf.cast(pcm, tf.float32)
        x = x / tf.reduce_max(x)
        x = tf.pad(x, [[0, 16000 - tf.shape(x)[-1]]])
        stft = tf.signal.stft(x, frame_length=480, frame_step=320, fft_length=None, window_fn=tf.signal.hann_window)
        log_mel = tf.math.log(tf.tensordot(tf.abs(stft), matrix, 1) + 1e-6)
        return tf.signal.mfccs_from_log_mel_spectrograms(log_mel)[..., :10].numpy()

    return features, tf.__version__


def main():
    rows = list(csv.DictReader(open(os.path.join(ROOT, "labels.csv"))))
    tf_features, tf_version = tensorflow_features()
    implementations = [("numpy float64", numpy_features)]
    if tf_features is not None:
        implementations.append((f"tensorflow {tf_version} float32", tf_features))
    else:
        print("tensorflow not importable: numpy only")
    for name, features in implementations:
        histogram, silent = Counter(), Counter()
        for row in rows:
            pcm = read_pcm(os.path.join(ROOT, "audio", row["label"], row["file"]))
            ours = quantize(features(pcm)).astype(int)
            reference = np.fromfile(os.path.join(ROOT, row["mfcc_file"]), dtype=np.int8).reshape(49, 10).astype(int)
            difference = ours - reference
            histogram.update(difference.ravel().tolist())
            for t in range(49):
                if not pcm[t * 320:t * 320 + 480].any():
                    silent.update(int(c) for c in np.nonzero(difference[t])[0])
        total = sum(histogram.values())
        print(f"{name} against mfcc-int8 ({len(rows)} clips, {total} values; recomputed - reference):")
        for key in sorted(histogram):
            print(f"  {key}: {histogram[key]}")
        print(f"  equal: {histogram[0]} of {total} ({100 * histogram[0] / total:.3f}%); differences in all-zero frames "
              f"by coefficient: {dict(sorted(silent.items()))}")


if __name__ == "__main__":
    main()
