export { plural, summarizeApplication } from "./application-summary.js";
export { DEFAULT_APP_MODULE, loadApplication, loadApplicationExport, parsedApplication, resolveAppModule } from "./load-application.js";
export { readLocalMigrationState, migrationFiles, migrationsDirOf, unappliedFromListing, type LocalMigrationState } from "./local-migrations.js";
export { dotenvNames, readLocalSecretNames } from "./local-secrets.js";
export { DEFAULT_STATE_DIR, localStateDir } from "./local-state.js";
export { readProjectApplication, type ProjectApplication } from "./project-application.js";
export * from "./project-config.js";
export { findConfig, readProjectConfig, type ConfigLocation, type ReadProjectConfig } from "./read-config.js";
export { runWrangler, type WranglerResult } from "./wrangler-process.js";
