// Picking a storage driver by name (--driver, else PORTOLAN_DRIVER, else secret); unknown names are refused.
import type { ClusterClient } from '../../cluster/index.js';
import { UsageError } from '../../errors.js';
import { DRIVER_NAMES, type DriverName, type ReleaseDriver } from './driver.js';
import { ConfigMapDriver, SecretDriver } from './kube.js';
import { MemoryDriver, MemoryStore } from './memory.js';

export { DRIVER_NAMES, recordLabels, type DriverName, type ReleaseDriver } from './driver.js';
export { ConfigMapDriver, SecretDriver, SECRET_TYPE } from './kube.js';
export { MemoryDriver, MemoryStore } from './memory.js';
export { ReleaseStorage } from './storage.js';

/** The driver name from a flag value or the environment; throws a usage error for anything unknown. */
export function driverName(flag: string | undefined, env: NodeJS.ProcessEnv): DriverName {
  const given = flag ?? env.PORTOLAN_DRIVER ?? 'secret';
  const name = given.trim().toLowerCase();
  // Helm's names are accepted too.
  const alias = name === 'secrets' ? 'secret' : name === 'configmaps' ? 'configmap' : name;
  if ((DRIVER_NAMES as readonly string[]).includes(alias)) return alias as DriverName;
  throw new UsageError(
    `unknown storage driver ${JSON.stringify(given)}${flag === undefined ? ' (from PORTOLAN_DRIVER)' : ''}`,
    {
      flag: flag === undefined ? undefined : '--driver',
      hint: `Use one of: ${DRIVER_NAMES.join(', ')}.`,
    },
  );
}

const memoryStores = new Map<string, MemoryStore>();

/**
 * A driver of that name reading `namespace` (undefined: all namespaces). Memory drivers share one store per process.
 */
export function createDriver(
  name: DriverName,
  client: ClusterClient | undefined,
  namespace: string | undefined,
): ReleaseDriver {
  if (name === 'memory') {
    let store = memoryStores.get('default');
    if (!store) {
      store = new MemoryStore();
      memoryStores.set('default', store);
    }
    return new MemoryDriver(namespace, store);
  }
  if (!client) throw new UsageError(`the ${name} driver needs a cluster connection`);
  return name === 'secret' ? new SecretDriver(client, namespace) : new ConfigMapDriver(client, namespace);
}
