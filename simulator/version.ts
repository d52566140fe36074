import { PACKAGE_JSON } from "./package-root.ts";

/** The package version, recorded in every output. */
export const VERSION: string = PACKAGE_JSON.version;
