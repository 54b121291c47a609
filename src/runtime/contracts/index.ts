export { contractSchemas, type ContractSchema } from "./contract-schemas.js";
