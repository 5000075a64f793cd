// A grader: one pure function from what was seen (report sections, evidence, findings) to a grade,
// following one published method, with one score table a test holds complete. src/grade/index.ts
// runs every grader once per scan, after assembly; nothing else computes a grade.
export interface Grader<I, O> {
  id: string;
  /** The method the grade follows, as cited in the report and the README. */
  reference: string;
  grade(input: I): O;
}
