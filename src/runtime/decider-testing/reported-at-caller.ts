/**
 * The kit's failures point at the test line that made them, not at the kit: an assertion that
 * fails inside `then` or `thenState` has its stack captured again from the method the test called,
 * so the first frame is the user's test file. Without it a test runner shows a frame inside the
 * installed package (`node_modules/edge-cqrs/src/…`, a path the package does not ship).
 */
export function reportedAtCaller<T extends object>(spec: T): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(spec)) {
    if (typeof value !== "function") {
      wrapped[name] = value;
      continue;
    }
    const method = value as (...args: unknown[]) => unknown;
    const facing = function (this: unknown, ...args: unknown[]): unknown {
      try {
        return method.apply(this, args);
      } catch (error) {
        throw fromCaller(error, facing);
      }
    };
    wrapped[name] = facing;
  }
  return wrapped as T;
}

/** V8's stack capture (Node and workerd both have it); typed here, since not every set of lib types declares it. */
type StackCapture = (target: object, boundary?: (...args: never[]) => unknown) => void;

/** `error` with its stack taken again from the caller of `boundary`. */
export function fromCaller(error: unknown, boundary: (...args: never[]) => unknown): unknown {
  const capture = (Error as ErrorConstructor & { captureStackTrace?: StackCapture }).captureStackTrace;
  if (error instanceof Error && typeof capture === "function") capture(error, boundary);
  return error;
}
