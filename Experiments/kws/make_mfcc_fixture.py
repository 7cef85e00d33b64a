#!/usr/bin/env python3
"""Writes Tests/AudioFeaturesTests/Fixtures/mfcc-reference.bin: a few clips and their MFCC features computed here
with numpy, independently of the Swift code, from the definition in docs/audio.md (the MLPerf Tiny keyword-spotting
front-end built on tf.signal: peak normalization, periodic Hann window of 640, rfft 1024, |X|, tf.signal-style mel
weights 40 bands 20..4000 Hz over bins 1..512, ln(x + 1e-6), DCT-II times sqrt(2/40), first 10).

Clips (all synthetic; no recorded speech): a chord of three tones, a chirp with noise, a 0.5 s 22,050 Hz clip of a
sweeping tone (resampled to 16 kHz here with the documented windowed-sinc kernel, evaluated directly), a 0.5 s 8 kHz
clip (same), a short clip (zero-padded), and, when given, WAV files made by Experiments/kws/synthesize.sh.

Usage: python3 Experiments/kws/make_mfcc_fixture.py [synthetic.wav ...]

File layout (little-endian): b"MFCCFIX1", uint32 clip count; per clip: uint32 sample rate, uint32 sample count,
int16 samples, uint32 frame count (49), uint32 coefficient count (10), float64 features (frame-major), then
uint32 resampled count and float32 resampled samples (16 kHz, scaled to [-1, 1)) when the rate is not 16 kHz.
"""
import struct
import sys
import wave

import numpy as np

SR, CLIP, WIN, STEP, NFFT, BANDS, LOW, HIGH, NCOEF, OFFSET = 16000, 16000, 640, 320, 1024, 40, 20.0, 4000.0, 10, 1e-6


def mel(f):
    return 1127.0 * np.log1p(np.asarray(f, dtype=np.float64) / 700.0)


def mel_matrix():
    bins = NFFT // 2 + 1
    freqs = np.linspace(0.0, SR / 2.0, bins)[1:]
    m = mel(freqs)[:, None]
    edges = np.linspace(mel(LOW), mel(HIGH), BANDS + 2)
    lower, center, upper = edges[:-2][None, :], edges[1:-1][None, :], edges[2:][None, :]
    w = np.maximum(0.0, np.minimum((m - lower) / (center - lower), (upper - m) / (upper - center)))
    return np.vstack([np.zeros((1, BANDS)), w])  # bin 0 (DC) gets no weight


def mfcc(x):
    clip = np.zeros(CLIP)
    n = min(CLIP, len(x))
    clip[:n] = x[:n]
    peak = np.max(np.abs(clip))
    if peak > 0:
        clip = clip / peak
    frames = 1 + (CLIP - WIN) // STEP
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WIN) / WIN)
    idx = np.arange(frames)[:, None] * STEP + np.arange(WIN)[None, :]
    spectrum = np.abs(np.fft.rfft(clip[idx] * hann, n=NFFT))
    log_mel = np.log(spectrum @ mel_matrix() + OFFSET)
    b = np.arange(BANDS)
    dct = np.sqrt(2.0 / BANDS) * np.cos(np.pi * np.arange(NCOEF)[:, None] * (b[None, :] + 0.5) / BANDS)
    return log_mel @ dct.T


def resample(x, rate_in, rate_out=SR, zero_crossings=16, beta=8.6, cutoff=0.95):
    """Direct evaluation of the documented windowed-sinc kernel (no polyphase tables)."""
    rho = cutoff * min(1.0, rate_out / rate_in)
    half = zero_crossings / rho
    count = (len(x) * rate_out + rate_in // 2) // rate_in
    out = np.zeros(count)
    reach = int(np.ceil(half))
    i0b = np.i0(beta)
    for n in range(count):
        t = n * rate_in / rate_out
        q = (n * rate_in) // rate_out
        k = np.arange(max(0, q - reach), min(len(x) - 1, q + reach) + 1)
        u = t - k
        z = u / half
        w = np.where(np.abs(z) <= 1, np.i0(beta * np.sqrt(np.clip(1 - z * z, 0, None))) / i0b, 0.0)
        out[n] = np.sum(x[k] * rho * np.sinc(rho * u) * w)
    return out


def to_int16(x):
    return np.clip(np.round(x * 32767), -32768, 32767).astype(np.int16)


def clips(paths):
    rng = np.random.default_rng(7)
    t = np.arange(16000) / 16000.0
    yield "chord", 16000, to_int16(0.3 * np.sin(2 * np.pi * 440 * t) + 0.2 * np.sin(2 * np.pi * 1250 * t)
                                   + 0.1 * np.sin(2 * np.pi * 3100 * t))
    chirp = np.sin(2 * np.pi * (100 * t + 1900 * t * t)) * np.minimum(1, 4 * t) + 0.05 * rng.standard_normal(16000)
    yield "chirp+noise", 16000, to_int16(0.5 * chirp)
    t22 = np.arange(11025) / 22050.0
    yield "sweep@22050", 22050, to_int16(0.6 * np.sin(2 * np.pi * (300 * t22 + 1500 * t22 * t22)))
    t8 = np.arange(4000) / 8000.0
    yield "tones@8000", 8000, to_int16(0.4 * np.sin(2 * np.pi * 700 * t8) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t8)))
    yield "short", 16000, to_int16(0.5 * np.sin(2 * np.pi * 1000 * t[:9000]) * np.hanning(9000))
    for path in paths:
        with wave.open(path) as w:
            assert w.getnchannels() == 1 and w.getsampwidth() == 2
            yield path, w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")


def main():
    out = bytearray(b"MFCCFIX1")
    items = list(clips(sys.argv[1:]))
    out += struct.pack("<I", len(items))
    for name, rate, pcm in items:
        x = pcm.astype(np.float64) / 32768.0
        # Float32, as stored below and as the Swift resampler returns it: both sides compute MFCC of the same values.
        resampled = x if rate == SR else resample(x, rate).astype(np.float32).astype(np.float64)
        features = mfcc(resampled)
        out += struct.pack("<II", rate, len(pcm)) + pcm.astype("<i2").tobytes()
        out += struct.pack("<II", *features.shape) + features.astype("<f8").tobytes()
        if rate != SR:
            out += struct.pack("<I", len(resampled)) + resampled.astype("<f4").tobytes()
        print(f"{name}: {rate} Hz, {len(pcm)} samples, features {features.shape}, "
              f"c0 range {features[:, 0].min():.3f}..{features[:, 0].max():.3f}", file=sys.stderr)
    path = "Tests/AudioFeaturesTests/Fixtures/mfcc-reference.bin"
    with open(path, "wb") as f:
        f.write(out)
    print(f"wrote {path} ({len(out)} bytes), numpy {np.__version__}", file=sys.stderr)


if __name__ == "__main__":
    main()
