// jsdom has no layout, hence no IntersectionObserver: this one lets a test say "the end of the
// grid scrolled into view" by calling `scrollIntoView()`.

type Callback = (entries: IntersectionObserverEntry[], observer: IntersectionObserver) => void;

const observers = new Set<FakeIntersectionObserver>();

class FakeIntersectionObserver {
  private readonly targets = new Set<Element>();
  readonly root = null;
  readonly rootMargin = "";
  readonly thresholds = [0];

  constructor(private readonly callback: Callback) {
    observers.add(this);
  }

  observe(target: Element): void {
    this.targets.add(target);
  }

  unobserve(target: Element): void {
    this.targets.delete(target);
  }

  disconnect(): void {
    this.targets.clear();
    observers.delete(this);
  }

  takeRecords(): IntersectionObserverEntry[] {
    return [];
  }

  fire(): void {
    const entries = [...this.targets].map(
      (target) => ({ isIntersecting: true, target, intersectionRatio: 1 }) as unknown as IntersectionObserverEntry,
    );
    if (entries.length) this.callback(entries, this as unknown as IntersectionObserver);
  }
}

export function installIntersectionObserver(): void {
  (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver = FakeIntersectionObserver;
}

/** Every observed element comes into view; returns how many observers were watching. */
export function scrollIntoView(): number {
  const live = [...observers];
  for (const observer of live) observer.fire();
  return live.length;
}
