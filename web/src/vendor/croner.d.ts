// Croner (npm package `croner`) in the browser: web/build.mjs copies the package's own ES module
// beside the panel's, and this declaration gives it the package's types.
export { Cron } from 'croner';
