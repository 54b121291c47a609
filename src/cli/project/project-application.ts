import { dirname, resolve } from "node:path";
import { manifestOf, type ApplicationShape, type Manifest } from "../../runtime/manifest/index.js";
import { loadApplicationExport, parsedApplication, resolveAppModule } from "./load-application.js";
import { readProjectConfig, type ReadProjectConfig } from "./read-config.js";

/** A project as the commands that compare it with its application read it. */
export interface ProjectApplication {
  readonly config: ReadProjectConfig;
  /** The folder of the wrangler configuration: the project's root. */
  readonly projectDir: string;
  readonly appModule: string;
  readonly application: ApplicationShape;
  /** The module's export as it is, definitions whole: for a command that reads more than bindings. */
  readonly exported: unknown;
  readonly manifest: Manifest;
}

/**
 * Reads the wrangler configuration, then the application module beside it and its manifest. The
 * application belongs to the project beside the configuration, so a command run from a
 * subdirectory finds it; `--app` is a path the user typed, resolved from the working directory.
 */
export async function readProjectApplication(options: {
  readonly cwd: string;
  readonly configPath?: string | undefined;
  readonly appPath?: string | undefined;
  readonly env?: string | undefined;
  readonly hideWarnings?: boolean;
}): Promise<ProjectApplication> {
  const { cwd } = options;
  const config = await readProjectConfig({ cwd, configPath: options.configPath, env: options.env }, { hideWarnings: options.hideWarnings ?? false });
  const projectDir = dirname(config.userConfigPath);
  const appModule = resolveAppModule(projectDir, options.appPath === undefined ? undefined : resolve(cwd, options.appPath));
  const exported = await loadApplicationExport(appModule);
  const application = parsedApplication(exported, appModule);
  return { config, projectDir, appModule, application, exported, manifest: manifestOf(application) };
}
