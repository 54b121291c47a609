export { defineProcessManager, type ProcessManager, type ProcessManagerConfig, type StatelessProcessManager } from "./define-process-manager.js";
export { command, type IssuedCommand } from "./issued-command.js";
export {
  instanceCommandId,
  OUTCOME_KINDS,
  outcomeCause,
  type AnyOutcomeMessage,
  type CommandAcceptedMessage,
  type CommandRejectedMessage,
  type OutcomeKind,
  type OutcomeMessage,
  type SentCommand,
} from "./command-outcomes.js";
export {
  MAX_COMMANDS_PER_DECISION,
  MAX_TIMERS_PER_INSTANCE,
  PROCESS_MANAGER_NAME_PATTERN,
  TIMER_ID_PATTERN,
  type AnyProcessMessage,
  type CheckedDecision,
  type CheckedStep,
  type EvolveDecideConfig,
  type ProcessDecision,
  type ProcessMessage,
  type ProcessStep,
  type StatefulProcessManager,
  type StatefulProcessManagerBase,
  type StatefulProcessManagerConfig,
  type StepConfig,
  type TimerFired,
  type TimerToSet,
  type TypedStatefulProcessManager,
} from "./stateful.js";
