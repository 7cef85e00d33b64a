#!/usr/bin/env bash
# Synthesizes the keyword-spotting training data: 1 s clips (16 kHz mono 16-bit PCM WAV) of the 10 Speech Commands
# words (yes no up down left right on off stop go), of other words (class "unknown") and of noise (class "silence"),
# spoken by many text-to-speech voices and augmented with sox. Writes WAVs and manifest.csv to OUT (outside the repo).
#
# Debian packages it needs (installed with apt-get when a program is missing; all in Debian main):
#   espeak-ng festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts flite sox
#   and, unless KWS_ACCENTED_RENDITIONS=0: festvox-italp16k festvox-itapc16k festvox-suopuhe-lj festvox-suopuhe-mv
#   festvox-czech-dita festvox-czech-machac
#
# Usage: Experiments/kws/synthesize.sh [OUT] [SEED]      (defaults: /tmp/kws-synth, 1)
#   env KWS_SCALE=0.1 for fewer renditions, KWS_TRAIN_COPIES (default 3) augmented copies per training rendition,
#   KWS_OTHER_TRAIN_RENDITIONS (default 30) renditions per festival/flite voice of a training speaker (validation and
#   test speakers: 10), since only 3 of the 5 festival/flite speakers train; KWS_ACCENTED_RENDITIONS (default 10; 0: none)
#   renditions per accented diphone voice (training speakers; see docs/audio.md), KWS_ACCENTED_VOICES (default 6; 8 adds
#   the Czech voices krb, a child, and ph, after the other six, from festvox-czech-krb festvox-czech-ph; not shipped),
#   KWS_COMMANDS (default "yes no up down left right on off stop go") the command words to synthesize
#
# Voices: a "speaker" is an espeak-ng voice variant (e.g. "f3": it speaks with 3 of the 7 English accents chosen by the
# seed), or one of the 5 speakers of festival / flite (kal: festival kal_diphone + flite kal + flite kal16; ked: festival
# ked_diphone; slt: festival cmu_us_slt_arctic_hts + flite slt; awb: flite; rms: flite).
# Split BY SPEAKER, never by clip: of the espeak-ng variants, 15% (seeded shuffle) are validation and 15% test; of the 5
# other speakers, 1 is validation, 1 test, 3 train, stratified by synthesis kind (diphone: kal, ked; statistical: slt,
# awb, rms): one of each kind is held out, so no held-out speaker is of a kind that never trains. Every clip of a
# speaker lands in that speaker's split.
# Accented diphone speakers (KWS_ACCENTED_RENDITIONS, default 10), training only: Debian main has just two English
# diphone speakers (kal, ked), so one is all the diphone synthesis that trains. Six Italian, Finnish and Czech
# festival diphone voices (lp, pc, mv, lj, dita, machac) add diphone synthesis with an accent: they say the command
# words respelled for their letter-to-sound rules (yes -> "jes", right -> "rait", ...; the same respelling reads
# alike in all three languages) and the unknown words as spelled. They are made last, so every clip before them
# (all validation and test clips) is the same with or without them. With 10 renditions, over training seeds 1-3,
# they raised the held-out synthetic speakers from 83.1 to 87.2% (the held-out diphone speaker from 66.6 to 78.2%)
# and left the real Speech Commands clips where they were (70.9 and 70.2%, within the seeds' spread), so the
# shipped model is trained with them (docs/audio.md).
#
# Per clip: TTS with a random pitch and rate (espeak-ng -p/-s; festival Duration_Stretch; sox pitch for festival/flite),
# then sox: leading/trailing silence trimmed, speed 0.88..1.12 (pitch and formants), tempo 0.85..1.2, band limits (highpass 60..300 Hz, lowpass 3.4..7.5 kHz;
# 70% of clips), reverb (50% of clips), peak level -1 dB then gain -12..0 dB, random time shift inside the 1 s window,
# and a background noise segment (white, pink, brown, room rumble, mains hum + pink, babble; level 0..-16 dB below the
# speech peak, none for 15% of clips) cut at a random offset from a 30 s noise bank. "silence" clips are noise alone.
#
# Deterministic given SEED: bash's RANDOM is seeded once and only ever read in this (main) shell, sox runs with -R
# (repeatable), and the noise bank is made by the same commands each time. Same tool versions -> same bytes.
set -euo pipefail

