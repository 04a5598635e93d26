import cliProgress from 'cli-progress';

/** A progress reporter for long commands: a bar on a terminal, plain lines otherwise (CI logs). */
export interface Progress {
  start(label: string, total: number): void;
  update(done: number): void;
  stop(): void;
  log(msg: string): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = stream.isTTY;
  let bar: cliProgress.SingleBar | undefined;
  let label = '';
  let total = 0;
  let lastPct = -1;
  return {
    start(l, t) {
      label = l;
      total = t;
      lastPct = -1;
      if (tty) {
        bar = new cliProgress.SingleBar({ format: `${l} [{bar}] {percentage}% {value}/{total} {duration_formatted}`, stream }, cliProgress.Presets.shades_classic);
        bar.start(t, 0);
      } else {
        stream.write(`${l}: 0/${t}\n`);
      }
    },
    update(done) {
      if (bar) return bar.update(done);
      const pct = total ? Math.floor((done / total) * 10) * 10 : 100;
      if (pct !== lastPct) {
        lastPct = pct;
        stream.write(`${label}: ${done}/${total} (${pct}%)\n`);
      }
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
    log(msg) {
      stream.write(msg + '\n');
    },
  };
}

/** A progress reporter that prints nothing (tests). */
export const silentProgress: Progress = { start() {}, update() {}, stop() {}, log() {} };
