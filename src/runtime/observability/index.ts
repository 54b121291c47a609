export { BatchReport, MAX_TRACE_IDS_PER_LINE, type BatchSubscriber, type ReportedStream, type StreamFailure } from "./batch-report.js";
export { outcomeName, reportCommand, reportEdgeRefusal, type CommandEnd, type CommandReport, type EdgeRefusal } from "./command-report.js";
export { MAX_METRIC_INDEX_BYTES, Metrics, type CommandOutcomeName, type MetricsDataset } from "./metrics.js";
export { MetricsBinding } from "./metrics-binding.js";
export { describeError, formatLog, keptBySampling, writeFormattedLog, writeLog, type FormattedLog, type LogFields, type LogLevel } from "./structured-log.js";
export { adoptTrace, continueTrace, formatTraceparent, parseTraceparent, TRACEPARENT, traceIdOf, type TraceContext } from "./trace-context.js";
export { reportOutboxParked, reportOutboxRetry, type OutboxParking, type OutboxRetry, type OutboxSend } from "./outbox-report.js";
