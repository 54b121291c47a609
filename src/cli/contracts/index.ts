export { contractDefinitionsOf, type ContractDefinitions } from "./contract-definitions.js";
export { CONTRACT_FOLDERS, contractDrift, contractFiles, writeContracts, type ContractDrift, type ContractFiles } from "./contract-files.js";
export { contractsCommand, DEFAULT_CONTRACTS_DIR } from "./contracts-command.js";
