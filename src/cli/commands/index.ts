// Every command portolan knows, in the order --help lists them.
import type { CommandModule } from '../command.js';
import { dependencyCommand } from './dependency.js';
import { packageCommand } from './package.js';
import { showCommand } from './show.js';
import { templateCommand } from './template.js';
import { versionCommand } from './version.js';

export const commands: CommandModule[] = [templateCommand, showCommand, packageCommand, dependencyCommand, versionCommand];
