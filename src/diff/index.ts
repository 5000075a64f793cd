// src/diff: what changed between two runs (pure; the CLI and, later, the store and the monitor feed it).
export { diffReports, diffRuns, targetName } from './diff.js';
export { compareGrades, diffGradeRank } from './grades.js';
export { reportFacts } from './facts.js';
export * from './types.js';
export { describeFactChange, hasNews } from './describe.js';
