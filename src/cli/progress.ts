import { formatBytes } from './summary';
import { terminalColumns } from './terminal';

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
 * The progress line on stderr, redrawn in place (`\r` + erase line) and cut to the terminal's width (a line that
 * wrapped could not be erased). Disabled (does nothing) when stderr is not a terminal or with --quiet. Any other line
 * written to the same terminal, on stderr or stdout, goes through `around`, which erases the line first and draws it
 * again after.
 */
export class ProgressLine {
  private lastDraw = -Infinity;
  /** The text on screen now, if any. */
  private shown: string | undefined;
  /** Where the last update took its numbers from: a redraw after other lines shows them fresh. */
  private state: (() => ProgressState) | undefined;

  constructor(
    private readonly stream: NodeJS.WritableStream,
    readonly enabled: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** Redraws unless the last redraw was under REDRAW_INTERVAL_MS ago (or `force`). */
  update(state: () => ProgressState, force = false): void {
    if (!this.enabled) return;
    this.state = state;
    const now = this.now();
    if (!force && now - this.lastDraw < REDRAW_INTERVAL_MS) return;
    this.lastDraw = now;
    this.draw(renderProgress(state()));
  }

  /** Erases the line; the next `update` draws it again at once. */
  clear(): void {
    this.erase();
    this.lastDraw = -Infinity;
  }

  /** Erases the line while `write` puts other lines on the terminal, then draws it again below them, up to date. */
  async around(write: () => Promise<void>): Promise<void> {
    const wasShown = this.shown !== undefined;
    this.erase();
    await write();
    if (wasShown && this.state !== undefined) {
      this.lastDraw = this.now();
      this.draw(renderProgress(this.state()));
    }
  }

  private draw(text: string): void {
    const columns = terminalColumns(this.stream);
    // One column short of the width: writing the last column makes some terminals wrap at once.
    const fitted = columns !== undefined && text.length > columns - 1 ? text.slice(0, Math.max(0, columns - 2)) + '…' : text;
    this.stream.write(`\r\x1b[K${fitted}`);
    this.shown = fitted;
  }

  private erase(): void {
    if (!this.enabled || this.shown === undefined) return;
    this.stream.write('\r\x1b[K');
    this.shown = undefined;
  }
}