OUT=${1:-/tmp/kws-synth}
SEED=${2:-1}
SCALE=${KWS_SCALE:-1}
# Augmented copies of each TTS rendition for training speakers (validation and test speakers get one).
TRAIN_COPIES=${KWS_TRAIN_COPIES:-3}
ACCENTED_RENDITIONS=${KWS_ACCENTED_RENDITIONS:-10}
ACCENTED_COUNT=${KWS_ACCENTED_VOICES:-6}
case "$ACCENTED_COUNT" in
  6|8) ;;
  *) echo "synthesize.sh: KWS_ACCENTED_VOICES must be 6 or 8, got '$ACCENTED_COUNT'" >&2; exit 64 ;;
esac
PACKAGES=(espeak-ng festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts flite sox)
VOICE_DIRS=(english/kal_diphone english/ked_diphone us/cmu_us_slt_arctic_hts)
if (( ACCENTED_RENDITIONS > 0 )); then
  PACKAGES+=(festvox-italp16k festvox-itapc16k festvox-suopuhe-lj festvox-suopuhe-mv festvox-czech-dita festvox-czech-machac)
  VOICE_DIRS+=(italian/lp_diphone italian/pc_diphone finnish/hy_fi_mv_diphone finnish/suo_fi_lj_diphone
               czech/czech_dita czech/czech_machac)
  if (( ACCENTED_COUNT == 8 )); then
    PACKAGES+=(festvox-czech-krb festvox-czech-ph)
    VOICE_DIRS+=(czech/czech_krb czech/czech_ph)
  fi
fi

need_install=0
for program in espeak-ng festival text2wave flite sox; do command -v "$program" >/dev/null || need_install=1; done
for voice in "${VOICE_DIRS[@]}"; do [ -d "/usr/share/festival/voices/$voice" ] || need_install=1; done
if [ "$need_install" = 1 ]; then
  echo "Installing ${PACKAGES[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >&2
fi

# KWS_COMMANDS: the command words to synthesize (default all 10; e.g. "on off" for the real-speech data of
# docs/audio.md, whose other command words are real recordings). Other words and silence are made either way.
read -r -a COMMANDS <<< "${KWS_COMMANDS:-yes no up down left right on off stop go}"
# Other words ("unknown"): the 20 auxiliary Speech Commands words plus 20 more.
UNKNOWN=(bed bird cat dog eight five four happy house marvin nine one seven sheila six three tree two wow zero
         learn follow forward backward visual apple water yellow open close hello pillow table orange music
         number paper river marble window)
ACCENTS=(en-us en-gb en-gb-scotland en-gb-x-gbclan en-gb-x-rp en-gb-x-gbcwmd en-029)
VARIANTS=(Alex Alicia Andrea Andy Annie AnxiousAndy Demonic Denis Diogo Gene Gene2 Henrique Hugo Jacky Lee Marco Mario
  Michael Mike Nguyen RicishayMax RicishayMax2 RicishayMax3 Storm Tweaky UniRobot adam anika anikaRobot announcer
  antonio aunty belinda benjamin boris caleb croak david ed edward edward2 f1 f2 f3 f4 f5 fast grandma grandpa gustave
  iven iven2 iven3 iven4 john kaukovalta klatt klatt2 klatt3 klatt4 klatt5 klatt6 linda m1 m2 m3 m4 m5 m6 m7 m8
  marcelo max michel miguel norbert pablo paul pedro quincy rob robert robosoft robosoft2 robosoft3 robosoft4
  robosoft5 robosoft6 robosoft7 robosoft8 sandro shelby steph steph2 steph3 travis victor whisper whisperf zac)
