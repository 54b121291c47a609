/**
 * What one runtime found missing from each Worker `env` it served, checked once per env object:
 * after the first request the hot path pays one WeakMap lookup.
 */
export class EnvChecks {
  private readonly checked = new WeakMap<object, readonly string[]>();

  /** The problems `check` finds in `env`, from memory after the first time. */
  problems(env: object, check: (env: object) => readonly string[]): readonly string[] {
    const known = this.checked.get(env);
    if (known) return known;
    const problems = check(env);
    this.checked.set(env, problems);
    return problems;
  }
}
