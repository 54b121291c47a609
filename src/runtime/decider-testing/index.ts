export { given, TEST_COMMAND_METADATA, type DecisionOutcome, type TestCommand } from "./given";
