#!/usr/bin/env bash
# The lab's GPU measurements (issues 9-11: kernels, training peers, calibration, the default sweep) in one
# command on a GPU server (for example one call of the device tool, which allows 10 minutes a call).
# From the repository root, with these prepared here first:
#   bash ../shared/gpu/prepare.sh                      # .gpu-carry/: Node, Dawn, the Vulkan loader
#   npx vite build -c vite.cli.config.ts && rm -f dist-cli/*.map dist-cli/chunks/*.map
#   mkdir -p .gpu-data && tar cJf .gpu-data/data.tar.xz -C public data
# then on the server:  OUT=<folder that comes back> bash tools/gpu/finish-results.sh [steps...]
# (CONFIG, SHARDS and NODE_CMD override the sweep file, the shard count and how Node runs, e.g. for a dry run.)
# Time, from the H200 run of 2026-11-26 (4.1M pretraining tokens/s shared by 15 shards): train ~1-2 min,
# calibrate ~3-4 min expected (measured ~1 min with one seed per size; now 3 seeds x 4 sizes, one base
# model per task and seed fine-tuned at every size, 3 tasks in parallel: less now), sweep ~4-5 min (the 15-run default sweep took
# 3 min 49 s), kernels 1-2 min (the --full table with the TF.js peer; about 1 min before passes were sized to
# 25 ms for small kernels too: not yet timed). Together they can pass one
# 10-minute call: everything under runs/gpu resumes, so if a call runs out of time, run the same command
# again on the still-warm machine (finished runs are skipped), or run the steps in separate calls.
# Steps (default: train calibrate sweep, in that order; kernels and kernels-sweep only when named; each
# writes its log and JSON under $LOGS, packed into $OUT, and never stops the others):
#   kernels    every kernel at the model's shapes and matmul up to 4096^3, TF.js matmul beside (issue 9's table)
#   kernels-sweep  the same with --sweep and no TF.js: tile configs and split counts side by side (~1.5 min before small kernels got 25 ms passes; somewhat more now, untimed)
#   train      bench-train at the lab and tpp20 presets, ours beside the TF.js peer, then the PyTorch eager peer
#   calibrate  ADD-R, KV and SENT training-set sizes at the default sweep's middle lambda, 3 seeds each (threshold
#              tasks: one seed learns a task or not), in parallel; sizes within what each task can supply
#   sweep      the default sweep with the calibrated sizes as $SHARDS (15) shards in parallel on the one GPU, merged
set -uo pipefail
OUT=${OUT:?set OUT to the folder the results archive goes to}
STEPS=${*:-train calibrate sweep}
CONFIG=${CONFIG:-configs/default.json}
SHARDS=${SHARDS:-15}
if [[ -n ${NODE_CMD:-} ]]; then
  read -r -a NODE <<< "$NODE_CMD"
else
  # run.sh unpacks the Vulkan loader and runs ldconfig each time it starts, which is not safe from several
  # processes at once: set up once, keep its environment, and start Node directly.
  eval "$(bash .gpu-carry/run.sh bash -c 'printf "export PATH=%q VK_DRIVER_FILES=%q VK_ICD_FILENAMES=%q\n" "$PATH" "$VK_DRIVER_FILES" "$VK_ICD_FILENAMES"' | grep '^export ')"
  NODE=(node)
