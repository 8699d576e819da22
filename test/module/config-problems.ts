import { DatabaseConfigurationException } from '../../src/config';

/** The problems the configuration exception of `run` names; fails the test when none is thrown. */
export function problemsOf(run: () => unknown): readonly string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof DatabaseConfigurationException) return error.problems;
    throw error;
  }
  throw new Error('expected a DatabaseConfigurationException');
}
