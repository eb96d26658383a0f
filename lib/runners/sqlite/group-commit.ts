/**
 * Group commit for an embedded database: the writes every run makes during one turn of the event
 * loop (taking a thread, storing events, ending a run) are committed in one transaction at the
 * turn's end, instead of one commit each. A commit is most of what a write costs SQLite (its WAL
 * frames), and many runs start, stream and end at once.
 *
 * Nothing waits longer than that turn. Whoever reads (or writes otherwise) calls `flush()` first,
 * so the store still reads what it was given. A group that fails is committed again write by
 * write, each then seeing the database as it is, so that one run's bad write fails that run alone.
 */
export class GroupCommit {
  private queued: Array<{ write: () => unknown; settle: (outcome: { result?: unknown; error?: unknown }) => void }> = [];

  constructor(
    /** Runs the writes in one transaction and gives back their results, or throws. */
    private readonly commit: (writes: Array<() => unknown>) => unknown[],
  ) {}

  /** Resolves with what `write` returned once it is committed; rejects with its own failure. */
  add<T>(write: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = ({ result, error }: { result?: unknown; error?: unknown }) =>
        error === undefined ? resolve(result as T) : reject(error);
      if (this.queued.push({ write, settle }) === 1) setImmediate(() => this.flush());
    });
  }

  /** Commits what is waiting, now. */
  flush(): void {
    const queued = this.queued.splice(0);
    if (queued.length === 0) return;
    let results: unknown[];
    try {
      results = this.commit(queued.map(({ write }) => write));
    } catch {
      for (const { write, settle } of queued) {
        try {
          settle({ result: this.commit([write])[0] });
        } catch (error) {
          settle({ error: error ?? new Error('write failed') });
        }
      }
      return;
    }
    queued.forEach(({ settle }, i) => settle({ result: results[i] }));
  }
}
