/** Types of test-prerequisites.mjs, for the browser driver (test/e2e/driver) that shares its checks. */
export interface Missing {
  what: string;
  why: string;
  /** The Debian package that provides it, or null when only the user can fix it (`fix`). */
  package: string | null;
  fix?: string;
}
export declare const ENGINES: readonly ['chromium', 'webkit'];
export declare function askedEngines(env?: NodeJS.ProcessEnv): Array<(typeof ENGINES)[number]>;
export declare function miniBrowserPath(env?: NodeJS.ProcessEnv, root?: string): string | null;
export declare function missingPrerequisites(env?: NodeJS.ProcessEnv, root?: string): Missing[];
export declare function missingBrowserPrerequisites(env?: NodeJS.ProcessEnv, root?: string): Missing[];
export declare function packagesFor(missing: Missing[]): string[];
export declare function aptCommand(packages: string[], sudo?: boolean): string;
