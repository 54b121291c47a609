export { fulfilment } from "./process-manager";
