import { durationProblem } from './duration-option';

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads settings from options first, then the environment, and records every problem found. */
export class SettingReader {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  /** The environment value, with empty strings treated as unset. */
  envValue(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value === '' ? undefined : value;
  }

  text(option: string | undefined, envName: string): string | undefined {
    return option ?? this.envValue(envName);
  }

  choice<T extends string>(
    option: T | string | undefined,
    envName: string,
    allowed: readonly T[],
    fallback: T,
    normalize: (raw: string) => string = (raw) => raw,
  ): T {
    const raw = option ?? this.envValue(envName);
    if (raw === undefined) return fallback;
    const value = normalize(String(raw).trim());
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${envName}=${String(raw)} is not one of ${allowed.join(', ')}`);
    return fallback;
  }

  integer(option: number | undefined, envName: string, fallback: number, min: number): number {
    const raw = option ?? this.envValue(envName);
    if (raw === undefined) return fallback;
    const value = typeof raw === 'number' ? raw : Number(raw);
    if (!Number.isInteger(value) || value < min) {
      this.problems.push(`${envName}=${String(raw)} must be an integer of at least ${min}`);
      return fallback;
    }
    return value;
  }

  /** A duration in ms of at least `min`, and at most 2^31 - 1 (see `durationProblem`). */
  millis(option: number | undefined, envName: string, fallback: number, min: number): number {
    const raw = option ?? this.envValue(envName);
    if (raw === undefined) return fallback;
    const value = typeof raw === 'number' ? raw : Number(raw);
    const problem = durationProblem(value, min);
    if (problem !== undefined) {
      this.problems.push(`${envName}=${String(raw)} ${problem}`);
      return fallback;
    }
    return value;
  }

  flag(option: boolean | undefined, envName: string, fallback: boolean): boolean {
    if (option !== undefined) return option;
    const raw = this.envValue(envName);
    if (raw === undefined) return fallback;
    const word = raw.toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    this.problems.push(`${envName}=${raw} must be true or false`);
    return fallback;
  }
}
