/**
 * The Slurm executor against a real Slurm (test/exec/slurm/up.sh starts a one-node cluster; npm test's
 * pretest runs it). These tests fail, not skip, when Slurm is not running.
 */
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join, relative, sep } from 'node:path';
import { statusProbes } from '../../../src/app/build.js';
import { buildStatus } from '../../../src/pipeline/status.js';
import { repoRoot, runCli, shardHashes, tempDir, twoStagePipeline } from '../../helpers.js';

before(() => {
  let info = '';
  try {
    info = execFileSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8', timeout: 20_000 });
  } catch (e) {
    assert.fail(`Slurm is not running (sinfo failed: ${(e as Error).message}); start it with test/exec/slurm/up.sh`);
  }
  assert.match(info, /idle|mixed|allocated/, `no usable Slurm node: ${info}`);
});

const hashes = shardHashes;

function pipeline(dir: string, readSteps: string): string {
  return twoStagePipeline(dir, { docs: 2400, taskBytes: '32KiB', readSteps });
}

async function waitFor(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 240_000): Promise<void> {
  const t0 = Date.now();
  while (!(await fn())) {
    if (Date.now() - t0 > timeoutMs) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

type Launch = { phases: Array<{ jobs: string[] }>; finish?: { job: string; depends_on: string[] } };

function jsonLaunches(out: string): Launch[] {
  return JSON.parse(readFileSync(join(out, '_slurm', 'launches.json'), 'utf8')) as Launch[];
}

/** Every job of every launch: the phases' arrays and the last job (mixture, report). */
function jobsOf(out: string): string[] {
  return jsonLaunches(out).flatMap((l) => [...l.phases.flatMap((p) => p.jobs), ...(l.finish ? [l.finish.job] : [])]);
}

function queued(out: string): string[] {
  const ids = jobsOf(out);
  if (ids.length === 0) return [];
  return execFileSync('squeue', ['-h', '-r', '-o', '%i %T', '-j', ids.join(',')], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .filter(Boolean);
}

async function allDone(out: string): Promise<boolean> {
  const st = await buildStatus(out, await statusProbes(out));
  return st.length > 0 && st.every((s) => s.tasks.done === s.tasks.done + s.tasks.running + s.tasks.failed + s.tasks.pending);
}

const slurmArgs = ['--executor', 'slurm', '--tasks-per-job', '4', '--cpus-per-task', '1'];

test('the pipeline through Slurm job arrays gives the same bytes as the local executor', async () => {
  const dir = tempDir();
  const file = pipeline(dir, '');
  const local = join(dir, 'local');
  assert.equal((await runCli(['build', file, '--out', local])).code, 0);
  const out = join(dir, 'slurm');
  const r = await runCli(['build', file, '--out', out, ...slurmArgs, '--json']);
  assert.equal(r.code, 0, r.stderr);
  const launch = JSON.parse(r.stdout) as { phases: Array<{ stage: string; phase: string; jobs: string[]; depends_on: string[]; ranks: number }> };
  const main = launch.phases.find((p) => p.stage === 'read' && p.phase === 'main')!;
  assert.ok(Math.ceil(main.ranks / 4) >= 4, 'at least 4 array tasks');
  // Each phase waits for the one before it.
  for (let i = 1; i < launch.phases.length; i++) assert.deepEqual(launch.phases[i]!.depends_on, launch.phases[i - 1]!.jobs);
  await waitFor('the cluster run', () => allDone(out));
  assert.deepEqual(hashes(out), hashes(local));
  await waitFor('the last job', () => queued(out).length === 0);
  const stats = await runCli(['stats', out, '--json']);
  const localStats = await runCli(['stats', local, '--json']);
  const docs = (s: string) => (JSON.parse(s) as { stages: Array<{ totals: { docs: number } }> }).stages.map((x) => x.totals.docs);
  assert.deepEqual(docs(stats.stdout), docs(localStats.stdout));
});

test('a task killed with scancel mid-run: the relaunch submits only what is missing and gives identical bytes', async () => {
  const dir = tempDir();
  const file = pipeline(dir, '      - step: slow\n        ms: 25');
  const local = join(dir, 'local');
  assert.equal((await runCli(['build', file, '--out', local])).code, 0);
  const out = join(dir, 'slurm');
  assert.equal((await runCli(['build', file, '--out', out, ...slurmArgs.slice(0, 2), '--tasks-per-job', '2'])).code, 0);
  const markers = join(out, '_state', 'read', 'main');
  const readMainJob = jsonLaunches(out)[0]!.phases[0]!.jobs[0]!;
  // The launch holds the folder while its jobs are queued or running: a local build there refuses.
  const busy = await runCli(['build', file, '--out', out]);
  assert.equal(busy.code, 2, busy.stderr);
  assert.match(
    busy.stderr.trim().split('\n').at(-1)!,
    new RegExp(`is in use by Slurm launch 1 \\(jobs ${readMainJob}, [\\d, ]+\\), run [0-9a-f]{8}, pid \\d+ on \\S+, since \\S+; wait for it to finish$`),
  );
  // Wait until some read tasks are done and an element of the read phase is running, then kill it.
  let victim = '';
  await waitFor('a running read element after a few finished tasks', () => {
    const done = existsSync(markers) ? readdirSync(markers).filter((f) => /^\d+\.json$/.test(f)).length : 0;
    const running = queued(out).filter((l) => l.startsWith(`${readMainJob}_`) && /\sRUNNING$/.test(l));
    if (done >= 2 && running.length > 0) victim = running[0]!.split(/\s+/)[0]!;
    return victim !== '';
  });
  execFileSync('scancel', [victim]);
  // The cancelled element fails its array's afterok: dependants are killed, not left pending.
  await waitFor('the launch to drain', () => queued(out).length === 0);
  const st = await buildStatus(out, await statusProbes(out));
  assert.ok(
    st.some((s) => s.tasks.done < s.tasks.done + s.tasks.pending + s.tasks.failed),
    'work left to do',
  );
  const doneIn = (stage: string, phase: string) => {
    const d = join(out, '_state', stage, phase);
    return new Set(
      existsSync(d)
        ? readdirSync(d)
            .filter((f) => /^\d+\.json$/.test(f))
            .map((f) => Number(f.slice(0, -5)))
        : [],
    );
  };
  const before = new Map(st.map((s) => [`${s.stage}/${s.phase}`, doneIn(s.stage, s.phase)]));
  const again = await runCli(['build', file, '--out', out, ...slurmArgs.slice(0, 2), '--tasks-per-job', '2', '--json']);
  assert.equal(again.code, 0, again.stderr);
  const second = JSON.parse(again.stdout) as { phases: Array<{ stage: string; phase: string; ranks_file: string }> };
  assert.ok(second.phases.length > 0, 'something was resubmitted');
  for (const p of second.phases) {
    const ranks = (JSON.parse(readFileSync(p.ranks_file, 'utf8')) as { ranks: Array<{ idx: number }> }).ranks.map((r) => r.idx);
    const done = before.get(`${p.stage}/${p.phase}`)!;
    assert.ok(ranks.length > 0 && ranks.every((i) => !done.has(i)), `${p.stage}/${p.phase}: resubmitted only incomplete ranks: ${ranks}`);
  }
  await waitFor('the relaunch', () => allDone(out));
  assert.deepEqual(hashes(out), hashes(local));
  await waitFor('the last job', () => queued(out).length === 0);
});

test('a failing task keeps its dependants from starting; logs shows it; the relaunch recovers', async () => {
  const dir = tempDir();
  const flag = join(dir, 'FAIL');
  writeFileSync(flag, '');
  const file = pipeline(dir, `      - step: fail_when\n        flag: ${JSON.stringify(flag)}\n        i: 1500`);
  const local = join(dir, 'local');
  const out = join(dir, 'slurm');
  assert.equal((await runCli(['build', file, '--out', out, ...slurmArgs])).code, 0);
  await waitFor('the launch to drain', () => queued(out).length === 0);
  const st = await buildStatus(out, await statusProbes(out));
  const readMain = st.find((s) => s.stage === 'read' && s.phase === 'main')!;
  assert.equal(readMain.tasks.failed, 1);
  for (const s of st.filter((x) => x.stage === 'stamp')) assert.equal(s.tasks.done + s.tasks.running + s.tasks.failed, 0, `${s.phase} never started`);
  assert.ok(!existsSync(join(out, '_state', 'stamp')), 'no stamp task ever ran');
  const logs = await runCli(['logs', out, '--failed']);
  assert.equal(logs.code, 0);
  assert.match(logs.stdout, /read\/main#\d+ \(job \d+_\d+\)/);
  assert.match(logs.stdout, /planted failure on document jsonl\/big\.jsonl\/@\d+/);
  rmSync(flag);
  assert.equal((await runCli(['build', file, '--out', local])).code, 0);
  assert.equal((await runCli(['build', file, '--out', out, ...slurmArgs])).code, 0);
  await waitFor('the relaunch', () => allDone(out));
  assert.deepEqual(hashes(out), hashes(local));
  await waitFor('the last job', () => queued(out).length === 0);
  assert.match((await runCli(['logs', out, '--failed'])).stdout, /no failed tasks/);
});

/** sha256 of every output file a trainer or a later stage reads: document shards, token shards and manifests, mix/. */
function outputHashes(out: string): Record<string, string> {
  const res: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(out, p);
      if (e.isDirectory()) {
        if (!['cache', '_state', '_slurm', '_work'].includes(e.name)) walk(p);
      } else if (/\.(jsonl\.zst|bin|idx|npy|manifest\.json)$/.test(e.name) || rel.startsWith(`mix${sep}`)) res[rel] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(out);
  return res;
}

test('the sample through Slurm gives the same files as a local build, mix/ included: the last job runs the mixture and the report', async () => {
  const dir = tempDir();
  const sample = join(repoRoot, 'pipelines', 'sample.yaml');
  const local = join(dir, 'local');
  assert.equal((await runCli(['build', sample, '--out', local, '-q'])).code, 0);
  const out = join(dir, 'slurm');
  // One array element per phase keeps the chain of ~30 phases quick on a one-node cluster.
  const r = await runCli(['build', sample, '--out', out, '--executor', 'slurm', '--tasks-per-job', '1000', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const launch = JSON.parse(r.stdout) as { phases: Array<{ jobs: string[] }>; finish: { job: string; depends_on: string[] } };
  assert.deepEqual(launch.finish.depends_on, launch.phases.at(-1)!.jobs, 'the last job waits for the last phase');
  await waitFor('the launch, its last job included', () => queued(out).length === 0, 900_000);
  assert.ok(existsSync(join(out, 'mix', 'mix.json')), `no mix/: ${readFileSync(join(out, '_slurm', 'logs', `${launch.finish.job}_0.out`), 'utf8')}`);
  const want = outputHashes(local);
  assert.ok(Object.keys(want).some((f) => f.startsWith(`mix${sep}`)) && Object.keys(want).some((f) => f.endsWith('.idx')));
  assert.deepEqual(outputHashes(out), want);
  assert.ok(existsSync(join(out, 'report.html')));
  const stats = JSON.parse(readFileSync(join(out, 'stats.json'), 'utf8')) as { stages: Array<{ done: boolean }>; tokens: Record<string, number> };
  assert.ok(stats.stages.every((s) => s.done));
  assert.deepEqual(stats.tokens, (JSON.parse(readFileSync(join(local, 'stats.json'), 'utf8')) as { tokens: Record<string, number> }).tokens);
  // Blend files name the per-source shards relative to mix/, so both builds wrote the same bytes.
  assert.match(readFileSync(join(out, 'mix', 'blend.megatron.txt'), 'utf8'), /^[\d.]+ \.\.\/tokens\/llama2\/\w+\/part-/);
});
