/** Helpers for seeded sample generation (same bytes on every machine). */
import { rng } from '../../src/core/rng.js';

export { rng };

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

const SUBJECTS = [
  'The river',
  'Our small town',
  'The new library',
  'A local baker',
  'The committee',
  'This recipe',
  'The old bridge',
  'Every spring, the garden',
  'The museum',
  'The hiking trail',
  'Her first novel',
  'The research team',
  'The school choir',
  'The harbour',
  'A quiet street',
];
const VERBS = ['attracts', 'needs', 'welcomes', 'describes', 'surprised', 'changed', 'celebrates', 'connects', 'explains', 'remembers', 'offers', 'protects'];
const OBJECTS = [
  'visitors from across the region',
  'a careful plan for the winter',
  'fresh bread every morning',
  'the history of the valley',
  'more volunteers than last year',
  'a simple way to save energy',
  'students who love to read',
  'the work of local artists',
  'a long walk along the coast',
  'the results of a ten-year study',
  'families looking for a weekend outing',
  'an unusual collection of maps',
];
const TAILS = ['', ' during the summer', ' after the storm', ' in the evening', ' for the first time', ' without much fuss', ' despite the rain', ' with great care'];

/** A plausible English sentence. */
export function sentence(r: () => number): string {
  return `${pick(r, SUBJECTS)} ${pick(r, VERBS)} ${pick(r, OBJECTS)}${pick(r, TAILS)}.`;
}

/** A paragraph of n sentences. */
export function paragraph(r: () => number, n: number): string {
  return Array.from({ length: n }, () => sentence(r)).join(' ');
}
