export { mountInspector } from "./inspector-routes";
