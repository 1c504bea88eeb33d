// The default sweep with calibrated task sizes: node tools/gpu/calibrated-config.mjs <sweep.json> <calibrate dir>
// prints the sweep with each task's trainSize replaced by its calibration's pick (<dir>/<task>-calibration.json,
// written by `npm run calibrate`): its inBand size, else the largest size tried
// (more examples help a task that scores too low, the usual case at this model size). Tasks without a
// calibration keep their size. What it chose goes to stderr. The sweep CLI validates the result.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [configPath, dir] = process.argv.slice(2);
if (!configPath || !dir) {
  console.error('usage: node tools/gpu/calibrated-config.mjs <sweep.json> <calibrate dir>');
  process.exit(1);
}
const sweep = JSON.parse(readFileSync(configPath, 'utf8'));
let changed = false;
for (const task of sweep.tasks) {
  const file = join(dir, `${task.name}-calibration.json`);
  if (!existsSync(file)) continue;
  const { scores, inBand } = JSON.parse(readFileSync(file, 'utf8'));
  const measured = scores.filter((s) => s.score !== null);
  if (!measured.length) continue;
  const pick = measured.find((s) => s.size === inBand) ?? measured.at(-1);
  console.error(`${task.name}: ${task.trainSize} -> ${pick.size} (${(100 * pick.score).toFixed(1)}%${inBand !== null ? ', in band' : ', none in band: the largest tried'})`);
  changed ||= pick.size !== task.trainSize;
  task.trainSize = pick.size;
}
if (changed) sweep.name = `${sweep.name} (calibrated)`;
console.log(JSON.stringify(sweep, null, 2));
