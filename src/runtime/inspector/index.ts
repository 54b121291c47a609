export { mountInspector } from "./inspector-routes.js";
