/** Package version and git commit of this build (vite `define`), recorded with every result. */
declare const __BUILD_ID__: string;
