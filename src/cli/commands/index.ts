// Every command portolan knows, in the order --help lists them.
import type { CommandModule } from '../command.js';
import { showCommand } from './show.js';
import { templateCommand } from './template.js';
import { versionCommand } from './version.js';

export const commands: CommandModule[] = [templateCommand, showCommand, versionCommand];
