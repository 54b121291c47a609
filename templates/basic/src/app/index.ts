import type { Application } from "edge-cqrs";
import { loan } from "./loan/loan";
import { loanDetails } from "./loan-details/projection";
import { loanDetailsQuery } from "./loan-details/query";

/** The domain as the runtime composes it: one aggregate, one read model and its query. */
export const application: Application<Env> = {
  title: "{{name}}",
  version: "0.1.0",
  aggregates: [loan],
  projections: [loanDetails],
  queries: [loanDetailsQuery],
};
