export { ownEntry } from "./own-entry.js";
