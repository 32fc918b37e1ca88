import { formatBytes } from './summary';

/** What the progress line shows. */
export interface ProgressState {
  readonly objects: number;
  /** Known once every location is listed (S3 only); enables the percentage and ETA. */
  readonly objectsTotal?: number;
  readonly bytes: number;
  readonly records: number;
  readonly alerts: number;
  readonly elapsedMs: number;
}

/** e.g. `120/480 objects (25%), 3.1 MB, 45,210 records, 2 alerts, 38.2 objects/s, ETA 0:09` — pure, for tests. */
export function renderProgress(state: ProgressState): string {
  const seconds = state.elapsedMs / 1000;
  const rate = seconds > 0 ? state.objects / seconds : 0;
  const objects =
    state.objectsTotal === undefined
      ? `${state.objects} object${state.objects === 1 ? '' : 's'}`
      : `${state.objects}/${state.objectsTotal} objects (${state.objectsTotal === 0 ? 100 : Math.floor((100 * state.objects) / state.objectsTotal)}%)`;
  const parts = [
    objects,
    formatBytes(state.bytes),
    `${state.records.toLocaleString('en-US')} records`,
    `${state.alerts} alert${state.alerts === 1 ? '' : 's'}`,
    `${rate.toFixed(1)} objects/s`,
  ];
  if (state.objectsTotal !== undefined && rate > 0) {
    parts.push(`ETA ${formatDuration(Math.max(0, state.objectsTotal - state.objects) / rate)}`);
  }
  return parts.join(', ');
}

/** 75 → `1:15`, 3725 → `1:02:05`. */
export function formatDuration(totalSeconds: number): string {
  const whole = Math.ceil(totalSeconds);
  const h = Math.floor(whole / 3600);
  const m = Math.floor((whole % 3600) / 60);
  const s = String(whole % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

/** Minimum time between redraws: at most about four a second. */
export const REDRAW_INTERVAL_MS = 250;

/**
 * The progress line on stderr, redrawn in place (`\r` + erase line). Disabled (does nothing) when stderr is not a
 * terminal or with --quiet. Anything else written to stderr must call `clear()` first.
 */
export class ProgressLine {
  private lastDraw = -Infinity;
  private shown = false;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    readonly enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** Redraws unless the last redraw was under REDRAW_INTERVAL_MS ago (or `force`). */
  update(state: () => ProgressState, force = false): void {
    if (!this.enabled) return;
    const now = this.now();
    if (!force && now - this.lastDraw < REDRAW_INTERVAL_MS) return;
    this.lastDraw = now;
    this.stream.write(`\r\x1b[K${renderProgress(state())}`);
    this.shown = true;
  }

  clear(): void {
    if (!this.enabled || !this.shown) return;
    this.stream.write('\r\x1b[K');
    this.shown = false;
    this.lastDraw = -Infinity;
  }
}

export function isTerminal(stream: NodeJS.WritableStream): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}
