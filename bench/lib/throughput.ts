import { Bench } from "tinybench";

export interface ThroughputOptions {
  /** Rounds; the task order alternates between rounds so that neither side always runs first. */
  rounds: number;
  /** tinybench time per task per round, ms. */
  timeMs: number;
  warmupMs: number;
  /** Sequential awaited calls per tinybench iteration: one call (~100 ns) is below the timer's resolution. */
  batch: number;
}

/**
 * Throughput of each async call, in calls per second, one figure per round (tinybench's median
 * iteration throughput × batch). Rounds are interleaved: A B, B A, A B, ...
 */
export async function measureThroughput(
  calls: Record<string, () => Promise<unknown>>,
  options: ThroughputOptions,
): Promise<Record<string, number[]>> {
  const perRound: Record<string, number[]> = Object.fromEntries(Object.keys(calls).map((name) => [name, []]));
  for (let round = 0; round < options.rounds; round++) {
    const names = Object.keys(calls);
    if (round % 2 === 1) names.reverse();
    const bench = new Bench({ time: options.timeMs, warmupTime: options.warmupMs, throws: true });
    for (const name of names) {
      const call = calls[name]!;
      const { batch } = options;
      bench.add(name, async () => {
        for (let i = 0; i < batch; i++) await call();
      });
    }
    await bench.run();
    for (const task of bench.tasks) {
      const result = task.result;
      if (result.state !== "completed") throw new Error(`tinybench task ${task.name} ended in state ${result.state}`);
      perRound[task.name]!.push(result.throughput.p50 * options.batch);
    }
  }
  return perRound;
}