fi
RUNS=runs/gpu  # sweeps and checkpoints stay here (resumable on a warm machine)
LOGS=$RUNS/out  # logs, JSON and results; packed into $OUT/finish-results.tar.gz (the device tool returns 8 files)
mkdir -p "$OUT" "$LOGS" public
pack() {
  local files=()
  for f in "$RUNS"/calibrate/*.json "$RUNS"/*/shard-*/results.json "$RUNS"/calibrate/*/results.json "$RUNS"/default/merged.json; do
    [[ -f $f ]] && files+=("${f#"$RUNS"/}")
  done
  tar czf "$OUT/finish-results.tar.gz" -C "$RUNS" out "${files[@]}"
  cp "$LOGS/steps.log" "$OUT/" 2>/dev/null || true
}
trap pack EXIT
trap 'pack; exit 143' TERM
[[ -d public/data ]] || tar xJf .gpu-data/data.tar.xz -C public
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader > "$LOGS/gpu.txt" 2>&1
git rev-parse --short HEAD > "$LOGS/commit.txt" 2>/dev/null || true
stamp() { echo "[$(date +%T)] $*" | tee -a "$LOGS/steps.log"; }

for step in $STEPS; do
  case $step in
    kernels)
      stamp "kernels: bench --full"
      "${NODE[@]}" dist-cli/kernels.mjs --full --json "$LOGS/kernels.json" > "$LOGS/kernels.log" 2>&1
      ;;
    kernels-sweep)
      stamp "kernels-sweep: bench --full --sweep, TF.js off (tile configs, split counts, norm rows per slot)"
      "${NODE[@]}" dist-cli/kernels.mjs --full --sweep --no-tfjs --json "$LOGS/kernels-sweep.json" > "$LOGS/kernels-sweep.log" 2>&1
      ;;
    train)
      stamp "train: bench-train (ours + TF.js)"
      "${NODE[@]}" dist-cli/bench-train.mjs --steps 200 --presets lab,tpp20 --json "$LOGS/train.json" > "$LOGS/bench-train.log" 2>&1
      stamp "train: PyTorch eager fp32 peer"
      python3 tools/bench/torch_train.py --from "$LOGS/train.json" --json "$LOGS/torch.json" --steps 200 > "$LOGS/torch.log" 2>&1
      ;;
    calibrate)
      # Limits (src/lab/sweep.ts TASK_SIZE_LIMITS): ADD-R 202,725; SENT 41,250 with its test set (1,000 here).
      stamp "calibrate: ADD-R, KV, SENT in parallel, seeds 0,1,2"
      "${NODE[@]}" dist-cli/calibrate.mjs --config "$CONFIG" --out "$RUNS/calibrate" --task ADD-R --sizes 10000,20000,40000,80000 --seeds 0,1,2 > "$LOGS/calibrate-ADD-R.log" 2>&1 &
      "${NODE[@]}" dist-cli/calibrate.mjs --config "$CONFIG" --out "$RUNS/calibrate" --task KV --sizes 20000,30000,40000,60000 --seeds 0,1,2 > "$LOGS/calibrate-KV.log" 2>&1 &
      "${NODE[@]}" dist-cli/calibrate.mjs --config "$CONFIG" --out "$RUNS/calibrate" --task SENT --sizes 5000,10000,20000,40000 --seeds 0,1,2 > "$LOGS/calibrate-SENT.log" 2>&1 &
      wait
      ;;
    sweep)
      # The calibrated sizes (the smallest in the band, 30-70% above chance; else the largest tried) replace the config's.
      "${NODE[@]}" tools/gpu/calibrated-config.mjs "$CONFIG" "$RUNS/calibrate" > "$LOGS/sweep.json" 2> "$LOGS/calibrated-config.log"
      stamp "sweep: $SHARDS shards ($(cat "$LOGS/calibrated-config.log" | tr '\n' ' '))"
      for i in $(seq 0 $((SHARDS - 1))); do
        "${NODE[@]}" dist-cli/sweep.mjs --config "$LOGS/sweep.json" --out "$RUNS/default/shard-$i" --shard "$i/$SHARDS" > "$LOGS/default-shard-$i.log" 2>&1 &
      done
      wait
      "${NODE[@]}" dist-cli/sweep-merge.mjs --out "$RUNS/default/merged.json" "$RUNS"/default/shard-* > "$LOGS/merge.log" 2>&1
      ;;
    *) stamp "unknown step $step (kernels, kernels-sweep, train, calibrate, sweep)" ;;
  esac
done
stamp "done"
