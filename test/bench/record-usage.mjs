// Preload (`node --import`) that writes the process's peak RSS and CPU time to $ULM_BENCH_USAGE_FILE on exit.
// The baselines and the scorer are black boxes run from the shared folder; this is how the
// benchmark measures their memory without changing them.
import { writeFileSync } from 'node:fs';

const usageFile = process.env.ULM_BENCH_USAGE_FILE;
if (usageFile) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    // maxRSS is in KiB; user/system CPU times in microseconds.
    writeFileSync(usageFile, JSON.stringify({ max_rss_kib: usage.maxRSS, user_cpu_s: usage.userCPUTime / 1e6, system_cpu_s: usage.systemCPUTime / 1e6 }));
  });
}
