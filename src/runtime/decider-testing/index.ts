export { given, TEST_AGGREGATE_ID, TEST_COMMAND_METADATA, type DeciderSpecification, type DecisionOutcome, type TestCommand, type UncheckedTestCommand } from "./given.js";
export { stateAfter } from "./state-after.js";
export { testClient, type CommandResult, type RequestHandler, type TestClientOptions } from "./test-client.js";
export { givenProcess, type ExpectedDecision, type ProcessOutcome, type TestEvent, type TestMessage, type TestTimer } from "./given-process.js";
export type { TestAcceptance, TestOutcome, TestRejection } from "./test-outcomes.js";
