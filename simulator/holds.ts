import type { RotationStep, RotationTrigger } from './rotation';

/** Which rotations a hold stops, before which step. */
export interface RotationHoldMatch {
  readonly step: RotationStep;
  /** @default - any trigger */
  readonly trigger?: RotationTrigger;
  /** @default - any secret */
  readonly secretArn?: string;
}

/** A rotation a hold stopped. */
export interface HeldRotation {
  readonly secretArn: string;
  readonly token: string;
  readonly trigger: RotationTrigger;
  readonly step: RotationStep;
}

/**
 * Rotations stopped before a step until the test lets them go on: a rotation function that takes its time (a slow
 * database, a cold start), or a rotation caught between two steps when something else happens.
 */
export interface RotationHold {
  /** The first rotation held, once one reaches the step. */
  readonly reached: Promise<HeldRotation>;
  /** Lets every rotation it holds go on, and holds no more. */
  release(): void;
}

interface ActiveHold {
  readonly match: RotationHoldMatch;
  readonly released: Promise<void>;
  readonly reach: (rotation: HeldRotation) => void;
  readonly end: () => void;
}

/** The holds in force; the rotation engine asks before it invokes each step. */
export class RotationHolds {
  private readonly holds = new Set<ActiveHold>();

  public add(match: RotationHoldMatch): RotationHold {
    let reach!: (rotation: HeldRotation) => void;
    const reached = new Promise<HeldRotation>((resolve) => (reach = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const hold: ActiveHold = {
      match,
      released,
      reach,
      end: () => {
        this.holds.delete(hold);
        release();
      },
    };
    this.holds.add(hold);
    return { reached, release: hold.end };
  }

  /** Resolves when no hold stops `rotation` before its step (at once when none matches). */
  public async before(rotation: HeldRotation): Promise<void> {
    for (const hold of [...this.holds]) {
      const { step, trigger = rotation.trigger, secretArn = rotation.secretArn } = hold.match;
      if (step !== rotation.step || trigger !== rotation.trigger || secretArn !== rotation.secretArn) continue;
      hold.reach(rotation);
      await hold.released;
    }
  }

  /** Lets everything go: the simulator is stopping. */
  public releaseAll(): void {
    for (const hold of [...this.holds]) hold.end();
  }
}
