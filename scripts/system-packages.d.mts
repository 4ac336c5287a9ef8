// Types of system-packages.mjs for the TypeScript tests that import it.
export interface SystemPackage {
  name: string;
  command: string;
  neededFor: 'browser' | 'code-server' | 'integration';
  why: string;
}
export interface InstallPlan {
  action: 'install' | 'refuse';
  command: string;
  message: string;
}
export const PACKAGE_LIST: string;
export function parsePackageList(text: string, file?: string): SystemPackage[];
export function readPackageList(): SystemPackage[];
export function findOnPath(command: string, pathVar?: string): string | null;
export function locate(pkg: SystemPackage): string | null;
export function missingPackages(neededFor: string[], packages?: SystemPackage[]): SystemPackage[];
export function isDebian(osReleaseText: string): boolean;
export function installPlan(input: { missing: SystemPackage[]; isRoot: boolean; osReleaseText: string }): InstallPlan;
export function ensureSystemPackages(neededFor: string[]): void;
