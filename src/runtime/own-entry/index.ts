export { ownEntry } from "./own-entry";
