/**
 * A guard on the saturation prior (saturation-prior.ts; docs/learned-eviction.md, "Fifth
 * round"). The shadow (shadow-baseline.ts) judges the policy as a whole: when it trails its
 * base for `shadowSustain` windows, every eviction goes to the base until a new model, and the
 * model's good overrules are given up with the prior's bad ones. On lirs_sprite 1% that is how
 * the prior cost ML+LFU 4 points ("Fourth round").
 *
 * So the prior answers first: when a shadow window closes trailing and the prior evicted
 * anything since the last window, the prior is switched off for a cooldown (`cooldown` label
 * caps, doubled with each trip, since a prior that hurt once on a workload likely hurts again)
 * and the shadow's verdict starts afresh, so the model is judged without the prior before it
 * is given up. Where the prior did not act, the shadow decides as before. If the policy keeps
 * trailing without the prior until the shadow gives up the model, the prior was not at fault:
 * it comes back with the next model, and its cooldown is not doubled for that trip.
 *
 * Judging the prior's evictions one by one (did the key it evicted come back before the base's
 * victim it spared?) was tried first and does not tell where it hurts: on lirs_sprite its
 * victims come back within a memory window less often than the base's (6% against 17%), yet
 * the policy loses there with it; and on cold caches, where it wins, the victims it spares are
 * almost never hit before they leave. Its effect is on what the cache holds, which the shadow
 * measures.
 */

export interface PriorGuardOptions {
  /** The prior stays off this many label caps after its first trip (seventh round). @default 8 */
  readonly cooldown?: number;
}

export class PriorGuard {
  readonly #cooldown: number;
  /** Whether the prior evicted since the last shadow window. */
  #acted = false;
  #offUntil = Number.NEGATIVE_INFINITY;
  #trips = 0;
  /** Trips not taken back (each doubles the next cooldown). */
  #streak = 0;

  constructor(options: PriorGuardOptions = {}) {
    this.#cooldown = options.cooldown ?? 8;
  }

  /** Whether the prior may evict at time `t` (false during a cooldown). */
  allows(t: number): boolean {
    return t >= this.#offUntil;
  }

  /** Times the guard switched the prior off. */
  get trips(): number {
    return this.#trips;
  }

  /** The prior chose a victim. */
  acted(): void {
    this.#acted = true;
  }

  /**
   * A shadow window closed at time `t`, `trailing` or not, with label cap `cap`. Returns true
   * when the prior takes the blame: it is switched off, and the shadow's verdict should start
   * afresh.
   */
  windowClosed(trailing: boolean, t: number, cap: number): boolean {
    const acted = this.#acted;
    this.#acted = false;
    if (!trailing || !acted) return false;
    this.#offUntil = t + this.#cooldown * cap * 2 ** Math.min(this.#streak, 16);
    this.#streak++;
    this.#trips++;
    return true;
  }

  /**
   * The shadow gave up the model at time `t`. If the prior was off then, the policy trailed
   * without it: it was not the prior's fault, so it may act again (with the next model) and the
   * cooldown that was doubled for it is taken back.
   */
  cleared(t: number): void {
    if (t >= this.#offUntil) return;
    this.#offUntil = Number.NEGATIVE_INFINITY;
    this.#streak = Math.max(0, this.#streak - 1);
  }
}
