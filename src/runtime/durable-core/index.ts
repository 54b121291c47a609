export { AlarmScheduler, SAFETY_ALARM_DELAY_MS, type AlarmJob, type AlarmStorage } from "./alarm-scheduler.js";
export { Backoff, type BackoffOptions } from "./backoff.js";
export { SingleFlight, type PassResult } from "./single-flight.js";
