// Every command portolan knows, in the order --help lists them.
import type { CommandModule } from '../command.js';
import { convertCommand } from './convert.js';
import { createCommand } from './create.js';
import { dependencyCommand } from './dependency.js';
import { lintCommand } from './lint.js';
import { packageCommand } from './package.js';
import { pullCommand } from './pull.js';
import { pushCommand } from './push.js';
import { registryCommand } from './registry.js';
import { repoCommand } from './repo.js';
import { sandboxCommand } from './sandbox.js';
import { searchCommand } from './search.js';
import { serveCommand } from './serve.js';
import { showCommand } from './show.js';
import { templateCommand } from './template.js';
import { versionCommand } from './version.js';
import { installCommand } from './install.js';
import { upgradeCommand } from './upgrade.js';
import { rollbackCommand } from './rollback.js';
import { uninstallCommand } from './uninstall.js';
import { listCommand } from './list.js';
import { historyCommand } from './history.js';
import { statusCommand } from './status.js';
import { getCommand } from './get.js';
import { testCommand } from './test.js';

export const commands: CommandModule[] = [
  templateCommand,
  showCommand,
  createCommand,
  convertCommand,
  lintCommand,
  packageCommand,
  dependencyCommand,
  repoCommand,
  searchCommand,
  pullCommand,
  pushCommand,
  registryCommand,
  serveCommand,
  sandboxCommand,
  versionCommand,
  installCommand,
  upgradeCommand,
  rollbackCommand,
  uninstallCommand,
  listCommand,
  historyCommand,
  statusCommand,
  getCommand,
  testCommand,
];
