// From a chart folder to a stored archive: optionally `dependency update` first (-u), then lint (a chart with lint
// errors is refused), then the reproducible archive, written atomically. Shared by `portolan package` and the library.
import { join } from 'node:path';
import { updateDependencies, type DependencyRunResult, type RemoteResolver } from './chart/dependency-update.js';
import { loadChartFiles, readChartFolder } from './chart/load.js';
import { applyChartOverrides, packageChartFiles, type PackageOptions, type PackagedChart } from './chart/package.js';
import { lintChartFiles, lintFailure, type LintReport } from './lint/index.js';
import { writeFileAtomic } from './repo/index-dir.js';
import { checkDependenciesPresent } from './template.js';
import { convertChartFiles } from './convert/index.js';

export interface PackageFolderOptions extends PackageOptions {
  /** Folder to write `<name>-<version>.tgz` to. */
  destination: string;
  /** Run `dependency update` before packaging (Helm's -u/--dependency-update). */
  dependencyUpdate?: boolean;
  /** Fetches repository dependencies for `dependencyUpdate`. */
  remote?: RemoteResolver;
  /** Package handlebars templates converted to Go templates, so the archive works with helm too. */
  forHelm?: boolean;
}

export interface PackageFolderResult extends PackagedChart {
  /** Where the archive was written. */
  path: string;
  /** The lint report of the packaged files (no errors, or packaging would have been refused). */
  lint: LintReport;
  /** What `dependency update` did, with dependencyUpdate. */
  dependencies?: DependencyRunResult;
}

/**
 * Packages the chart folder `dir` (named `source` in messages). Refuses, writing nothing, a chart whose dependencies
 * are not all in charts/ (DEPENDENCY) and a chart that, as it would be packaged (--version/--app-version applied),
 * has lint errors (LINT_FAILED, listing every error).
 */
export async function packageChartFolder(
  dir: string,
  source: string,
  options: PackageFolderOptions,
): Promise<PackageFolderResult> {
  const dependencies = options.dependencyUpdate ? await updateDependencies(dir, { remote: options.remote }) : undefined;
  let files = applyChartOverrides(await readChartFolder(dir), source, options);
  if (options.forHelm) files = convertChartFiles(files, 'go').files;
  // As Helm: a dependency missing from charts/ is an error here (lint only warns about it).
  checkDependenciesPresent(loadChartFiles(files, source));
  const lint = await lintChartFiles(files, source);
  if (lint.failed) throw lintFailure(lint);
  const packaged = packageChartFiles(files, source, { mtime: options.mtime });
  const path = join(options.destination, packaged.fileName);
  await writeFileAtomic(path, packaged.data);
  return { ...packaged, path, lint, dependencies };
}