OTHER_SPEAKERS=(kal ked slt awb rms)

RANDOM=$SEED
# R <- uniform integer in 0..<$1 (main shell only, so the sequence is deterministic).
rand() { R=$(( (RANDOM * 32768 + RANDOM) % $1 )); }
# F <- decimal text of a uniform number in [$1, $2] with 3 decimals (arguments in thousandths).
randf() { rand $(( $2 - $1 + 1 )); local v=$(( $1 + R )); local s=""; if [ $v -lt 0 ]; then s="-"; v=$(( -v )); fi
  F=$(printf '%s%d.%03d' "$s" $((v / 1000)) $((v % 1000))); }

WORK=$(mktemp -d /tmp/kws-synth-work.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$OUT"
rm -rf "$OUT/clips"; mkdir -p "$OUT/clips"
SOX=(sox -R -V1)

# Noise bank: 30 s of each kind at 16 kHz, peak -1 dB.
echo "Noise bank" >&2
NOISES=(white pink brown rumble hum babble)
"${SOX[@]}" -n -r 16000 -b 16 -c 1 "$WORK/noise-white.wav" synth 30 whitenoise norm -1
"${SOX[@]}" -n -r 16000 -b 16 -c 1 "$WORK/noise-pink.wav" synth 30 pinknoise norm -1
"${SOX[@]}" -n -r 16000 -b 16 -c 1 "$WORK/noise-brown.wav" synth 30 brownnoise norm -1
"${SOX[@]}" -n -r 16000 -b 16 -c 1 "$WORK/noise-rumble.wav" synth 30 brownnoise lowpass 400 norm -1
"${SOX[@]}" -n -r 16000 -b 16 -c 1 "$WORK/noise-hum.wav" synth 30 pinknoise synth 30 sine mix 50 norm -1
BABBLE_TEXT=("the weather was cold and the market closed early that evening"
  "please remember to bring the blue folder to the meeting tomorrow"
  "a small boat drifted slowly across the quiet lake at sunrise")
for i in 0 1 2; do
  espeak-ng -v "${ACCENTS[$i]}+${VARIANTS[$((i * 7))]}" -s 170 -w "$WORK/babble-$i.wav" "${BABBLE_TEXT[$i]}"
  "${SOX[@]}" "$WORK/babble-$i.wav" -r 16000 -b 16 -c 1 "$WORK/babble-$i-16k.wav" repeat 10 trim 0 30 pad 0 30 trim 0 30
done
"${SOX[@]}" -m "$WORK/babble-0-16k.wav" "$WORK/babble-1-16k.wav" "$WORK/babble-2-16k.wav" "$WORK/noise-babble.wav" \
  lowpass 3000 norm -1

# Splits: seeded shuffle of the espeak-ng variants (15% validation, 15% test) and of the 5 other speakers.
declare -A SPLIT
shuffle() { # shuffles the array named $1 in place (Fisher-Yates with rand)
  local -n a=$1; local i j t
  for (( i = ${#a[@]} - 1; i > 0; i-- )); do rand $(( i + 1 )); j=$R; t=${a[$i]}; a[$i]=${a[$j]}; a[$j]=$t; done
}
shuffled=("${VARIANTS[@]}"); shuffle shuffled
n=${#shuffled[@]}; nv=$(( n * 15 / 100 )); nt=$(( n * 15 / 100 ))
for (( i = 0; i < n; i++ )); do
  if (( i < nv )); then SPLIT[${shuffled[$i]}]=validation; elif (( i < nv + nt )); then SPLIT[${shuffled[$i]}]=test
  else SPLIT[${shuffled[$i]}]=train; fi
done
# The 5 other speakers are split stratified by synthesis kind, so that the kind of every held-out speaker also trains:
# diphone concatenation (kal, ked) and statistical parametric synthesis (slt: HTS and clustergen; awb, rms:
# clustergen). One speaker of each kind is held out (seeded), and a seeded coin says which of the two is validation.
diphone=(kal ked); shuffle diphone
statistical=(slt awb rms); shuffle statistical
rand 2
if (( R == 0 )); then SPLIT[${diphone[0]}]=validation; SPLIT[${statistical[0]}]=test
else SPLIT[${statistical[0]}]=validation; SPLIT[${diphone[0]}]=test; fi
SPLIT[${diphone[1]}]=train
for s in "${statistical[@]:1}"; do SPLIT[$s]=train; done

MANIFEST="$OUT/manifest.csv"
echo "path,label,word,speaker,voice,split" > "$MANIFEST"
COUNT=0

# finish RAW_WAV LABEL WORD SPEAKER VOICE PITCH_CENTS: augments one TTS output into a 1 s clip and adds it to the manifest.
finish() {
  local raw=$1 label=$2 word=$3 speaker=$4 voice=$5 pitch=$6
  local split=${SPLIT[$speaker]}
  local copies=1 copy
  [ "$split" = train ] && copies=$TRAIN_COPIES
  "${SOX[@]}" "$raw" -b 16 -c 1 "$WORK/trimmed.wav" rate 16000 silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse
  for (( copy = 0; copy < copies; copy++ )); do augment "$label" "$word" "$speaker" "$voice" "$pitch" "$split"; done
}

# augment LABEL WORD SPEAKER VOICE PITCH_CENTS SPLIT: one augmented 1 s clip of $WORK/trimmed.wav.
augment() {
  local label=$1 word=$2 speaker=$3 voice=$4 pitch=$5 split=$6
  COUNT=$(( COUNT + 1 ))
  local name; name=$(printf '%s/%s/%s-%05d.wav' "$split" "$label" "$speaker" "$COUNT")
  mkdir -p "$OUT/clips/$split/$label"
  local effects=()
  # Filters first, at 16 kHz: sox's pitch effect changes the chain's rate (a final rate effect restores 16 kHz).
  rand 10; if (( R < 7 )); then rand 241; effects+=(highpass $(( 60 + R ))); rand 4101; effects+=(lowpass $(( 3400 + R ))); fi
  [ "$pitch" != 0 ] && effects+=(pitch "$pitch")
  # speed changes pitch and formants together, like a longer or shorter vocal tract; tempo then sets the pace.
  randf 880 1120; effects+=(speed "$F")
  randf 850 1200; effects+=(tempo -s "$F")
  rand 2; if (( R == 0 )); then rand 51; local rv=$(( 10 + R )); rand 81; effects+=(reverb "$rv" 50 $(( 20 + R ))); fi
  "${SOX[@]}" "$WORK/trimmed.wav" "$WORK/speech.wav" "${effects[@]}" rate 16000 norm -1
  local duration; duration=$(soxi -D "$WORK/speech.wav")
  # Time shift: the word starts at a random point that keeps it inside the window (words longer than 0.95 s are cut).
  local room; room=$(awk -v d="$duration" 'BEGIN { r = 0.97 - d; if (r < 0) r = 0; printf "%d", r * 1000 }')
  rand $(( room + 1 )); local start; start=$(printf '0.%03d' $(( 15 + R > 999 ? 999 : 15 + R )))
  randf -12000 0; local gain=$F
  "${SOX[@]}" "$WORK/speech.wav" "$WORK/placed.wav" pad "$start" 1 trim 0 1 gain "$gain"
  rand 20
  if (( R < 3 )); then
    cp "$WORK/placed.wav" "$OUT/clips/$name"
  else
    rand ${#NOISES[@]}; local kind=${NOISES[$R]}
    rand 28500; local offset; offset=$(printf '%d.%03d' $(( R / 1000 )) $(( R % 1000 )))
    randf -16000 0; local level=$F
    "${SOX[@]}" "$WORK/noise-$kind.wav" "$WORK/noise.wav" trim "$offset" 1 gain "$gain" gain "$level" gain -6
    "${SOX[@]}" -m -v 1 "$WORK/placed.wav" -v 1 "$WORK/noise.wav" "$OUT/clips/$name" trim 0 1
  fi
  echo "clips/$name,$label,$word,$speaker,$voice,$split" >> "$MANIFEST"
}

# silence SPEAKER: a clip of noise only (the speaker only fixes the split), at -40..-1 dB.
silence() {
  local speaker=$1 split=${SPLIT[$1]}
  COUNT=$(( COUNT + 1 ))
  local name; name=$(printf '%s/silence/%s-%05d.wav' "$split" "$speaker" "$COUNT")
  mkdir -p "$OUT/clips/$split/silence"
  rand ${#NOISES[@]}; local kind=${NOISES[$R]}
  rand 28500; local offset; offset=$(printf '%d.%03d' $(( R / 1000 )) $(( R % 1000 )))
  randf -40000 -1000; local level=$F
  "${SOX[@]}" "$WORK/noise-$kind.wav" "$OUT/clips/$name" trim "$offset" 1 gain "$level"
  echo "clips/$name,silence,,$speaker,noise-$kind,$split" >> "$MANIFEST"
}

# label_of WORD -> L
label_of() { L=unknown; local w; for w in "${COMMANDS[@]}"; do [ "$w" = "$1" ] && L=$1; done; return 0; }

# espeak-ng: every variant speaks every command word once with each of 3 seeded accents, plus unknown words and silence.
reps_espeak=$(awk -v s="$SCALE" 'BEGIN { r = int(3 * s + 0.5); if (r < 1) r = 1; print r }')
echo "espeak-ng: ${#VARIANTS[@]} variants x $reps_espeak accents" >&2
for variant in "${VARIANTS[@]:0:${KWS_MAX_VARIANTS:-${#VARIANTS[@]}}}"; do
  for (( k = 0; k < reps_espeak; k++ )); do
    rand ${#ACCENTS[@]}; accent=${ACCENTS[$R]}
    words=("${COMMANDS[@]}")
    for (( u = 0; u < 2; u++ )); do rand ${#UNKNOWN[@]}; words+=("${UNKNOWN[$R]}"); done
    for word in "${words[@]}"; do
      rand 61; pitch=$(( 20 + R )); rand 81; speed=$(( 120 + R ))
      espeak-ng -v "$accent+$variant" -p "$pitch" -s "$speed" -w "$WORK/tts.wav" "${word//-/ }"
      label_of "$word"
      finish "$WORK/tts.wav" "$L" "$word" "$variant" "espeak-ng:$accent+$variant:p$pitch:s$speed" 0
    done
    silence "$variant"
    if [ "${SPLIT[$variant]}" = train ]; then silence "$variant"; fi
  done
done

# festival and flite: each voice says each command word several times (pitch by sox, rate by Duration_Stretch).
reps_other=$(awk -v s="$SCALE" 'BEGIN { r = int(10 * s + 0.5); if (r < 1) r = 1; print r }')
reps_other_train=$(awk -v s="$SCALE" -v n="${KWS_OTHER_TRAIN_RENDITIONS:-30}" 'BEGIN { r = int(n * s + 0.5); if (r < 1) r = 1; print r }')
OTHER_VOICES=("festival:voice_kal_diphone:kal" "festival:voice_ked_diphone:ked" "festival:voice_cmu_us_slt_arctic_hts:slt"
              "flite:kal:kal" "flite:kal16:kal" "flite:slt:slt" "flite:awb:awb" "flite:rms:rms")
echo "festival/flite: ${#OTHER_VOICES[@]} voices x $reps_other renditions ($reps_other_train for training speakers)" >&2
for entry in "${OTHER_VOICES[@]}"; do
  IFS=: read -r engine voice speaker <<< "$entry"
  reps=$reps_other
  [ "${SPLIT[$speaker]}" = train ] && reps=$reps_other_train
  for (( k = 0; k < reps; k++ )); do
    words=("${COMMANDS[@]}")
    for (( u = 0; u < 2; u++ )); do rand ${#UNKNOWN[@]}; words+=("${UNKNOWN[$R]}"); done
    for word in "${words[@]}"; do
      rand 601; pitch=$(( R - 300 )); randf 800 1300; stretch=$F
      if [ "$engine" = festival ]; then
        echo "${word//-/ }" | text2wave -eval "($voice)" -eval "(Parameter.set 'Duration_Stretch $stretch)" -o "$WORK/tts.wav"
      else
        flite -voice "$voice" --setf duration_stretch="$stretch" -t "${word//-/ }" -o "$WORK/tts.wav"
      fi
      label_of "$word"
      finish "$WORK/tts.wav" "$L" "$word" "$speaker" "$engine:$voice:stretch$stretch:cents$pitch" "$pitch"
    done
    silence "$speaker"
    if [ "${SPLIT[$speaker]}" = train ]; then silence "$speaker"; fi
  done
done

# Accented diphone voices (training speakers only): respelled command words, unknown words as spelled.
ACCENTED_VOICES=("voice_lp_diphone:lp" "voice_pc_diphone:pc" "voice_hy_fi_mv_diphone:mv" "voice_suo_fi_lj_diphone:lj"
                 "voice_czech_dita:dita" "voice_czech_machac:machac" "voice_czech_krb:krb" "voice_czech_ph:ph")
ACCENTED_VOICES=("${ACCENTED_VOICES[@]:0:$ACCENTED_COUNT}")
declare -A RESPELLED=([yes]=jes [no]=nou [up]=ap [down]=daun [left]=left [right]=rait [on]=on [off]=of [stop]=stop [go]=gou)
reps_accented=$(awk -v s="$SCALE" -v n="$ACCENTED_RENDITIONS" 'BEGIN { r = int(n * s + 0.5); if (n > 0 && r < 1) r = 1; print r }')
(( reps_accented > 0 )) && echo "accented diphone voices: ${#ACCENTED_VOICES[@]} voices x $reps_accented renditions" >&2
for entry in "${ACCENTED_VOICES[@]}"; do
  IFS=: read -r voice speaker <<< "$entry"
  (( reps_accented > 0 )) && SPLIT[$speaker]=train
  for (( k = 0; k < reps_accented; k++ )); do
    words=("${COMMANDS[@]}")
    for (( u = 0; u < 2; u++ )); do rand ${#UNKNOWN[@]}; words+=("${UNKNOWN[$R]}"); done
    for word in "${words[@]}"; do
      rand 601; pitch=$(( R - 300 )); randf 800 1300; stretch=$F
      text=${RESPELLED[$word]:-${word//-/ }}
      echo "$text" | text2wave -eval "($voice)" -eval "(Parameter.set 'Duration_Stretch $stretch)" -o "$WORK/tts.wav"
      label_of "$word"
      finish "$WORK/tts.wav" "$L" "$word" "$speaker" "festival:$voice:text-$text:stretch$stretch:cents$pitch" "$pitch"
    done
    silence "$speaker"; silence "$speaker"
  done
done

{
  echo "Synthetic keyword-spotting clips made by Experiments/kws/synthesize.sh (seed $SEED, scale $SCALE)."
  echo "espeak-ng $(espeak-ng --version | head -1 | grep -o '[0-9][0-9.]*' | head -1), sox $(sox --version | awk '{print $NF}'), $(flite --version 2>&1 | grep -o 'flite-[0-9.]*' | head -1), festival $(festival --version 2>&1 | grep -o '[0-9][0-9.]*:release' | head -1 | cut -d: -f1)"
  echo "Speakers per split:"
  for s in "${OTHER_SPEAKERS[@]}" "${VARIANTS[@]}"; do echo "  $s ${SPLIT[$s]}"; done
  if (( reps_accented > 0 )); then for entry in "${ACCENTED_VOICES[@]}"; do echo "  ${entry#*:} train"; done; fi
} > "$OUT/README.txt"
echo "Wrote $COUNT clips and $MANIFEST" >&2
awk -F, 'NR > 1 { n[$6 " " $2]++ } END { for (k in n) print k, n[k] }' "$MANIFEST" | sort >&2
