// Follows a page that changes after load: what was added or whose text changed is
// collected from MutationObservers (one on the document, one per open shadow root)
// and scanned in one batch at idle time. Our own insertions are taken back out of the
// observers' queues after each batch so they never cause a scan. Navigation inside a
// single-page app (a new URL without a page load) brings a full rescan.

export interface WatcherOptions {
  /** Scans the nodes added or changed since the last batch. */
  scanBatch(nodes: Node[]): void;
  /** Scans everything again (after client-side navigation). */
  scanAll(): void;
  /** Told the URL changed without a page load. */
  onNavigate?(url: string): void;
}

const OBSERVED: MutationObserverInit = { childList: true, subtree: true, characterData: true };
const IDLE_TIMEOUT_MS = 250;

type IdleHandle = { cancel(): void };

function whenIdle(run: () => void): IdleHandle {
  const g = globalThis as {
    requestIdleCallback?: (cb: () => void, options?: { timeout: number }) => number;
    cancelIdleCallback?: (handle: number) => void;
  };
  if (g.requestIdleCallback && g.cancelIdleCallback) {
    const handle = g.requestIdleCallback(run, { timeout: IDLE_TIMEOUT_MS });
    const cancel = g.cancelIdleCallback;
    return { cancel: () => cancel(handle) };
  }
  const timer = setTimeout(run, 16);
  return { cancel: () => clearTimeout(timer) };
}

export class PageWatcher {
  private readonly observers: MutationObserver[] = [];
  private readonly watched = new WeakSet<Node>();
  private pending = new Set<Node>();
  private scheduled: IdleHandle | null = null;
  private url: string;
  private fullScanDue = false;
  private readonly onPopState = (): void => this.checkUrl();

  constructor(
    private readonly win: Window,
    private readonly options: WatcherOptions,
  ) {
    this.url = win.location.href;
  }

  /** Starts watching `root` (the document, or an open shadow root). */
  watch(root: Document | ShadowRoot): void {
    if (this.watched.has(root)) return;
    this.watched.add(root);
    const observer = new MutationObserver((records) => this.collect(records));
    observer.observe(root, OBSERVED);
    this.observers.push(observer);
    if (root.nodeType === Node.DOCUMENT_NODE) {
      this.win.addEventListener("popstate", this.onPopState);
      this.win.addEventListener("hashchange", this.onPopState);
    }
  }

  stop(): void {
    for (const observer of this.observers) observer.disconnect();
    this.observers.length = 0;
    this.scheduled?.cancel();
    this.scheduled = null;
    this.pending.clear();
    this.win.removeEventListener("popstate", this.onPopState);
    this.win.removeEventListener("hashchange", this.onPopState);
  }

  /** Runs the pending batch now (tests and benchmarks; normally it waits for idle time). */
  flush(): void {
    this.scheduled?.cancel();
    this.scheduled = null;
    for (const observer of this.observers) this.collect(observer.takeRecords());
    this.checkUrl(false);
    const nodes = [...this.pending];
    this.pending = new Set();
    const full = this.fullScanDue;
    this.fullScanDue = false;
    if (full) this.options.scanAll();
    else if (nodes.length > 0) this.options.scanBatch(nodes.filter((node) => node.isConnected));
    // What is queued now is our own work: buttons and the text nodes split for them.
    for (const observer of this.observers) observer.takeRecords();
  }

  /** Forgets the changes queued since the last delivery: they were our own (a scan slice). */
  discardOwn(): void {
    for (const observer of this.observers) observer.takeRecords();
  }

  private collect(records: MutationRecord[]): void {
    for (const record of records) {
      if (record.type === "characterData") {
        this.pending.add(record.target);
      } else {
        for (const node of Array.from(record.addedNodes)) this.pending.add(node);
        // A text node beside a removed button may need its button back.
        if (record.removedNodes.length > 0 && record.target.nodeType === Node.ELEMENT_NODE) {
          this.pending.add(record.target);
        }
      }
    }
    if (this.pending.size > 0) this.schedule();
    this.checkUrl();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = whenIdle(() => {
      this.scheduled = null;
      this.flush();
    });
  }

  private checkUrl(schedule = true): void {
    const now = this.win.location.href;
    if (now === this.url) return;
    this.url = now;
    this.fullScanDue = true;
    this.options.onNavigate?.(now);
    if (schedule) this.schedule();
  }
}
