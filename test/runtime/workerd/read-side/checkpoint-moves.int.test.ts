import { describe, expect, it } from "vitest";
import { advanceCheckpoints, type CheckpointMove } from "../../../../src/runtime/projector/checkpoints";
import { rows } from "../../../support/read-model";
import { fixtureEnv } from "../../fixture/support/worker";

// Many streams' checkpoints move in a few set-based statements. Whatever the batch, they move
// together with the view's statements or not at all: a checkpoint that is not where the projector
// read it (another consumer got there first, a row that vanished) aborts the whole D1 batch.

const db = fixtureEnv.READ_DB;
const SUBSCRIBER = "moves-test";

async function checkpoints(): Promise<Record<string, number>> {
  const found = await rows<{ stream_id: string; version: number }>("SELECT stream_id, version FROM projection_checkpoints WHERE projection = ? ORDER BY stream_id", SUBSCRIBER);
  return Object.fromEntries(found.map((r) => [r.stream_id, r.version]));
}

/** Applies the moves with one marker row, as a view statement in the same batch; true when it committed. */
async function apply(moves: CheckpointMove[], marker: string): Promise<boolean> {
  await db.prepare("CREATE TABLE IF NOT EXISTS moves_markers (marker TEXT PRIMARY KEY)").run();
  try {
    await db.batch([...advanceCheckpoints(db, SUBSCRIBER, moves), db.prepare("INSERT INTO moves_markers (marker) VALUES (?)").bind(marker)]);
    return true;
  } catch {
    return false;
  }
}

const markers = async () => (await rows<{ marker: string }>("SELECT marker FROM moves_markers ORDER BY marker")).map((r) => r.marker);

describe("moving many checkpoints in one batch", () => {
  it("inserts first checkpoints and moves later ones together with the batch's other statements", async () => {
    expect(await apply([{ streamId: "s/a", expected: 0, next: 2 }, { streamId: "s/b", expected: 0, next: 1 }], "first")).toBe(true);
    expect(await apply([{ streamId: "s/a", expected: 2, next: 5 }, { streamId: "s/b", expected: 1, next: 3 }, { streamId: "s/c", expected: 0, next: 1 }], "second")).toBe(true);
    expect(await checkpoints()).toEqual({ "s/a": 5, "s/b": 3, "s/c": 1 });
    expect(await markers()).toEqual(["first", "second"]);
  });

  it.each([
    ["a later checkpoint that moved meanwhile", [{ streamId: "s/a", expected: 4, next: 6 }]],
    ["a later checkpoint that does not exist", [{ streamId: "s/z", expected: 3, next: 4 }]],
    ["a first checkpoint another consumer already wrote", [{ streamId: "s/c", expected: 0, next: 2 }]],
  ])("aborts the whole batch for %s, and the other streams' moves with it", async (_case, stale) => {
    const before = await checkpoints();
    const moves = [{ streamId: "s/b", expected: 3, next: 4 }, ...stale];
    expect(await apply(moves, `stale-${stale[0]!.streamId}-${stale[0]!.expected}`)).toBe(false);
    expect(await checkpoints()).toEqual(before);
    expect(await markers()).toEqual(["first", "second"]);
  });
});
