import { describe, expect, it } from "vitest";
import { given, givenProcess } from "edge-cqrs/testing";
import { account } from "../fixture/domain/account";
import { settlement } from "../fixture/domain/settlement";

// A failing assertion of the testing kit points at the test that made it: its stack's first frame
// is this file, not the kit (a user's runner would otherwise show node_modules/edge-cqrs/…).

const THIS_FILE = "decider-kit-stack.unit.test.ts";

function firstFrame(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    const frames = String((error as Error).stack).split("\n").filter((line) => line.trimStart().startsWith("at "));
    return frames[0] ?? "";
  }
  throw new Error("expected the assertion to fail");
}

const opened = { type: "AccountOpened" as const, data: { owner: "c-1", labels: [], openedAt: "2026-01-01T00:00:00.000Z" } };

describe("the testing kit's failures", () => {
  it("start at the test's line for a decider's then, thenRejects and thenState", () => {
    expect(firstFrame(() => given(account, [opened]).when({ type: "deposit", data: { amount: 5 } }).then([]))).toContain(THIS_FILE);
    expect(firstFrame(() => given(account, [opened]).when({ type: "deposit", data: { amount: 5 } }).thenRejects("nope"))).toContain(THIS_FILE);
    expect(firstFrame(() => given(account, [opened]).when({ type: "deposit", data: { amount: 5 } }).thenState({ nope: true } as never))).toContain(THIS_FILE);
  });

  it("start at the test's line for an invalid test command and for a process manager's outcome", () => {
    expect(firstFrame(() => given(account).when({ type: "deposit", data: { amount: "five" } as never }))).toContain(THIS_FILE);
    const sent = { type: "PaymentSent", aggregateId: "p-1", data: { accountId: "a-1", amount: 300 } } as const;
    expect(firstFrame(() => givenProcess(settlement).when(sent).thenState({ nope: true } as never))).toContain(THIS_FILE);
    expect(firstFrame(() => givenProcess(settlement, [{ type: "NoSuchEvent", aggregateId: "p-1", data: {} } as never]))).toContain(THIS_FILE);
  });
});
